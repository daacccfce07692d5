// The rANS coder: exact round trips under many distributions, a size close to the ideal code
// length, deterministic bytes, decoding in steps, agreement with a CompressAI-style coder, and
// errors for streams that do not match what is decoded.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <thread>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/entropy/gaussian_tables.hpp"
#include "genlab/entropy/rans.hpp"
#include "tests/entropy/reference_coder.hpp"
#include "tests/entropy/sample_latents.hpp"

using namespace genlab;
using namespace genlab::entropy;

namespace {

// A single-row table from an unnormalised pmf.
CdfTables one_row(const std::vector<double>& weights, int32_t offset, double tail_mass = 1e-9) {
  double total = tail_mass;
  for (double w : weights) total += w;
  std::vector<double> pmf;
  for (double w : weights) pmf.push_back(w / total);
  return CdfTables({{quantize_cdf(pmf, tail_mass / total), offset}});
}

// Values drawn from a table row's own quantised distribution, so the code length is meaningful.
std::vector<int32_t> sample_row(const CdfTables& tables, size_t row, size_t count, Rng& rng) {
  const auto cdf = tables.cdf(row);
  std::vector<int32_t> values(count);
  for (auto& v : values) {
    const auto slot = static_cast<uint32_t>(rng.below(65536));
    size_t s = 0;
    while (cdf[s + 1] <= slot) ++s;
    // The escape symbol stands for values outside the range: pick one just beyond it.
    v = s + 1 < cdf.size() - 1 ? static_cast<int32_t>(s) + tables.offset(row)
                               : tables.offset(row) + static_cast<int32_t>(tables.pmf_length(row)) + 3;
  }
  return values;
}

struct Case {
  std::string name;
  CdfTables tables;
  std::vector<int32_t> values, indexes;
};

std::vector<Case> distributions() {
  Rng rng(2024);
  std::vector<Case> cases;
  auto single_row_case = [&](std::string name, CdfTables tables, size_t count) {
    Case c{std::move(name), tables, sample_row(tables, 0, count, rng), std::vector<int32_t>(count, 0)};
    cases.push_back(std::move(c));
  };
  const auto gaussian = gaussian_tables(default_scale_table());
  // Narrow and wide Gaussians: the first and last rows of the scale table.
  single_row_case("narrow (sigma 0.11)", CdfTables({{std::vector<uint32_t>(gaussian.cdf(0).begin(), gaussian.cdf(0).end()),
                                                     gaussian.offset(0)}}),
                  5000);
  single_row_case("wide (sigma 256)", CdfTables({{std::vector<uint32_t>(gaussian.cdf(63).begin(), gaussian.cdf(63).end()),
                                                  gaussian.offset(63)}}),
                  5000);
  // Skewed: geometric, and one symbol holding almost all the mass.
  std::vector<double> geometric(40);
  for (size_t k = 0; k < geometric.size(); ++k) geometric[k] = std::pow(0.6, static_cast<double>(k));
  single_row_case("skewed (geometric 0.6^k)", one_row(geometric, 3), 5000);
  std::vector<double> spike(9, 1e-7);
  spike[4] = 1.0;
  single_row_case("one dominant symbol", one_row(spike, -4), 5000);
  // The longest row: 65535 symbols and the escape, every count 1.
  single_row_case("uniform over 65535 symbols", one_row(std::vector<double>(max_pmf_length, 1.0), -30000), 3000);
  single_row_case("a one-symbol pmf", one_row({1.0}, 7), 2000);

  // Mixed rows, symbol by symbol, with Gaussian latents over the whole scale table.
  const auto latents = testing::gaussian_latents(20000, 0.11, 256.0, 5, default_scale_table());
  cases.push_back({"Gaussian latents, every scale", gaussian, latents.symbols, latents.indexes});

  // Out of range: far tails, the extremes the coder accepts, and values just past each end.
  std::vector<int32_t> outliers{1000000, -1000000, 2, -2, 1, -1, 0, 17, -17, 255, 256, -256, 65535, 65536, -65537,
                                123456789, -123456789};
  for (int i = 0; i < 2000; ++i) outliers.push_back(static_cast<int32_t>(rng.below(2000001)) - 1000000);
  cases.push_back({"out-of-range values (escapes)", gaussian, outliers, std::vector<int32_t>(outliers.size(), 0)});

  const std::vector<int32_t> extremes{max_value_magnitude, -max_value_magnitude, max_value_magnitude - 1, 0};
  cases.push_back({"the extremes +-2^30", gaussian, extremes, {0, 63, 31, 0}});
  cases.push_back({"empty input", gaussian, {}, {}});
  cases.push_back({"one symbol", gaussian, {-3}, {10}});
  return cases;
}

std::vector<int32_t> decode_all(const std::vector<uint8_t>& stream, const std::vector<int32_t>& indexes,
                                const CdfTables& tables) {
  RansDecoder decoder(stream);
  std::vector<int32_t> values(indexes.size());
  decoder.decode(values, indexes, tables);
  decoder.finish();
  return values;
}

std::vector<uint8_t> encode_all(const std::vector<int32_t>& values, const std::vector<int32_t>& indexes,
                                const CdfTables& tables) {
  RansEncoder encoder;
  encoder.encode(values, indexes, tables);
  return encoder.finish();
}

}  // namespace

