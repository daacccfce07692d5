// Compressing and decompressing one 768x512 photograph with the `lab` codec, per backend and
// thread count, whole and split into its three parts:
//
//   networks         the analysis (encoder side) or the synthesis (decoder side), on the backend;
//   parameter path   the hyper-synthesis and ELIC's context and parameter networks in the exact
//                    host convolutions (coding_path.hpp), which both sides run, here with plain
//                    rounding in place of the coder;
//   rANS             encoding or decoding the latents' symbols with their tables, replayed pass by
//                    pass in the coding order.
//
// The weights are the lab preset's seeded initialisation, or a trained run's when
// GENLAB_BENCH_CODEC names its run file (the rANS share depends on the latents' statistics);
// the image is photo-like (tests/models/codec_fixtures.hpp), or GENLAB_BENCH_IMAGE cropped to
// 768x512. tests/bench/run-codec prints the table of docs/performance.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <memory>

#include "backends/onednn/onednn_backend.hpp"
#include "genlab/data/photo_crops.hpp"
#include "genlab/entropy/gaussian_tables.hpp"
#include "genlab/entropy/rans.hpp"
#include "genlab/train/checkpoint.hpp"
#include "genlab/train/run.hpp"
#include "models/codec/image_coder.hpp"
#include "tests/models/codec_fixtures.hpp"
#ifdef GENLAB_WITH_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
#endif

using namespace genlab;
namespace exact = genlab::entropy::exact;

namespace {

constexpr int bench_width = 768, bench_height = 512;
constexpr double megapixels = bench_width * bench_height / 1e6;

io::Image bench_image() {
  const char* path = std::getenv("GENLAB_BENCH_IMAGE");
  if (!path) return testing::photo_like(bench_width, bench_height, 3, 7);
  const io::Image image = io::convert_channels(io::read_image(path), 3);
  if (image.width < bench_width || image.height < bench_height)
    throw Error(std::string("GENLAB_BENCH_IMAGE: ") + path + " is smaller than 768x512");
  io::Image crop{bench_width, bench_height, 3, {}};
  for (int y = 0; y < bench_height; ++y) {
    const uint8_t* row = image.pixels.data() + (static_cast<size_t>(y) * image.width) * 3;
    crop.pixels.insert(crop.pixels.end(), row, row + bench_width * 3);
  }
  return crop;
}

template <Backend B>
std::unique_ptr<codec::Codec<B>> bench_model() {
  codec::CodecConfig config;
  std::optional<train::TrainedRun> run;
  if (const char* path = std::getenv("GENLAB_BENCH_CODEC")) {
    run = train::read_trained_run(path, "codec", "codec");
    config = config::from_attributes<codec::CodecConfig>(run->config);
  }
  config = config.resolved();
  Rng rng(config.seed);
  auto model = std::make_unique<codec::Codec<B>>(codec::architecture_of(config), rng, TensorOptions{});
  if (run) nn::load_state_dict(*model, train::group(run->checkpoint, "codec"));
  return model;
}

template <Backend B>
exact::FeatureMap host_map(const Tensor<B>& t) {
  exact::FeatureMap m(t.size(1), t.size(2), t.size(3));
  m.values = t.to_host();
  return m;
}

// One model, coder and image per backend, built on first use.
template <Backend B>
struct Fixture {
  io::Image image = bench_image();
  std::unique_ptr<codec::Codec<B>> model = bench_model<B>();
  codec::ImageCoder<B> coder{*model, 1};
  Tensor<B> x = ops::from_host<B>(std::span<const float>(data::to_batch(image).images),
                                  {1, 3, bench_height, bench_width}, TensorOptions{});
  codec::ImageCoder<B>::Encoded encoded = coder.encode(image);
  entropy::Bitstream file = coder.compress(image);

