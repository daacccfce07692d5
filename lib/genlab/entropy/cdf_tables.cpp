#include "genlab/entropy/cdf_tables.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <set>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::entropy {

namespace {

// Decoder lookup: 2^bits buckets per row, enough that a bucket rarely holds more than one symbol
// boundary, but at most 1024 (8 KiB per row) so that the tables of a model stay in cache.
uint32_t lookup_bits(uint32_t symbols) {
  return std::clamp<uint32_t>(static_cast<uint32_t>(std::bit_width(symbols)) + 2, 4, 10);
}

std::string row_context(size_t row) { return "CDF table row " + std::to_string(row); }

void check_row(const CdfRow& r, size_t index) {
  const auto& cdf = r.cdf;
  if (cdf.size() < 3 || cdf.size() > max_pmf_length + 2)
    throw Error(row_context(index) + " has " + std::to_string(cdf.size()) + " entries; a row needs 3 to " +
                std::to_string(max_pmf_length + 2) + " (a pmf of 1 to " + std::to_string(max_pmf_length) +
                " symbols, the escape symbol, and the closing 65536)");
  if (cdf.front() != 0 || cdf.back() != rans64::total_count)
    throw Error(row_context(index) + " runs from " + std::to_string(cdf.front()) + " to " + std::to_string(cdf.back()) +
                ", not from 0 to 65536");
  for (size_t i = 1; i < cdf.size(); ++i)
    if (cdf[i] <= cdf[i - 1])
      throw Error(row_context(index) + ": entry " + std::to_string(i) + " (" + std::to_string(cdf[i]) +
                  ") is not above entry " + std::to_string(i - 1) + " (" + std::to_string(cdf[i - 1]) +
                  "); every symbol needs a non-zero count");
  if (r.offset > max_offset_magnitude || r.offset < -max_offset_magnitude)
    throw Error(row_context(index) + ": offset " + std::to_string(r.offset) + " is outside +-2^24");
}

}  // namespace

std::vector<uint32_t> quantize_cdf(std::span<const double> pmf, double tail_mass) {
  if (pmf.empty() || pmf.size() > max_pmf_length)
    throw Error("quantize_cdf: a pmf of " + std::to_string(pmf.size()) + " symbols; between 1 and " +
                std::to_string(max_pmf_length) + " fit in 16-bit counts with an escape symbol");
  const size_t symbols = pmf.size() + 1;  // the escape symbol carries the tail mass
  std::vector<uint64_t> count(symbols);
  uint64_t total = 0;
  for (size_t i = 0; i < symbols; ++i) {
    const double p = i < pmf.size() ? pmf[i] : tail_mass;
    if (!std::isfinite(p) || p < 0.0)
      throw Error("quantize_cdf: probability " + std::to_string(p) + " of symbol " + std::to_string(i) +
                  " is not a finite non-negative number");
    count[i] = static_cast<uint64_t>(std::round(std::min(p, 1.0) * rans64::total_count));
    total += count[i];
  }
  if (total == 0)
    throw Error("quantize_cdf: every probability rounds to a zero count (they add up to less than " +
                std::to_string(symbols) + " / 65536); the pmf is not normalised");

  // Rescale to 2^16 (floor); the escape symbol takes what the floors leave.
  uint64_t sum = 0;
  for (size_t i = 0; i + 1 < symbols; ++i) {
    count[i] = count[i] * rans64::total_count / total;
    sum += count[i];
  }
  count.back() = rans64::total_count - sum;

  // Zero counts, in symbol order, each take one count from the smallest count above one (the first
  // such symbol on ties), as CompressAI's frequency stealing does.
  std::set<std::pair<uint64_t, size_t>> donors;
  for (size_t i = 0; i < symbols; ++i)
    if (count[i] > 1) donors.insert({count[i], i});
  for (size_t i = 0; i < symbols; ++i) {
    if (count[i] != 0) continue;
    // symbols <= 2^16 = sum of counts, so a zero count implies a count above one somewhere.
    const auto [c, donor] = *donors.begin();
    donors.erase(donors.begin());
    count[donor] = c - 1;
    if (c - 1 > 1) donors.insert({c - 1, donor});
    count[i] = 1;
  }

  std::vector<uint32_t> cdf(symbols + 1, 0);
  for (size_t i = 0; i < symbols; ++i) cdf[i + 1] = cdf[i] + static_cast<uint32_t>(count[i]);
  return cdf;
}