TEST_CASE("rANS decodes exactly what it encoded, under narrow, wide, skewed and escaped distributions") {
  for (const auto& c : distributions()) {
    INFO(c.name);
    const auto stream = encode_all(c.values, c.indexes, c.tables);
    CHECK(stream.size() % 4 == 0);
    CHECK(decode_all(stream, c.indexes, c.tables) == c.values);
  }
}

TEST_CASE("the coded size is within 0.5 % + 16 bytes of sum -log2 p under the quantised tables") {
  for (const auto& c : distributions()) {
    double ideal_bits = 0;
    for (size_t i = 0; i < c.values.size(); ++i) ideal_bits += c.tables.code_length(c.indexes[i], c.values[i]);
    const double ideal_bytes = ideal_bits / 8;
    const auto bytes = static_cast<double>(encode_all(c.values, c.indexes, c.tables).size());
    INFO(c.name << ": " << bytes << " bytes coded, " << ideal_bytes << " ideal");
    CHECK(bytes <= ideal_bytes * 1.005 + 16);
    // rANS cannot beat the entropy bound by more than its renormalisation slack.
    CHECK(bytes >= ideal_bytes * 0.995 - 16);
  }
}

TEST_CASE("the same symbols give the same bytes, from separate encoders and concurrent threads") {
  const auto tables = gaussian_tables(default_scale_table());
  const auto latents = testing::gaussian_latents(30000, 0.11, 40.0, 9, default_scale_table());
  const auto first = encode_all(latents.symbols, latents.indexes, tables);
  CHECK(encode_all(latents.symbols, latents.indexes, tables) == first);
  std::vector<uint8_t> a, b;
  std::thread ta([&] { a = encode_all(latents.symbols, latents.indexes, tables); });
  std::thread tb([&] { b = encode_all(latents.symbols, latents.indexes, gaussian_tables(default_scale_table())); });
  ta.join();
  tb.join();
  CHECK(a == first);
  CHECK(b == first);
}

TEST_CASE("one stream decodes in steps of any size, each step with its own tables") {
  const auto gaussian = gaussian_tables(default_scale_table());
  std::vector<double> geometric(12);
  for (size_t k = 0; k < geometric.size(); ++k) geometric[k] = std::pow(0.5, static_cast<double>(k));
  const auto skewed = one_row(geometric, 0);
  const auto part1 = testing::gaussian_latents(3000, 0.11, 30.0, 1, default_scale_table());
  Rng rng(4);
  const auto part2 = sample_row(skewed, 0, 1000, rng);
  const std::vector<int32_t> zeros(part2.size(), 0);

  RansEncoder encoder;
  encoder.encode(part1.symbols, part1.indexes, gaussian);
  encoder.encode(part2, zeros, skewed);
  const auto stream = encoder.finish();

  for (const size_t step : {size_t{1}, size_t{7}, size_t{1000}, size_t{3000}}) {
    INFO("step " << step);
    RansDecoder decoder(stream);
    std::vector<int32_t> decoded(part1.symbols.size());
    for (size_t start = 0; start < decoded.size(); start += step) {
      const size_t n = std::min(step, decoded.size() - start);
      decoder.decode(std::span(decoded).subspan(start, n), std::span(part1.indexes).subspan(start, n), gaussian);
    }
    CHECK(decoded == part1.symbols);
    std::vector<int32_t> rest(part2.size());
    decoder.decode(rest, zeros, skewed);
    CHECK(rest == part2);
    CHECK_NOTHROW(decoder.finish());
  }
}