  static Fixture& get() {
    static Fixture fixture;
    return fixture;
  }
};

void finish(benchmark::State& state, const char* part) {
  state.counters["MP/s"] = benchmark::Counter(megapixels, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = static_cast<double>(state.range(0));
  state.SetLabel(part);
}

template <Backend B>
void compress(benchmark::State& state) {
  B::set_num_threads(static_cast<int>(state.range(0)));
  auto& f = Fixture<B>::get();
  const codec::ImageCoder<B> coder(*f.model, static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(entropy::serialize(coder.compress(f.image)));
  finish(state, "compress");
}

template <Backend B>
void decompress(benchmark::State& state) {
  B::set_num_threads(static_cast<int>(state.range(0)));
  auto& f = Fixture<B>::get();
  const codec::ImageCoder<B> coder(*f.model, static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const entropy::Bitstream file = entropy::parse_bitstream(entropy::serialize(f.file), "bench");
    benchmark::DoNotOptimize(coder.decompress(file, "bench"));
  }
  finish(state, "decompress");
}

template <Backend B>
void analysis(benchmark::State& state) {
  B::set_num_threads(static_cast<int>(state.range(0)));
  auto& f = Fixture<B>::get();
  NoGradGuard<B> no_grad;
  for (auto _ : state) {
    const Tensor<B> y = f.model->analysis(f.x);
    benchmark::DoNotOptimize(host_map(f.model->hyper_analysis(y)).values.data());
  }
  finish(state, "networks: analysis and hyper-analysis");
}

template <Backend B>
void synthesis(benchmark::State& state) {
  B::set_num_threads(static_cast<int>(state.range(0)));
  auto& f = Fixture<B>::get();
  const exact::FeatureMap& y_hat = f.encoded.latents.y_hat;
  for (auto _ : state)
    benchmark::DoNotOptimize(f.coder.synthesize(y_hat, bench_height, bench_width, 3).pixels.data());
  finish(state, "networks: synthesis");
}

// The exact path of one side: psi from z_hat, then every pass's means and scales, each pass
// answered with the values the encoder rounded (what the decoder reconstructs).
template <Backend B>
void parameter_path(benchmark::State& state) {
  auto& f = Fixture<B>::get();
  const codec::CodingPath path(codec::coding_path_weights(*f.model), static_cast<int>(state.range(0)));
  const exact::FeatureMap& y_hat = f.encoded.latents.y_hat;
  for (auto _ : state) {
    const exact::FeatureMap psi = path.hyper_parameters(f.encoded.latents.z_hat);
    benchmark::DoNotOptimize(path.run(psi, [&](const codec::PassParameters& p) {
      std::vector<float> values(p.means.size());
      for (size_t i = 0; i < values.size(); ++i)
        values[i] = y_hat.channel(p.first_channel + static_cast<int64_t>(i / p.positions.size()))[p.positions[i % p.positions.size()]];
      return values;
    }).values.data());
  }
  finish(state, "entropy-parameter path (exact, host)");
}

// The latents' symbols and table rows, pass by pass in coding order, for replaying the coder.
struct Pass {
  int64_t group = 0;
  std::vector<int32_t> symbols, indexes;
};

template <Backend B>
std::vector<Pass> recorded_passes(Fixture<B>& f) {
  std::vector<Pass> passes;
  const exact::FeatureMap& y_hat = f.encoded.latents.y_hat;
  const auto& tables = f.coder.tables();
  f.coder.path().run(f.coder.path().hyper_parameters(f.encoded.latents.z_hat), [&](const codec::PassParameters& p) {
    Pass pass{p.group, {}, entropy::scale_indexes(p.scales, tables.scale_table)};
    std::vector<float> values(p.means.size());
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = y_hat.channel(p.first_channel + static_cast<int64_t>(i / p.positions.size()))[p.positions[i % p.positions.size()]];
      pass.symbols.push_back(static_cast<int32_t>(std::lround(values[i] - p.means[i])));
    }
    passes.push_back(std::move(pass));
    return values;
  });
  return passes;
}

std::vector<std::vector<uint8_t>> rans_streams(const std::vector<Pass>& passes, const codec::CoderTables& tables,
                                               size_t groups) {
  std::vector<entropy::RansEncoder> encoders(groups);
  for (const Pass& p : passes) encoders[p.group].encode(p.symbols, p.indexes, tables.gaussian);
  std::vector<std::vector<uint8_t>> streams;
  for (auto& encoder : encoders) streams.push_back(encoder.finish());
  return streams;
}

template <Backend B>
void rans_encode(benchmark::State& state) {
  auto& f = Fixture<B>::get();
  const std::vector<Pass> passes = recorded_passes(f);
  const size_t groups = f.coder.path().weights().groups.size();
  for (auto _ : state) benchmark::DoNotOptimize(rans_streams(passes, f.coder.tables(), groups));
  finish(state, "rANS: encode y");
}

template <Backend B>
void rans_decode(benchmark::State& state) {
  auto& f = Fixture<B>::get();
  const std::vector<Pass> passes = recorded_passes(f);
  const size_t groups = f.coder.path().weights().groups.size();
  const auto streams = rans_streams(passes, f.coder.tables(), groups);
  for (auto _ : state) {
    std::vector<entropy::RansDecoder> decoders;
    for (const auto& stream : streams) decoders.emplace_back(stream);
    for (const Pass& p : passes) {
      std::vector<int32_t> symbols(p.symbols.size());
      decoders[p.group].decode(symbols, p.indexes, f.coder.tables().gaussian);
      benchmark::DoNotOptimize(symbols.data());
    }
    for (const auto& decoder : decoders) decoder.finish();
  }
  finish(state, "rANS: decode y");
}

}  // namespace

#define GENLAB_CODEC_BENCH(function, backend, name)                                 \
  BENCHMARK(function<backend>)                                                      \
      ->Name("codec_" #function "/" name)                                           \
      ->ArgsProduct({{1, 2}})                                                       \
      ->Unit(benchmark::kMillisecond)                                               \
      ->MinTime(2.0)                                                                \
      ->UseRealTime();

#define GENLAB_CODEC_BENCHES(backend, name)           \
  GENLAB_CODEC_BENCH(compress, backend, name)         \
  GENLAB_CODEC_BENCH(decompress, backend, name)       \
  GENLAB_CODEC_BENCH(analysis, backend, name)         \
  GENLAB_CODEC_BENCH(synthesis, backend, name)

GENLAB_CODEC_BENCHES(OneDnn, "onednn")
#ifdef GENLAB_WITH_LIBTORCH
GENLAB_CODEC_BENCHES(LibTorch, "libtorch")
#endif
// Host code: the same on every backend.
GENLAB_CODEC_BENCH(parameter_path, OneDnn, "host")
GENLAB_CODEC_BENCH(rans_encode, OneDnn, "host")
GENLAB_CODEC_BENCH(rans_decode, OneDnn, "host")

BENCHMARK_MAIN();
