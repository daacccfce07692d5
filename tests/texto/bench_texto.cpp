// Texto's speed: synthesis at 1280x768 with 4 scales from a learned model, learning (time per
// scale at the default 100000 iterations), and the biased nearest-neighbour search alone, per
// instruction set and thread count, in GFLOP/s. tests/bench/run-texto prints the tables.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <map>
#include <string>

#include "genlab/core/rng.hpp"
#include "genlab/ot/biased_nearest_neighbour.hpp"
#include "models/texto/texto.hpp"
#include "tests/texto/synthetic_textures.hpp"

using namespace genlab;

namespace {

// A 512x512 exemplar, learned once per channel count with the default settings.
const texto::TextoModel& model(int64_t channels) {
  static std::map<int64_t, texto::TextoModel> models;
  if (!models.count(channels))
    models[channels] = texto::learn(testing::scattered_squares(channels, 512, 512, 1), {}, 0, "squares");
  return models[channels];
}

// Arguments: channels, threads.
void synthesis(benchmark::State& state) {
  const int64_t channels = state.range(0);
  omp_set_num_threads(static_cast<int>(state.range(1)));
  const texto::TextoModel& m = model(channels);
  uint64_t seed = 0;
  for (auto _ : state) benchmark::DoNotOptimize(texto::synthesise(m, 1280, 768, ++seed));
  state.SetLabel(channels == 1 ? "grey" : "RGB");
}

// Arguments: channels. One learning per iteration; each scale's time as a counter.
void learning(benchmark::State& state) {
  const int64_t channels = state.range(0);
  const ot::FloatImage exemplar = testing::scattered_squares(channels, 512, 512, 1);
  std::vector<texto::ScaleLearning> report;
  for (auto _ : state) {
    report.clear();
    benchmark::DoNotOptimize(texto::learn(exemplar, {}, 0, "squares", {.report = &report}));
  }
  for (const auto& scale : report) {
    state.counters["scale" + std::to_string(scale.scale) + "_s"] = scale.seconds;
    state.counters["scale" + std::to_string(scale.scale) + "_sgd_s"] = scale.sgd_seconds;
  }
  state.SetLabel(channels == 1 ? "grey" : "RGB");
}

// Arguments: instruction set (index into supported_isas), threads, channels. All 3x3 patches of a
// 1280x768 image against J = 1000 targets: the finest scale of a 1280x768 synthesis.
void search(benchmark::State& state) {
  const auto isas = ot::supported_isas();
  if (state.range(0) >= static_cast<int64_t>(isas.size())) {
    state.SkipWithError("instruction set not supported by this CPU");
    return;
  }
  const ot::Isa isa = isas[state.range(0)];
  omp_set_num_threads(static_cast<int>(state.range(1)));
  const int64_t channels = state.range(2), J = 1000, D = 9 * channels;
  Rng rng(1);
  ot::FloatImage image(channels, 768, 1280);
  rng.fill_uniform(image.values, 0.0, 1.0);
  std::vector<float> y(static_cast<size_t>(J * D));
  rng.fill_uniform(y, 0.0, 1.0);
  const ot::BiasedTargets targets(y, D);
  std::vector<int32_t> index(static_cast<size_t>(766 * 1278));
  for (auto _ : state) {
    ot::biased_nearest_neighbour(image, 3, targets, index, {}, isa);
    benchmark::DoNotOptimize(index.data());
  }
  const double flops = 2.0 * static_cast<double>(index.size()) * J * D;
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(ot::to_string(isa) + (channels == 1 ? " grey" : " RGB"));
}

}  // namespace

BENCHMARK(synthesis)->ArgsProduct({{3, 1}, {2, 1}})->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(learning)->Arg(3)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(search)->ArgsProduct({{0, 1, 2}, {1, 2}, {3, 1}})->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

BENCHMARK_MAIN();