TEST_CASE("the division-free encoder step equals the rANS definition for every count") {
  Rng rng(3);
  for (uint32_t count = 1; count < rans64::total_count; ++count) {
    const uint32_t start = static_cast<uint32_t>(rng.below(rans64::total_count - count + 1));
    const auto symbol = rans64::make_encoder_symbol(start, count);
    // States the step sees after renormalisation: [L, x_max) with x_max = 2^47 count, ends included.
    const uint64_t x_max = ((rans64::state_lower_bound >> rans64::precision) << 32) * count;
    for (const uint64_t x : {rans64::state_lower_bound, x_max - 1, rans64::state_lower_bound + rng.below(x_max - rans64::state_lower_bound)}) {
      uint64_t ours = x;
      uint32_t word = 0, *out = &word + 1;
      rans64::put_symbol(ours, out, symbol);
      const uint64_t definition = ((x / count) << rans64::precision) + x % count + start;
      if (ours != definition) FAIL("count " << count << ", start " << start << ", x " << x);
    }
  }
  SUCCEED();
}

TEST_CASE("genlab's coder and a CompressAI-style coder agree byte for byte and value for value") {
  for (const auto& c : distributions()) {
    INFO(c.name);
    // CompressAI's int32 arithmetic overflows on the +-2^30 extremes; compare where it is defined.
    bool moderate = true;
    for (int32_t v : c.values) moderate = moderate && std::abs(v) < (1 << 29);
    if (!moderate) continue;
    const auto reference = testing::reference_tables(c.tables);
    const auto stream = encode_all(c.values, c.indexes, c.tables);
    CHECK(testing::reference_encode(c.values, c.indexes, reference) == stream);
    CHECK(testing::reference_decode(stream, c.indexes, reference) == c.values);
  }
}

TEST_CASE("decoding more or fewer values than were written, or with other tables, is an error") {
  const auto tables = gaussian_tables(default_scale_table());
  const auto latents = testing::gaussian_latents(500, 0.5, 20.0, 8, default_scale_table());
  const auto stream = encode_all(latents.symbols, latents.indexes, tables);

  SECTION("fewer") {
    RansDecoder decoder(stream);
    std::vector<int32_t> values(400);
    decoder.decode(values, std::span(latents.indexes).first(400), tables);
    CHECK_THROWS_WITH(decoder.finish(), Catch::Contains("were not read by the values decoded"));
  }
  SECTION("more") {
    std::vector<int32_t> indexes = latents.indexes;
    indexes.resize(5000, 63);
    std::vector<int32_t> values(indexes.size());
    RansDecoder decoder(stream);
    CHECK_THROWS_AS(decoder.decode(values, indexes, tables), IoError);
    CHECK_THROWS_WITH(decoder.decode(values, indexes, tables), Catch::Contains("already failed"));
  }
  SECTION("other tables") {
    // The same stream read with every index shifted: the symbols cannot all come out right, and
    // the end-of-stream check catches it.
    std::vector<int32_t> shifted = latents.indexes;
    for (auto& i : shifted) i = (i + 5) % 64;
    CHECK_THROWS_AS(decode_all(stream, shifted, tables), IoError);
  }
  SECTION("indexes and sizes") {
    RansDecoder decoder(stream);
    std::vector<int32_t> values(2);
    const std::vector<int32_t> bad{0, 64};
    CHECK_THROWS_WITH(decoder.decode(values, bad, tables), Catch::Contains("index 64 at position 1 is not a row of the 64 CDF tables"));
    std::vector<int32_t> one(1);
    CHECK_THROWS_WITH(RansDecoder(stream).decode(one, bad, tables), Catch::Contains("1 values but 2 table indexes"));
  }
  SECTION("malformed streams") {
    CHECK_THROWS_WITH(RansDecoder(std::vector<uint8_t>(6, 0)), Catch::Contains("not a whole number of 32-bit words"));
    CHECK_THROWS_WITH(RansDecoder(std::vector<uint8_t>(8, 0)), Catch::Contains("initial state 0 is outside"));
  }
}

TEST_CASE("the encoder rejects values beyond +-2^30 and indexes outside the tables") {
  const auto tables = gaussian_tables(default_scale_table());
  RansEncoder encoder;
  const std::vector<int32_t> too_large{max_value_magnitude + 1}, index{0};
  CHECK_THROWS_WITH(encoder.encode(too_large, index, tables), Catch::Contains("beyond +-2^30"));
  const std::vector<int32_t> value{0}, bad_index{-1};
  CHECK_THROWS_WITH(encoder.encode(value, bad_index, tables), Catch::Contains("index -1 at position 0"));
}
