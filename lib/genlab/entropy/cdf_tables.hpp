#pragma once
// Quantised CDF tables: the probability model the rANS coder reads.
//
// A row describes one distribution over the integers offset, offset + 1, ..., offset + n - 1 (its
// pmf of length n) plus an escape symbol for every value outside that range (CompressAI's format):
// cdf has n + 2 entries, starts at 0, ends at 2^16, and is strictly increasing, so every symbol
// (the escape included) has a non-zero count and any integer can be coded. A value outside the
// range is coded as the escape symbol followed by the value in raw bits (see rans.hpp).
//
// CdfTables holds the rows with what the coder needs precomputed: each symbol's division-free
// encoder form, and for the decoder a small lookup table per row that maps the high bits of a slot
// to the symbols it can fall in, so finding a symbol is one lookup (and, for the few slots whose
// bucket holds several symbols, a binary search among them) rather than a linear scan of the CDF.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "genlab/entropy/rans64.hpp"

namespace genlab::entropy {

// The largest pmf length a row may have: every symbol, the escape included, needs one of the 2^16 counts.
inline constexpr uint32_t max_pmf_length = rans64::total_count - 1;
// Values (and row offsets) the coder accepts are within +-2^30 (offsets +-2^24), so that the raw
// form of an escaped value fits in 32 bits, eight 4-bit chunks.
inline constexpr int32_t max_value_magnitude = int32_t{1} << 30;
inline constexpr int32_t max_offset_magnitude = int32_t{1} << 24;

// The quantised CDF of `pmf` followed by an escape symbol of probability `tail_mass`
// (CompressAI's pmf_to_quantized_cdf): counts round(p 2^16), rescaled (floor) so that they add up
// to 2^16 with the remainder on the escape symbol; then every zero count takes one count from the
// symbol with the smallest count above one (the first such symbol on ties). Returns pmf.size() + 2
// entries. Throws genlab::Error for a negative or non-finite probability, a pmf longer than
// max_pmf_length, or probabilities that are all zero.
std::vector<uint32_t> quantize_cdf(std::span<const double> pmf, double tail_mass);

struct CdfRow {
  std::vector<uint32_t> cdf;  // pmf length + 2 entries: 0, ..., 2^16
  int32_t offset = 0;         // the value coded as symbol 0
};

class CdfTables {
 public:
  // What the coder's inner loops read about one row.
  struct Row {
    // Per bucket of 2^lookup_shift slots: the first and last symbol whose intervals meet the
    // bucket, and the first one's start and count, packed as
    // start | count << 16 | first << 32 | last << 48. One load decodes a slot whose bucket holds
    // a single symbol, the common case; otherwise a binary search over [first, last] in `cdf`.
    const uint64_t* lookup;
    const uint32_t* cdf;
    const rans64::EncoderSymbol* symbols;
    int32_t offset;
    uint32_t escape;  // the escape symbol's index: the pmf length
    uint32_t lookup_shift;
  };

  CdfTables() = default;
  // Checks every row (starts at 0, ends at 2^16, strictly increasing, at least one symbol besides
  // the escape, |offset| <= 2^24) and throws genlab::Error naming the row and entry otherwise.
  explicit CdfTables(std::vector<CdfRow> rows);

  size_t size() const { return data_ ? data_->rows.size() : 0; }
  bool empty() const { return size() == 0; }
  const Row& row(size_t index) const { return data_->rows[index]; }
  std::span<const uint32_t> cdf(size_t index) const;
  int32_t offset(size_t index) const { return row(index).offset; }
  uint32_t pmf_length(size_t index) const { return row(index).escape; }

  // The number of bits the coder spends on `value` under row `index`, ignoring the rANS stream's
  // constant overhead: -log2(count / 2^16), plus 4 bits per raw chunk of an escaped value.
  double code_length(size_t index, int32_t value) const;

  // Whether two sets of tables are identical, entry for entry.
  bool operator==(const CdfTables& other) const;

 private:
  friend class RansEncoder;

  struct Data {
    std::vector<uint32_t> cdf;  // all rows, concatenated
    std::vector<uint64_t> lookup;
    std::vector<rans64::EncoderSymbol> symbols;
    std::vector<Row> rows;  // pointers into the vectors above, which never reallocate afterwards
  };
  std::shared_ptr<const Data> data_;
};

}  // namespace genlab::entropy