CdfTables::CdfTables(std::vector<CdfRow> rows) {
  auto data = std::make_shared<Data>();
  size_t cdf_entries = 0, lookup_entries = 0, symbol_entries = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    check_row(rows[r], r);
    const auto symbols = static_cast<uint32_t>(rows[r].cdf.size() - 1);
    cdf_entries += rows[r].cdf.size();
    symbol_entries += symbols;
    lookup_entries += size_t{1} << lookup_bits(symbols);
  }
  data->cdf.reserve(cdf_entries);
  data->lookup.reserve(lookup_entries);
  data->symbols.reserve(symbol_entries);

  struct Offsets {
    size_t cdf, lookup, symbols;
    uint32_t shift;
  };
  std::vector<Offsets> offsets;
  for (const auto& r : rows) {
    const auto symbols = static_cast<uint32_t>(r.cdf.size() - 1);
    const uint32_t bits = lookup_bits(symbols);
    const uint32_t shift = rans64::precision - bits;
    offsets.push_back({data->cdf.size(), data->lookup.size(), data->symbols.size(), shift});
    data->cdf.insert(data->cdf.end(), r.cdf.begin(), r.cdf.end());
    for (uint32_t s = 0; s < symbols; ++s)
      data->symbols.push_back(rans64::make_encoder_symbol(r.cdf[s], r.cdf[s + 1] - r.cdf[s]));
    // Bucket b holds slots [b 2^shift, (b + 1) 2^shift): from the symbol holding its first slot
    // to the one holding its last.
    uint32_t first = 0;
    for (uint32_t b = 0; b < (uint32_t{1} << bits); ++b) {
      while (r.cdf[first + 1] <= (b << shift)) ++first;
      uint32_t last = first;
      while (r.cdf[last + 1] <= ((b + 1) << shift) - 1) ++last;
      const uint64_t start = r.cdf[first], count = r.cdf[first + 1] - r.cdf[first];
      data->lookup.push_back(start | count << 16 | uint64_t{first} << 32 | uint64_t{last} << 48);
    }
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& o = offsets[r];
    data->rows.push_back(Row{data->lookup.data() + o.lookup, data->cdf.data() + o.cdf, data->symbols.data() + o.symbols,
                             rows[r].offset, static_cast<uint32_t>(rows[r].cdf.size() - 2), o.shift});
  }
  data_ = std::move(data);
}

std::span<const uint32_t> CdfTables::cdf(size_t index) const {
  const Row& r = row(index);
  return {r.cdf, r.escape + 2};
}

double CdfTables::code_length(size_t index, int32_t value) const {
  const Row& r = row(index);
  const int64_t v = static_cast<int64_t>(value) - r.offset;
  auto bits_of = [&](uint32_t symbol) {
    return -std::log2(static_cast<double>(r.cdf[symbol + 1] - r.cdf[symbol]) / rans64::total_count);
  };
  if (v >= 0 && v < r.escape) return bits_of(static_cast<uint32_t>(v));
  const uint32_t chunks = rans64::raw_chunk_count(rans64::escaped_raw(v, r.escape));
  const uint32_t count_chunks = chunks / rans64::bypass_max + 1;
  return bits_of(r.escape) + rans64::bypass_bits * (count_chunks + chunks);
}

bool CdfTables::operator==(const CdfTables& other) const {
  if (size() != other.size()) return false;
  for (size_t r = 0; r < size(); ++r) {
    const auto a = cdf(r), b = other.cdf(r);
    if (offset(r) != other.offset(r) || !std::equal(a.begin(), a.end(), b.begin(), b.end())) return false;
  }
  return true;
}

}  // namespace genlab::entropy
