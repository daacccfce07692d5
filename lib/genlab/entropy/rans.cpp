#include "genlab/entropy/rans.hpp"

#include <string>

#include "genlab/core/error.hpp"

namespace genlab::entropy {

namespace {

using namespace rans64;

[[noreturn]] void bad_index(int32_t index, size_t position, size_t rows, const char* op) {
  throw Error(std::string(op) + ": index " + std::to_string(index) + " at position " + std::to_string(position) +
              " is not a row of the " + std::to_string(rows) + " CDF tables");
}

[[noreturn]] void corrupt(const std::string& what) {
  throw IoError("corrupt entropy-coded stream: " + what + " (damaged or truncated data, or decoded with other tables)");
}

void check_sizes(size_t values, size_t indexes, const char* op) {
  if (values != indexes)
    throw Error(std::string(op) + ": " + std::to_string(values) + " values but " + std::to_string(indexes) +
                " table indexes");
}

}  // namespace

void RansEncoder::encode(std::span<const int32_t> values, std::span<const int32_t> indexes, const CdfTables& tables) {
  check_sizes(values.size(), indexes.size(), "RansEncoder::encode");
  if (values.empty()) return;
  if (tables_in_use_.empty() || tables_in_use_.back() != tables.data_) tables_in_use_.push_back(tables.data_);
  const size_t rows = tables.size();
  queue_.reserve(queue_.size() + values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const int32_t index = indexes[i];
    if (index < 0 || static_cast<size_t>(index) >= rows) bad_index(index, i, rows, "RansEncoder::encode");
    const int32_t value = values[i];
    if (value > max_value_magnitude || value < -max_value_magnitude)
      throw Error("RansEncoder::encode: value " + std::to_string(value) + " at position " + std::to_string(i) +
                  " is beyond +-2^30, the range the coder accepts");
    const CdfTables::Row& row = tables.row(static_cast<size_t>(index));
    const int64_t v = static_cast<int64_t>(value) - row.offset;
    if (v >= 0 && v < row.escape) {
      queue_.push_back({row.symbols + v, 0});
      continue;
    }
    queue_.push_back({row.symbols + row.escape, 0});
    const uint32_t raw = escaped_raw(v, row.escape);
    const uint32_t chunks = raw_chunk_count(raw);
    uint32_t count = chunks;
    for (; count >= bypass_max; count -= bypass_max) queue_.push_back({nullptr, bypass_max});
    queue_.push_back({nullptr, count});
    for (uint32_t j = 0; j < chunks; ++j) queue_.push_back({nullptr, (raw >> (j * bypass_bits)) & bypass_max});
  }
}

std::vector<uint8_t> RansEncoder::finish() {
  // Each symbol writes at most one word; two more hold the final state.
  std::vector<uint32_t> words(queue_.size() + 2);
  uint32_t* const end = words.data() + words.size();
  uint32_t* out = end;
  uint64_t x = state_lower_bound;
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
    if (it->symbol)
      put_symbol(x, out, *it->symbol);
    else
      put_bits(x, out, it->raw_bits, bypass_bits);
  }
  *--out = static_cast<uint32_t>(x >> 32);
  *--out = static_cast<uint32_t>(x);

  std::vector<uint8_t> bytes(4 * static_cast<size_t>(end - out));
  uint8_t* b = bytes.data();
  for (const uint32_t* w = out; w != end; ++w, b += 4) {
    b[0] = static_cast<uint8_t>(*w);
    b[1] = static_cast<uint8_t>(*w >> 8);
    b[2] = static_cast<uint8_t>(*w >> 16);
    b[3] = static_cast<uint8_t>(*w >> 24);
  }
  queue_.clear();
  tables_in_use_.clear();
  return bytes;
}

RansDecoder::RansDecoder(std::span<const uint8_t> stream) {
  if (stream.size() % 4 != 0 || stream.size() < 8)
    corrupt("it is " + std::to_string(stream.size()) + " bytes long, not a whole number of 32-bit words, at least two");
  words_.resize(stream.size() / 4);
  for (size_t i = 0; i < words_.size(); ++i) {
    const uint8_t* b = stream.data() + 4 * i;
    words_[i] = uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
  }
  state_ = uint64_t{words_[0]} | uint64_t{words_[1]} << 32;
  position_ = 2;
  // Every state the encoder can end in lies in [L, L 2^32).
  if (state_ < state_lower_bound || state_ >= (state_lower_bound << 32))
    corrupt("its initial state " + std::to_string(state_) + " is outside [2^31, 2^63)");
}

