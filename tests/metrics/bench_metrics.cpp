// Throughput of the metrics (docs/metrics.md, Performance): FID of 10,000 x 2048 features
// (statistics and distance, distance alone, and the singular route), KID with 100 subsets of
// 1000, precision/recall, and MS-SSIM on batches of 256 x 256 images on each backend.
//
//   bench_metrics [--features=DIR] [benchmark flags]
//
// Each FID benchmark runs one computation per repetition; tests/bench/run-metrics asks for 4
// repetitions and keeps the best, as it does for the reference.
//
// With --features, the two feature sets are read from DIR/real.f32 and DIR/fake.f32 (10,000 x 2048
// float32, row-major, as tests/bench/fid_reference.py writes them), so the FID can be compared with
// the reference's value; otherwise they are drawn from genlab::Rng. tests/bench/run-metrics runs both.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/features/domain_classifier.hpp"
#include "genlab/features/inception.hpp"
#include "genlab/metrics/frechet_distance.hpp"
#include "genlab/metrics/kernel_inception_distance.hpp"
#include "genlab/metrics/ms_ssim.hpp"
#include "genlab/metrics/precision_recall.hpp"

using namespace genlab;
using namespace genlab::metrics;

namespace {

constexpr int64_t samples = 10000, dimensions = 2048;
std::string features_directory;

struct FeatureSets {
  std::vector<float> real, fake;
};

std::vector<float> read_features(const std::string& path) {
  std::vector<float> values(samples * dimensions);
  std::ifstream file(path, std::ios::binary);
  file.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!file) throw std::runtime_error("cannot read " + path + " (10000 x 2048 float32)");
  return values;
}

// Loaded once, shared by the benchmarks.
const FeatureSets& feature_sets() {
  static const FeatureSets sets = [] {
    FeatureSets s;
    if (!features_directory.empty()) {
      s.real = read_features(features_directory + "/real.f32");
      s.fake = read_features(features_directory + "/fake.f32");
    } else {
      Rng rng(1);
      s.real.resize(samples * dimensions);
      s.fake.resize(samples * dimensions);
      rng.fill_normal(s.real);
      rng.fill_normal(s.fake, 0.1, 1.1);
    }
    return s;
  }();
  return sets;
}

FeatureMatrix real_features(int64_t rows = samples) {
  return FeatureMatrix(std::span<const float>(feature_sets().real.data(), rows * dimensions), rows, dimensions);
}
FeatureMatrix fake_features(int64_t rows = samples) {
  return FeatureMatrix(std::span<const float>(feature_sets().fake.data(), rows * dimensions), rows, dimensions);
}

void fid_statistics_and_distance(benchmark::State& state) {
  const FeatureMatrix real = real_features(), fake = fake_features();
  double fid = 0;
  for (auto _ : state) fid = frechet_distance(feature_statistics(real), feature_statistics(fake));
  state.counters["fid"] = fid;
}
BENCHMARK(fid_statistics_and_distance)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void fid_distance(benchmark::State& state) {
  const FeatureStatistics real = feature_statistics(real_features()), fake = feature_statistics(fake_features());
  FrechetDistanceTerms terms;
  for (auto _ : state) terms = frechet_distance_terms(real, fake);
  state.counters["fid"] = terms.value();
  state.SetLabel(to_string(terms.route));
}
BENCHMARK(fid_distance)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// 1000 samples in 2048 dimensions: rank-deficient covariances, the singular route.
void fid_distance_rank_deficient(benchmark::State& state) {
  const FeatureStatistics real = feature_statistics(real_features(1000)),
                          fake = feature_statistics(fake_features(1000));
  FrechetDistanceTerms terms;
  for (auto _ : state) terms = frechet_distance_terms(real, fake);
  state.counters["fid"] = terms.value();
  state.SetLabel(to_string(terms.route));
}
BENCHMARK(fid_distance_rank_deficient)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void kid_100_subsets_of_1000(benchmark::State& state) {
  const FeatureMatrix real = real_features(), fake = fake_features();
  MeanAndStd kid;
  for (auto _ : state) kid = kernel_inception_distance(real, fake);
  state.counters["kid"] = kid.mean;
  state.counters["subsets/s"] =
      benchmark::Counter(100.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(kid_100_subsets_of_1000)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void precision_recall_10000(benchmark::State& state) {
  const FeatureMatrix real = real_features(), fake = fake_features();
  PrecisionRecall pr;
  for (auto _ : state) pr = precision_recall(real, fake);
  state.counters["precision"] = pr.precision;
  state.counters["recall"] = pr.recall;
}
BENCHMARK(precision_recall_10000)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// MS-SSIM of a batch of 3 x 256 x 256 images and a noisy copy, forward only, in float32.
template <Backend B>
void ms_ssim_256(benchmark::State& state) {
  B::set_num_threads(0);
  const int64_t batch = state.range(0);
  const Shape shape{batch, 3, 256, 256};
  Rng rng(2);
  const Tensor<B> x = ops::rand<B>(shape, rng, 0.0, 1.0);
  const Tensor<B> y = ops::clamp(x + 0.1 * ops::randn<B>(shape, rng), 0.0, 1.0);
  NoGradGuard<B> no_grad;
  double score = 0;
  for (auto _ : state) score = ops::mean(ms_ssim(x, y, 1.0)).item();
  state.counters["ms_ssim"] = score;
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(batch * state.iterations()), benchmark::Counter::kIsRate);
  state.SetLabel(std::string(B::name));
}
BENCHMARK_TEMPLATE(ms_ssim_256, OneDnn)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(ms_ssim_256, LibTorch)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

// Feature extraction, forward only in float32: the classifier on batches of 500 28x28 grey images
// and the FID Inception-v3 on batches of 16 299x299 RGB images (random weights: the time does not
// depend on their values).
template <Backend B, class Network, class Features>
void feature_throughput(benchmark::State& state, const Shape& shape, Features features) {
  B::set_num_threads(static_cast<int>(state.range(0)));
  Rng rng(4);
  Network net(rng);
  nn::set_training(net, false);
  const Tensor<B> images = ops::rand<B>(shape, rng, -1.0, 1.0);
  NoGradGuard<B> no_grad;
  for (int i = 0; i < 2; ++i) benchmark::DoNotOptimize(features(net(images)).to_host());
  for (auto _ : state) benchmark::DoNotOptimize(features(net(images)).to_host());
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(shape[0] * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["threads"] = static_cast<double>(state.range(0));
  state.SetLabel(std::string(B::name));
}
template <Backend B>
void classifier_features(benchmark::State& state) {
  feature_throughput<B, features::DomainClassifier<B>>(state, {500, 1, 28, 28}, [](const auto& out) { return out.features; });
}
template <Backend B>
void inception_features(benchmark::State& state) {
  feature_throughput<B, features::FidInceptionV3<B>>(state, {16, 3, 299, 299}, [](const auto& out) { return out.pool; });
}
BENCHMARK_TEMPLATE(classifier_features, OneDnn)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(classifier_features, LibTorch)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(inception_features, OneDnn)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();
BENCHMARK_TEMPLATE(inception_features, LibTorch)->Arg(2)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> arguments;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--features=", 11) == 0)
      features_directory = argv[i] + 11;
    else
      arguments.push_back(argv[i]);
  }
  int count = static_cast<int>(arguments.size());
  benchmark::Initialize(&count, arguments.data());
  if (benchmark::ReportUnrecognizedArguments(count, arguments.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
