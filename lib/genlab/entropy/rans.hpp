#pragma once
// The rANS coder: integers under CdfTables rows to a byte stream and back.
//
// Stream format (CompressAI's rANS stream, byte order fixed): 32-bit little-endian words; the first
// two hold the final encoder state (low word first), the rest the renormalisation words in the
// order the decoder reads them. The encoder starts from the state L = 2^31, so a decoder that has
// read every symbol is back at L with every word consumed: RansDecoder::finish() checks both, which
// catches almost every corrupt stream, and decodes with other tables or another symbol count.
//
// Encoding is last-in first-out, so RansEncoder queues symbols and writes them in reverse in
// finish(); the decoder then reads them in the order they were queued. Decoding can stop after any
// symbol and continue later (a context model decodes one group of latents, runs a network to get
// the next group's tables, then decodes on).
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "genlab/entropy/cdf_tables.hpp"

namespace genlab::entropy {

class RansEncoder {
 public:
  // Queues values[i] under row indexes[i] of `tables`; the tables are kept alive until finish().
  // A value outside its row's range is escaped (coded exactly, at a cost of 4 bits per 4-bit
  // chunk). Throws genlab::Error for sizes that differ, an index that is not a row, or a value
  // beyond +-2^30.
  void encode(std::span<const int32_t> values, std::span<const int32_t> indexes, const CdfTables& tables);

  // The stream of every value queued since construction or the previous finish(); the encoder is
  // then empty again.
  std::vector<uint8_t> finish();

  size_t queued_symbols() const { return queue_.size(); }

 private:
  // One symbol of the queue: a table symbol, or (symbol == nullptr) 4 raw bits.
  struct Queued {
    const rans64::EncoderSymbol* symbol;
    uint32_t raw_bits;
  };
  std::vector<Queued> queue_;
  std::vector<std::shared_ptr<const void>> tables_in_use_;
};

class RansDecoder {
 public:
  // Takes a copy of the stream. Throws genlab::IoError unless it is a whole number of 32-bit words,
  // at least two, starting with a valid state.
  explicit RansDecoder(std::span<const uint8_t> stream);

  // Decodes the next values.size() values, values[i] under row indexes[i]. Throws
  // genlab::IoError when the stream runs out or an escaped value is malformed (a damaged or
  // truncated stream, or one decoded with other tables), and genlab::Error for an index that is
  // not a row. After an error the decoder refuses further calls.
  void decode(std::span<int32_t> values, std::span<const int32_t> indexes, const CdfTables& tables);

  // Throws genlab::IoError unless the stream was read to its end and the state is back where the
  // encoder started: the symbols read are exactly the symbols written.
  void finish() const;

  size_t bytes_remaining() const { return 4 * (words_.size() - position_); }

 private:
  [[noreturn]] void fail_truncated(size_t symbol);
  uint32_t get_bits(uint64_t& x, const uint32_t*& word, size_t symbol);
  int32_t decode_escaped(uint64_t& x, const uint32_t*& word, const CdfTables::Row& row, size_t symbol);

  std::vector<uint32_t> words_;
  size_t position_ = 0;
  uint64_t state_ = 0;
  bool failed_ = false;
};

}  // namespace genlab::entropy
