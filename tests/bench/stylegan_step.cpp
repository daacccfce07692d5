// One StyleGAN training step (default StyleganConfig: 32x32 grey, batch 32 of 28x28 images padded
// to 32x32; D step, G step with style mixing, EMA update, Adam for both) per backend, thread count
// and R1 setting: r1 = 1 a step on which the R1 penalty runs (r1_interval 1, so every step
// regularises), r1 = 0 a step without it (r1_gamma 0). Compare with stylegan_step_reference.py,
// the same networks, losses and optimisers in PyTorch, through tests/bench/run-stylegan-step.
#include <benchmark/benchmark.h>

#include "backends/onednn/onednn_backend.hpp"
#include "models/stylegan/training.hpp"
#ifdef GENLAB_WITH_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
#endif

using namespace genlab;

namespace {

// Multiply-accumulates per sample of one forward pass of each network's convolutions and linear
// layers as genlab computes them, the resampling ones fused (the fixed depthwise blur filters,
// normalisations and elementwise ops are left out: under 1 % of the work, and not what a
// convolution peak measures). The reference's two-step variant does more.
struct ForwardMacs {
  double mapping = 0, mapping_first = 0;  // mapping network, and its first layer alone
  double synthesis = 0;                   // convolutions, the styles' dense layers, to_rgb
  double discriminator = 0, from_rgb = 0;
};

ForwardMacs forward_macs(const stylegan::Architecture& a) {
  using Synthesis = stylegan::SynthesisNetwork<OneDnn>;
  ForwardMacs m;
  m.mapping_first = static_cast<double>(a.latent_dim * a.latent_dim);
  m.mapping = static_cast<double>(a.mapping_layers) * m.mapping_first;
  const int64_t layers = a.synthesis_layers();
  for (int64_t i = 0; i < layers; ++i) {
    const int64_t out = Synthesis::channels_of(a, i), side = a.layer_resolution(i);
    // A 3x3 convolution reads 9 taps per output pixel; fused with the upsampling, 4 (nn/fused_scale.hpp).
    const int64_t taps = a.upsampling_layer(i) ? 4 : 9;
    if (i > 0) m.synthesis += static_cast<double>(Synthesis::channels_of(a, i - 1) * out * taps * side * side);
    m.synthesis += static_cast<double>(a.latent_dim * 2 * out);  // the AdaIN style A_i(w_i)
  }
  m.synthesis += static_cast<double>(Synthesis::channels_of(a, layers - 1) * a.channels * a.resolution * a.resolution);
  const int64_t r = a.resolution_log2();
  m.from_rgb = static_cast<double>(a.channels * a.nf(r - 1) * a.resolution * a.resolution);
  m.discriminator = m.from_rgb;
  for (int64_t s = r; s >= 3; --s) {  // conv3 in -> in at 2^s; conv3 in -> out fused with the average
    const int64_t in = a.nf(s - 1), out = a.nf(s - 2), side = int64_t{1} << s;
    m.discriminator += static_cast<double>((in * in * 9 + in * out * 4) * side * side);
  }
  m.discriminator += static_cast<double>((a.nf(1) + 1) * a.nf(1) * 9 * 16 + a.nf(1) * 16 * a.nf(0) + a.nf(0));
  return m;
}

// FLOP (2 per multiply-accumulate) of one step of training.hpp, counting backward data and
// backward weights as one forward each:
//   D   3 forwards (real, detached fake, fake for G), 3 weight gradients, 3 data gradients less
//       the two into the real and detached images:                      9 D - 2 from_rgb
//   G   synthesis: 2 forwards (one per generate), 1 backward:             4 S
//       mapping: (1 + style_mixing) per generate (the second latent of a mixed batch, expected),
//       backward on the G step without the data gradient into z, and the EMA mapping's forward
//       for w_avg:                                 (1 + p) (4 M - mapping_first) + M
//   R1  a third forward of the real batch, its input gradient (backward data), and the double
//       backward: the input-gradient graph differentiated with respect to its incoming gradients
//       and its weights, plus backward data and weights of the R1 forward (through the minibatch
//       standard deviation, whose input gradient depends on the activations):  6 D
double training_step_flops(const stylegan::StyleganConfig& c, bool r1) {
  const ForwardMacs m = forward_macs(c.architecture());
  const double mixed = 1.0 + c.style_mixing;
  double macs = 9 * m.discriminator - 2 * m.from_rgb + 4 * m.synthesis + mixed * (4 * m.mapping - m.mapping_first) +
                m.mapping;
  if (r1) macs += 6 * m.discriminator;
  return 2 * macs * static_cast<double>(c.batch_size);
}

// Arguments: threads, r1 (0: no R1 term; 1: R1 on the measured steps).
template <Backend B>
void stylegan_training_step(benchmark::State& state) {
  stylegan::StyleganConfig config;
  const bool r1 = state.range(1) != 0;
  config.r1_interval = 1;  // training.hpp regularises when step % r1_interval == 0: every step
  if (!r1) config.r1_gamma = 0.0;
  B::set_num_threads(static_cast<int>(state.range(0)));
  stylegan::StyleganTraining<B> task(config, {});
  // A Fashion-MNIST-shaped batch; the step pads it to the networks' 32x32.
  data::Batch batch;
  batch.shape = {config.batch_size, config.channels, 28, 28};
  batch.images.resize(numel(batch.shape));
  Rng(config.seed).fill_uniform(std::span<float>(batch.images), -1.0, 1.0);
  for (int i = 0; i < 2; ++i) task.step(batch);  // plans, primitive caches, allocator warm-up
  for (auto _ : state) benchmark::DoNotOptimize(task.step(batch));
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(config.batch_size), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(training_step_flops(config, r1) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = static_cast<double>(state.range(0));
  state.counters["resolution"] = static_cast<double>(config.resolution);
  state.counters["r1"] = r1 ? 1.0 : 0.0;
}

}  // namespace

#define GENLAB_STYLEGAN_STEP_BENCH(backend, name) \
  BENCHMARK(stylegan_training_step<backend>)      \
      ->Name("stylegan_step/" name)               \
      ->ArgsProduct({{1, 2}, {0, 1}})             \
      ->Unit(benchmark::kMillisecond)             \
      ->MinTime(5.0)                              \
      ->UseRealTime();

GENLAB_STYLEGAN_STEP_BENCH(OneDnn, "onednn")
#ifdef GENLAB_WITH_LIBTORCH
GENLAB_STYLEGAN_STEP_BENCH(LibTorch, "libtorch")
#endif

BENCHMARK_MAIN();
