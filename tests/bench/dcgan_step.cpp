// One DCGAN training step (batch 64, both networks: forward, backward, Adam) per backend and
// thread count. Compare with dcgan_step_reference.py through tests/bench/run-dcgan-step.
#include <benchmark/benchmark.h>

#include "backends/onednn/onednn_backend.hpp"
#include "models/dcgan/training.hpp"
#ifdef GENLAB_WITH_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
#endif

using namespace genlab;

namespace {

constexpr int64_t batch_size = 64;

// Multiply-accumulates of the convolutions in one training step. Per layer: backward data and
// backward weights each cost as much as the forward pass. The step runs D forward three times
// (real, detached fake, fake for G), D backward three times (weights each time; data except into
// the real and detached inputs), G forward once and G backward once (no gradient for z).
double training_step_flops(const dcgan::DcganConfig& c, int64_t n) {
  const double w = static_cast<double>(c.width), z = static_cast<double>(c.latent_dim), N = static_cast<double>(n);
  // Transposed convolutions: N * Cin * Hin * Win * Cout * kh * kw.
  const double g1 = N * z * 1 * 1 * 4 * w * 16, g2 = N * 4 * w * 4 * 4 * 2 * w * 9, g3 = N * 2 * w * 7 * 7 * w * 16,
               g4 = N * w * 14 * 14 * 1 * 16;
  // Convolutions: N * Cout * Hout * Wout * Cin * kh * kw.
  const double d1 = N * w * 14 * 14 * 1 * 16, d2 = N * 2 * w * 7 * 7 * w * 16, d3 = N * 4 * w * 3 * 3 * 2 * w * 16,
               d4 = N * 1 * 1 * 1 * 4 * w * 9;
  const double generator = g1 + g2 + g3 + g4, discriminator = d1 + d2 + d3 + d4;
  const double macs = (3 * generator - g1) + (9 * discriminator - 2 * d1);
  return 2 * macs;
}

data::Batch random_batch(const dcgan::DcganConfig& c) {
  data::Batch batch;
  batch.shape = {batch_size, 1, 28, 28};
  batch.images.resize(batch_size * 28 * 28);
  Rng(c.seed).fill_uniform(std::span<float>(batch.images), -1.0, 1.0);
  return batch;
}

template <Backend B>
void dcgan_training_step(benchmark::State& state) {
  dcgan::DcganConfig config;
  config.batch_size = batch_size;
  B::set_num_threads(static_cast<int>(state.range(0)));
  dcgan::DcganTraining<B> task(config, {});
  const data::Batch batch = random_batch(config);
  for (int i = 0; i < 3; ++i) task.step(batch);  // plans, primitive caches, allocator warm-up
  for (auto _ : state) benchmark::DoNotOptimize(task.step(batch));
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(batch_size), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] = benchmark::Counter(training_step_flops(config, batch_size) / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = static_cast<double>(state.range(0));
}

}  // namespace

BENCHMARK(dcgan_training_step<OneDnn>)->Name("dcgan_step/onednn")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(5.0)->UseRealTime();
#ifdef GENLAB_WITH_LIBTORCH
BENCHMARK(dcgan_training_step<LibTorch>)->Name("dcgan_step/libtorch")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(5.0)->UseRealTime();
#endif

BENCHMARK_MAIN();
