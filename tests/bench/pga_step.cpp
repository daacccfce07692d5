// One PGA training step (conv_mnist, batch 64: every term of the variant, both gradients, SGD) per
// backend, variant and thread count, with the latent terms switched on. Compare with
// pga_step_reference.py through tests/bench/run-pga-step.
#include <benchmark/benchmark.h>

#include "backends/onednn/onednn_backend.hpp"
#include "models/pga/training.hpp"
#ifdef GENLAB_WITH_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
#endif

using namespace genlab;

namespace {

const char* const variants[] = {"lpga", "vpga", "vae"};

// Arguments: threads, variant (0 lpga, 1 vpga, 2 vae).
template <Backend B>
void pga_training_step(benchmark::State& state) {
  pga::PgaConfig config;
  config.variant = variants[state.range(1)];
  config.warmup_steps = 0;
  B::set_num_threads(static_cast<int>(state.range(0)));
  pga::PgaTraining<B> task(config, {});
  data::Batch batch;
  batch.shape = {config.batch_size, 1, 28, 28};
  batch.images.resize(numel(batch.shape));
  Rng(0).fill_uniform(std::span<float>(batch.images), -1.0, 1.0);
  for (int i = 0; i < 3; ++i) task.step(batch);  // plans, primitive caches, allocator warm-up
  for (auto _ : state) benchmark::DoNotOptimize(task.step(batch));
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(config.batch_size), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = static_cast<double>(state.range(0));
  state.SetLabel(config.variant);
}

}  // namespace

BENCHMARK(pga_training_step<OneDnn>)
    ->Name("pga_step/onednn")
    ->ArgsProduct({{1, 2}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0)
    ->UseRealTime();
#ifdef GENLAB_WITH_LIBTORCH
BENCHMARK(pga_training_step<LibTorch>)
    ->Name("pga_step/libtorch")
    ->ArgsProduct({{1, 2}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0)
    ->UseRealTime();
#endif

BENCHMARK_MAIN();