void RansDecoder::fail_truncated(size_t symbol) {
  failed_ = true;
  corrupt("it ends after " + std::to_string(4 * words_.size()) + " bytes, in the middle of value " +
          std::to_string(symbol) + " of this call");
}

uint32_t RansDecoder::get_bits(uint64_t& x, const uint32_t*& word, size_t symbol) {
  const auto value = static_cast<uint32_t>(x & bypass_max);
  x >>= bypass_bits;
  if (x < state_lower_bound) {
    if (word == words_.data() + words_.size()) fail_truncated(symbol);
    x = (x << 32) | *word++;
  }
  return value;
}

int32_t RansDecoder::decode_escaped(uint64_t& x, const uint32_t*& word, const CdfTables::Row& row, size_t symbol) {
  const uint32_t chunks = get_bits(x, word, symbol);
  // A value the encoder accepted has at most 8 chunks, so a count of 9 or more (including the
  // continuation value 15) only comes from damaged data.
  if (chunks > max_raw_chunks) {
    failed_ = true;
    corrupt("escaped value " + std::to_string(symbol) + " claims " + std::to_string(chunks) +
            " 4-bit chunks, more than the 8 of any 32-bit value");
  }
  uint32_t raw = 0;
  for (uint32_t j = 0; j < chunks; ++j) raw |= get_bits(x, word, symbol) << (j * bypass_bits);
  const int64_t value = unescaped_index(raw, row.escape) + row.offset;
  if (value > max_value_magnitude || value < -max_value_magnitude) {
    failed_ = true;
    corrupt("escaped value " + std::to_string(symbol) + " decodes to " + std::to_string(value) +
            ", beyond the +-2^30 any encoder writes");
  }
  return static_cast<int32_t>(value);
}

void RansDecoder::decode(std::span<int32_t> values, std::span<const int32_t> indexes, const CdfTables& tables) {
  check_sizes(values.size(), indexes.size(), "RansDecoder::decode");
  if (failed_) throw IoError("RansDecoder::decode: the stream already failed to decode");
  const size_t rows = tables.size();
  const CdfTables::Row* const row_of = rows ? &tables.row(0) : nullptr;
  const uint32_t* word = words_.data() + position_;
  const uint32_t* const end = words_.data() + words_.size();
  uint64_t x = state_;
  for (size_t i = 0; i < values.size(); ++i) {
    const int32_t index = indexes[i];
    if (index < 0 || static_cast<size_t>(index) >= rows) [[unlikely]] {
      failed_ = true;
      bad_index(index, i, rows, "RansDecoder::decode");
    }
    const CdfTables::Row& row = row_of[index];
    const auto slot = static_cast<uint32_t>(x & slot_mask);
    const uint64_t entry = row.lookup[slot >> row.lookup_shift];
    uint32_t symbol = static_cast<uint32_t>(entry >> 32) & 0xFFFF;
    uint32_t start = static_cast<uint32_t>(entry) & 0xFFFF, count = static_cast<uint32_t>(entry >> 16) & 0xFFFF;
    if (const auto last = static_cast<uint32_t>(entry >> 48); symbol != last) [[unlikely]] {
      // The symbol s with cdf[s] <= slot < cdf[s + 1] lies in [symbol, last].
      uint32_t high = last;
      while (symbol < high) {
        const uint32_t middle = (symbol + high + 1) >> 1;
        if (row.cdf[middle] <= slot)
          symbol = middle;
        else
          high = middle - 1;
      }
      start = row.cdf[symbol];
      count = row.cdf[symbol + 1] - start;
    }
    x = advance(x, start, count);
    if (x < state_lower_bound) {
      if (word == end) [[unlikely]] fail_truncated(i);
      x = (x << 32) | *word++;
    }
    if (symbol != row.escape) [[likely]] {
      values[i] = static_cast<int32_t>(symbol) + row.offset;
    } else {
      values[i] = decode_escaped(x, word, row, i);
    }
  }
  state_ = x;
  position_ = static_cast<size_t>(word - words_.data());
}

void RansDecoder::finish() const {
  if (failed_) throw IoError("RansDecoder::finish: the stream already failed to decode");
  if (position_ != words_.size())
    corrupt(std::to_string(bytes_remaining()) + " of its " + std::to_string(4 * words_.size()) +
            " bytes were not read by the values decoded");
  if (state_ != state_lower_bound)
    corrupt("its final state " + std::to_string(state_) + " is not the encoder's initial state 2^31");
}

}  // namespace genlab::entropy
