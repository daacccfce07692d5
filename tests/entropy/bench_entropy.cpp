// Encode and decode throughput of genlab's rANS coder against a CompressAI-style coder
// (reference_coder.hpp: linear CDF search, per-symbol table lookups, a division per encoded
// symbol), on the Gaussian-conditional latents of a 768x512 image (196608 symbols), for three
// spreads of the predicted scales. Both coders read and write the same streams; the setup checks
// that they decode identical values before timing. tests/bench/run-entropy prints the table of
// docs/entropy.md.
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "genlab/entropy/gaussian_tables.hpp"
#include "genlab/entropy/rans.hpp"
#include "tests/entropy/reference_coder.hpp"
#include "tests/entropy/sample_latents.hpp"

using namespace genlab;
using namespace genlab::entropy;

namespace {

// Scale spreads: sigma log-uniform in [0.11, high]. 256 spreads the latents evenly over the
// whole scale table; 16 and 2 are the lower-rate regimes where most latents are near zero.
constexpr double spreads[] = {256.0, 16.0, 2.0};

struct Workload {
  CdfTables tables;
  testing::ReferenceTables reference;
  testing::CodedLatents latents;
  std::vector<uint8_t> stream;
};

const Workload& workload(int64_t spread) {
  static std::map<int64_t, Workload> cache;
  auto it = cache.find(spread);
  if (it == cache.end()) {
    Workload w;
    w.tables = gaussian_tables(default_scale_table());
    w.reference = testing::reference_tables(w.tables);
    w.latents = testing::gaussian_latents(testing::image_768x512_latents, 0.11, spreads[spread], 42, default_scale_table());
    RansEncoder encoder;
    encoder.encode(w.latents.symbols, w.latents.indexes, w.tables);
    w.stream = encoder.finish();
    it = cache.emplace(spread, std::move(w)).first;
  }
  return it->second;
}

void report(benchmark::State& state, const Workload& w) {
  const auto symbols = static_cast<double>(w.latents.symbols.size());
  const auto bytes = static_cast<double>(w.stream.size());
  state.counters["symbols/s"] = benchmark::Counter(symbols, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(bytes / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bits/symbol"] = 8 * bytes / symbols;
  state.counters["sigma_max"] = spreads[state.range(0)];
}

// Decodes with both coders once and refuses to time them unless both give the encoded symbols.
bool outputs_identical(benchmark::State& state, const Workload& w) {
  RansDecoder decoder(w.stream);
  std::vector<int32_t> ours(w.latents.symbols.size());
  decoder.decode(ours, w.latents.indexes, w.tables);
  decoder.finish();
  if (ours != w.latents.symbols || testing::reference_decode(w.stream, w.latents.indexes, w.reference) != ours) {
    state.SkipWithError("the decoders disagree");
    return false;
  }
  return true;
}

void encode_genlab(benchmark::State& state) {
  const Workload& w = workload(state.range(0));
  for (auto _ : state) {
    RansEncoder encoder;
    encoder.encode(w.latents.symbols, w.latents.indexes, w.tables);
    auto stream = encoder.finish();
    benchmark::DoNotOptimize(stream.data());
  }
  report(state, w);
}

void encode_reference(benchmark::State& state) {
  const Workload& w = workload(state.range(0));
  if (testing::reference_encode(w.latents.symbols, w.latents.indexes, w.reference) != w.stream) {
    state.SkipWithError("the encoders disagree");
    return;
  }
  for (auto _ : state) {
    auto stream = testing::reference_encode(w.latents.symbols, w.latents.indexes, w.reference);
    benchmark::DoNotOptimize(stream.data());
  }
  report(state, w);
}

void decode_genlab(benchmark::State& state) {
  const Workload& w = workload(state.range(0));
  if (!outputs_identical(state, w)) return;
  std::vector<int32_t> values(w.latents.symbols.size());
  for (auto _ : state) {
    RansDecoder decoder(w.stream);
    decoder.decode(values, w.latents.indexes, w.tables);
    decoder.finish();
    benchmark::DoNotOptimize(values.data());
  }
  report(state, w);
}

void decode_reference(benchmark::State& state) {
  const Workload& w = workload(state.range(0));
  if (!outputs_identical(state, w)) return;
  for (auto _ : state) {
    auto values = testing::reference_decode(w.stream, w.latents.indexes, w.reference);
    benchmark::DoNotOptimize(values.data());
  }
  report(state, w);
}

}  // namespace

BENCHMARK(encode_genlab)->Name("encode/genlab")->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(encode_reference)->Name("encode/reference")->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(decode_genlab)->Name("decode/genlab")->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(decode_reference)->Name("decode/reference")->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->MinTime(1.0);

BENCHMARK_MAIN();
