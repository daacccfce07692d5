// One DCGAN training step (batch 64, both networks: forward, backward, Adam) per backend, image
// size (28x28 grey, 64x64 RGB) and thread count. Compare with dcgan_step_reference.py through
// tests/bench/run-dcgan-step.
#include <benchmark/benchmark.h>

#include "backends/onednn/onednn_backend.hpp"
#include "models/dcgan/training.hpp"

#include <vector>
#ifdef GENLAB_WITH_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
#endif

using namespace genlab;

namespace {

constexpr int64_t batch_size = 64;

// Multiply-accumulates of one convolution layer: N * Cout * Hout * Wout * Cin * k^2, which for a
// transposed convolution is N * Cin * Hin * Win * Cout * k^2 (the same count, read from its input).
double layer_macs(const dcgan::Layer& l, int64_t n, int64_t small_side) {
  return static_cast<double>(n * l.in * l.out * l.kernel * l.kernel * small_side * small_side);
}

// Multiply-accumulates of the convolutions in one training step, times 2 FLOP. Per layer, backward
// data and backward weights each cost as much as the forward pass. The step runs D forward three
// times (real, detached fake, fake for G), D backward three times (weights each time; data except
// into the real and detached inputs), G forward once and G backward once (no gradient for z).
double training_step_flops(const dcgan::DcganConfig& c, int64_t n) {
  // The spatial side each layer's count is read at: the generator's input, the discriminator's output.
  const std::vector<int64_t> g_sides = c.image_size == 28 ? std::vector<int64_t>{1, 4, 7, 14} : std::vector<int64_t>{1, 4, 8, 16, 32};
  const std::vector<int64_t> d_sides = c.image_size == 28 ? std::vector<int64_t>{14, 7, 3, 1} : std::vector<int64_t>{32, 16, 8, 4, 1};
  const auto g_layers = dcgan::generator_layers(c), d_layers = dcgan::discriminator_layers(c);
  double generator = 0, discriminator = 0;
  for (size_t i = 0; i < g_layers.size(); ++i) generator += layer_macs(g_layers[i], n, g_sides[i]);
  for (size_t i = 0; i < d_layers.size(); ++i) discriminator += layer_macs(d_layers[i], n, d_sides[i]);
  const double g_first = layer_macs(g_layers[0], n, g_sides[0]), d_first = layer_macs(d_layers[0], n, d_sides[0]);
  return 2 * ((3 * generator - g_first) + (9 * discriminator - 2 * d_first));
}

data::Batch random_batch(const dcgan::DcganConfig& c) {
  data::Batch batch;
  batch.shape = {batch_size, c.channels, c.image_size, c.image_size};
  batch.images.resize(numel(batch.shape));
  Rng(c.seed).fill_uniform(std::span<float>(batch.images), -1.0, 1.0);
  return batch;
}

// Arguments: threads, image size (28: 1x28x28, 64: 3x64x64).
template <Backend B>
void dcgan_training_step(benchmark::State& state) {
  dcgan::DcganConfig config;
  config.batch_size = batch_size;
  config.image_size = state.range(1);
  config.channels = config.image_size == 28 ? 1 : 3;
  B::set_num_threads(static_cast<int>(state.range(0)));
  dcgan::DcganTraining<B> task(config, {});
  const data::Batch batch = random_batch(config);
  for (int i = 0; i < 3; ++i) task.step(batch);  // plans, primitive caches, allocator warm-up
  for (auto _ : state) benchmark::DoNotOptimize(task.step(batch));
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(batch_size), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(training_step_flops(config, batch_size) / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = static_cast<double>(state.range(0));
  state.counters["image_size"] = static_cast<double>(config.image_size);
}

}  // namespace

BENCHMARK(dcgan_training_step<OneDnn>)
    ->Name("dcgan_step/onednn")
    ->ArgsProduct({{1, 2}, {28, 64}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5.0)
    ->UseRealTime();
#ifdef GENLAB_WITH_LIBTORCH
BENCHMARK(dcgan_training_step<LibTorch>)
    ->Name("dcgan_step/libtorch")
    ->ArgsProduct({{1, 2}, {28, 64}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(5.0)
    ->UseRealTime();
#endif

BENCHMARK_MAIN();
