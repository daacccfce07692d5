// One training step of the `lab` codec (batch 8 of 128x128 crops: the forward pass with noised and
// rounded latents, the semantic distortion on VGG16's first stage, the backward pass, gradient
// clipping, AdamW and the quantiles' Adam) per backend, variant and thread count. Compare with
// codec_step_reference.py, the same network, loss and optimisers in PyTorch, through
// tests/bench/run-codec-step.
#include <benchmark/benchmark.h>

#include "backends/onednn/onednn_backend.hpp"
#include "models/codec/training.hpp"
#include "tests/models/codec_fixtures.hpp"
#ifdef GENLAB_WITH_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
#endif

using namespace genlab;

namespace {

const char* const variants[] = {"L0", "L2"};

// Photo-like training images, larger than a crop; the step does not depend on their content.
const data::PhotoSet& bench_photos() {
  static const data::PhotoSet photos = [] {
    data::PhotoSet set;
    for (int i = 0; i < 4; ++i) set.images.push_back(testing::photo_like(320, 288, 3, 40 + i));
    return set;
  }();
  return photos;
}

// Arguments: threads, variant (0 L0, 1 L2).
template <Backend B>
void codec_training_step(benchmark::State& state) {
  codec::CodecConfig config;
  config.variant = variants[state.range(1)];
  config = config.resolved();
  B::set_num_threads(static_cast<int>(state.range(0)));
  codec::CodecTraining<B> task(config, {}, bench_photos(), nullptr);
  const data::PhotoCropSampler sampler(bench_photos(), config.batch_size, config.crop, Rng(0));
  const data::Batch batch = sampler.batch(0, 0);
  for (int i = 0; i < 2; ++i) task.step(batch);  // plans, primitive caches, allocator warm-up
  for (auto _ : state) benchmark::DoNotOptimize(task.step(batch));
  state.counters["crops/s"] =
      benchmark::Counter(static_cast<double>(config.batch_size), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = static_cast<double>(state.range(0));
  state.SetLabel(config.variant);
}

}  // namespace

#define GENLAB_CODEC_STEP_BENCH(backend, name) \
  BENCHMARK(codec_training_step<backend>)      \
      ->Name("codec_step/" name)                \
      ->ArgsProduct({{1, 2}, {0, 1}})           \
      ->Unit(benchmark::kMillisecond)           \
      ->MinTime(8.0)                            \
      ->UseRealTime();

GENLAB_CODEC_STEP_BENCH(OneDnn, "onednn")
#ifdef GENLAB_WITH_LIBTORCH
GENLAB_CODEC_STEP_BENCH(LibTorch, "libtorch")
#endif

BENCHMARK_MAIN();
