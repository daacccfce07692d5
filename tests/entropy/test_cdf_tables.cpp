// Quantised CDF tables: the invariants the coder relies on, CompressAI's quantisation rule, the
// Gaussian conditional's tables and scale indexes, and tables that are the same bits everywhere.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/entropy/coding_tables.hpp"
#include "genlab/entropy/gaussian_tables.hpp"
#include "genlab/entropy/portable_math.hpp"

using namespace genlab;
using namespace genlab::entropy;

namespace {

// CompressAI's pmf_to_quantized_cdf (compressai/cpp_exts/ops/ops.cpp), transcribed with its
// quadratic search for the symbol to steal from; the pmf includes the tail mass as its last entry.
std::vector<uint32_t> compressai_quantized_cdf(const std::vector<double>& pmf) {
  const int precision = 16;
  std::vector<uint32_t> cdf(pmf.size() + 1);
  cdf[0] = 0;
  std::transform(pmf.begin(), pmf.end(), cdf.begin() + 1,
                 [=](double p) { return static_cast<uint32_t>(std::round(p * (1 << precision))); });
  const uint32_t total = std::accumulate(cdf.begin(), cdf.end(), 0u);
  std::transform(cdf.begin(), cdf.end(), cdf.begin(), [=](uint32_t p) {
    return static_cast<uint32_t>((static_cast<uint64_t>(1 << precision) * p) / total);
  });
  std::partial_sum(cdf.begin(), cdf.end(), cdf.begin());
  cdf.back() = 1 << precision;
  for (int i = 0; i < static_cast<int>(cdf.size() - 1); ++i) {
    if (cdf[i] == cdf[i + 1]) {
      uint32_t best_freq = ~0u;
      int best_steal = -1;
      for (int j = 0; j < static_cast<int>(cdf.size()) - 1; ++j) {
        const uint32_t freq = cdf[j + 1] - cdf[j];
        if (freq > 1 && freq < best_freq) {
          best_freq = freq;
          best_steal = j;
        }
      }
      if (best_steal < i) {
        for (int j = best_steal + 1; j <= i; ++j) cdf[j]--;
      } else {
        for (int j = i + 1; j <= best_steal; ++j) cdf[j]++;
      }
    }
  }
  return cdf;
}

// Random pmfs of every shape the models produce: smooth, spiky, with long runs of zeros.
std::vector<double> random_pmf(Rng& rng, size_t length) {
  std::vector<double> p(length);
  const int kind = static_cast<int>(rng.below(3));
  for (size_t i = 0; i < length; ++i) {
    const double u = rng.uniform();
    p[i] = kind == 0 ? u : kind == 1 ? std::pow(u, 12.0) : (u < 0.7 ? 0.0 : u);
  }
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  for (auto& v : p) v = total > 0 ? v / total : 1.0 / static_cast<double>(length);
  return p;
}

}  // namespace

TEST_CASE("a quantised CDF starts at 0, ends at 2^16 and gives every symbol a count") {
  Rng rng(1);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t length = 1 + rng.below(trial < 10 ? 60000 : 400);
    auto pmf = random_pmf(rng, length);
    const double tail = rng.uniform() < 0.5 ? 1e-9 : 0.01;
    for (auto& p : pmf) p *= 1 - tail;
    const auto cdf = quantize_cdf(pmf, tail);
    REQUIRE(cdf.size() == length + 2);
    CHECK(cdf.front() == 0);
    CHECK(cdf.back() == 65536);
    for (size_t i = 1; i < cdf.size(); ++i) REQUIRE(cdf[i] > cdf[i - 1]);
  }
}

TEST_CASE("quantisation follows CompressAI's pmf_to_quantized_cdf exactly") {
  Rng rng(2);
  for (int trial = 0; trial < 200; ++trial) {
    auto pmf = random_pmf(rng, 1 + rng.below(trial < 5 ? 5000 : 300));
    const double tail = 1e-6;
    for (auto& p : pmf) p *= 1 - tail;
    auto with_tail = pmf;
    with_tail.push_back(tail);
    REQUIRE(quantize_cdf(pmf, tail) == compressai_quantized_cdf(with_tail));
  }
}

TEST_CASE("quantize_cdf rejects pmfs that cannot be quantised, saying why") {
  CHECK_THROWS_WITH(quantize_cdf(std::vector<double>{0.5, -0.1}, 0.0), Catch::Contains("probability -0.1"));
  CHECK_THROWS_WITH(quantize_cdf(std::vector<double>{0.5, NAN}, 0.0), Catch::Contains("not a finite non-negative"));
  CHECK_THROWS_WITH(quantize_cdf(std::vector<double>{0.0, 0.0}, 0.0), Catch::Contains("every probability rounds to a zero count"));
  CHECK_THROWS_WITH(quantize_cdf(std::vector<double>{}, 1.0), Catch::Contains("a pmf of 0 symbols"));
  CHECK_THROWS_WITH(quantize_cdf(std::vector<double>(65536, 1.0 / 65536), 0.0), Catch::Contains("a pmf of 65536 symbols"));
}

TEST_CASE("CDF tables refuse malformed rows, naming the row and the entry") {
  CHECK_THROWS_WITH(CdfTables({{{0, 100, 65536}, 0}, {{0, 100, 100, 65536}, 0}}),
                    Catch::Contains("CDF table row 1: entry 2 (100) is not above entry 1 (100)"));
  CHECK_THROWS_WITH(CdfTables({{{0, 100, 65535}, 0}}), Catch::Contains("runs from 0 to 65535, not from 0 to 65536"));
  CHECK_THROWS_WITH(CdfTables({{{0, 65536}, 0}}), Catch::Contains("has 2 entries"));
  CHECK_THROWS_WITH(CdfTables({{{0, 1, 65536}, 1 << 25}}), Catch::Contains("offset 33554432 is outside"));
}

TEST_CASE("the default scale table is 64 scales log-spaced from 0.11 to 256") {
  const auto table = default_scale_table();
  REQUIRE(table.size() == 64);
  CHECK(table.front() == 0.11f);
  CHECK(table.back() == 256.f);
  for (size_t i = 1; i < table.size(); ++i)
    CHECK(std::log(table[i] / table[i - 1]) == Approx(std::log(256 / 0.11) / 63).epsilon(1e-5));
}

TEST_CASE("Gaussian tables reach ceil(6.1094 sigma) on each side, with the tail mass as the escape") {
  CHECK(gaussian_tail_multiplier(1e-9) == Approx(6.1094102048694).epsilon(1e-12));
  const auto scales = default_scale_table();
  const auto tables = gaussian_tables(scales);
  REQUIRE(tables.size() == 64);
  for (size_t i = 0; i < tables.size(); ++i) {
    const auto reach = static_cast<int32_t>(std::ceil(scales[i] * gaussian_tail_multiplier(1e-9)));
    CHECK(tables.offset(i) == -reach);
    CHECK(tables.pmf_length(i) == static_cast<uint32_t>(2 * reach + 1));
  }
  CHECK(tables.pmf_length(0) == 3);     // sigma 0.11
  CHECK(tables.pmf_length(63) == 3131);  // sigma 256: ceil(1564.009) on each side
}

TEST_CASE("Gaussian table probabilities are the discretised normal's, up to the cost of 16-bit counts") {
  const auto scales = default_scale_table();
  const auto tables = gaussian_tables(scales);
  for (size_t r = 0; r < tables.size(); ++r) {
    const auto cdf = tables.cdf(r);
    double worst_count_error = 0, divergence_bits = 0;
    for (uint32_t s = 0; s < tables.pmf_length(r); ++s) {
      const double v = std::abs(static_cast<double>(s) + tables.offset(r));
      const double p = portable::normal_cdf((0.5 - v) / scales[r]) - portable::normal_cdf((-0.5 - v) / scales[r]);
      const double count = cdf[s + 1] - cdf[s];
      worst_count_error = std::max(worst_count_error, std::abs(count - p * 65536));
      if (p > 0) divergence_bits += p * std::log2(p * 65536 / count);
    }
    INFO("row " << r << " (sigma " << scales[r] << ")");
    // The zero-count repair takes counts from the smallest counts above one, so symbols in the
    // tails of wide rows lose up to 11.8 of their about 13 counts (the worst, measured: row 42).
    CHECK(worst_count_error <= 12);
    // What that costs: the coder's excess rate over the exact pmf, D(p || q), at most 0.066 bits
    // per symbol at sigma 256 and under 0.002 bits up to sigma 5 (measured).
    CHECK(divergence_bits <= (scales[r] <= 5 ? 0.002 : 0.07));
  }
}

TEST_CASE("a scale maps to the smallest table scale at least as large") {
  const std::vector<float> table{0.5f, 1.f, 2.f, 4.f};
  const std::vector<float> scales{0.01f, 0.5f, 0.50001f, 1.f, 3.9f, 4.f, 100.f};
  CHECK(scale_indexes(scales, table) == std::vector<int32_t>{0, 0, 1, 1, 3, 3, 3});
  const std::vector<float> nan_scale{1.f, NAN};
  CHECK_THROWS_WITH(scale_indexes(nan_scale, table), Catch::Contains("the scale at position 1 is NaN"));
}

TEST_CASE("Gaussian tables are the same bits on every machine: their fingerprint is pinned") {
  // The tables come from portable float64 arithmetic only (portable_math.hpp), so this number is
  // the same on any IEEE-754 machine and compiler (checked with GCC 12 and Clang 14 at -O0 and -O3
  // -march=native, with and without contracted multiply-adds, and Clang with -ffast-math); if it
  // changes, streams written elsewhere no longer decode here.
  const auto tables = gaussian_tables(default_scale_table());
  std::vector<double> entries;
  for (size_t r = 0; r < tables.size(); ++r) {
    entries.push_back(tables.offset(r));
    for (const uint32_t c : tables.cdf(r)) entries.push_back(c);
  }
  CHECK(entries.size() == 27320);
  CHECK(fingerprint(entries) == 0xec3e842a8d388216ull);
}
