#pragma once
// A straightforward rANS coder written the way CompressAI's is (compressai/cpp_exts/rans/
// rans_interface.cpp, RansEncoder::encode_with_indexes and RansDecoder::decode_with_indexes, over
// ryg_rans' rans64.h): the tables as vectors of vectors, the row, its size and offset looked up per
// symbol, a linear search of the CDF for each decoded symbol, and a division per encoded symbol.
// It reads the same streams genlab writes; the tests check that both coders agree byte for byte
// and value for value, and the benchmark measures genlab's coder against it. Like CompressAI's, it
// trusts its input: use it on valid streams only.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "genlab/entropy/cdf_tables.hpp"

namespace genlab::testing {

struct ReferenceTables {
  std::vector<std::vector<int32_t>> cdfs;
  std::vector<int32_t> cdf_sizes;
  std::vector<int32_t> offsets;
};

inline ReferenceTables reference_tables(const entropy::CdfTables& tables) {
  ReferenceTables t;
  for (size_t r = 0; r < tables.size(); ++r) {
    const auto cdf = tables.cdf(r);
    t.cdfs.emplace_back(cdf.begin(), cdf.end());
    t.cdf_sizes.push_back(static_cast<int32_t>(cdf.size()));
    t.offsets.push_back(tables.offset(r));
  }
  return t;
}

namespace reference {

constexpr uint64_t rans64_l = uint64_t{1} << 31;
constexpr int precision = 16;
constexpr int bypass_precision = 4;
constexpr int32_t max_bypass_val = (1 << bypass_precision) - 1;

struct RansSymbol {
  uint16_t start;
  uint16_t range;
  bool bypass;
};

inline void enc_put(uint64_t* r, uint32_t** pptr, uint32_t start, uint32_t freq) {
  uint64_t x = *r;
  const uint64_t x_max = ((rans64_l >> precision) << 32) * freq;
  if (x >= x_max) {
    *pptr -= 1;
    **pptr = static_cast<uint32_t>(x);
    x >>= 32;
  }
  *r = ((x / freq) << precision) + (x % freq) + start;
}

inline void enc_put_bits(uint64_t* r, uint32_t** pptr, uint32_t val, uint32_t nbits) {
  uint64_t x = *r;
  const uint32_t freq = 1u << (precision - nbits);
  const uint64_t x_max = ((rans64_l >> precision) << 32) * freq;
  if (x >= x_max) {
    *pptr -= 1;
    **pptr = static_cast<uint32_t>(x);
    x >>= 32;
  }
  *r = (x << nbits) | val;
}

inline uint32_t dec_get(const uint64_t* r) { return static_cast<uint32_t>(*r & ((1u << precision) - 1)); }

inline void dec_advance(uint64_t* r, uint32_t** pptr, uint32_t start, uint32_t freq) {
  const uint64_t mask = (1ull << precision) - 1;
  uint64_t x = *r;
  x = freq * (x >> precision) + (x & mask) - start;
  if (x < rans64_l) {
    x = (x << 32) | **pptr;
    *pptr += 1;
  }
  *r = x;
}

inline uint32_t dec_get_bits(uint64_t* r, uint32_t** pptr, uint32_t n_bits) {
  uint64_t x = *r;
  const uint32_t val = x & ((1u << n_bits) - 1);
  x = x >> n_bits;
  if (x < rans64_l) {
    x = (x << 32) | **pptr;
    *pptr += 1;
  }
  *r = x;
  return val;
}

}  // namespace reference

inline std::vector<uint8_t> reference_encode(const std::vector<int32_t>& symbols, const std::vector<int32_t>& indexes,
                                             const ReferenceTables& t) {
  using namespace reference;
  std::vector<RansSymbol> syms;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const int32_t cdf_idx = indexes[i];
    const auto& cdf = t.cdfs[cdf_idx];
    const int32_t max_value = t.cdf_sizes[cdf_idx] - 2;
    int32_t value = symbols[i] - t.offsets[cdf_idx];
    uint32_t raw_val = 0;
    if (value < 0) {
      raw_val = -2 * value - 1;
      value = max_value;
    } else if (value >= max_value) {
      raw_val = 2 * (value - max_value);
      value = max_value;
    }
    syms.push_back({static_cast<uint16_t>(cdf[value]), static_cast<uint16_t>(cdf[value + 1] - cdf[value]), false});
    if (value == max_value) {
      int32_t n_bypass = 0;
      while ((raw_val >> (n_bypass * bypass_precision)) != 0) ++n_bypass;
      int32_t val = n_bypass;
      while (val >= max_bypass_val) {
        syms.push_back({max_bypass_val, max_bypass_val + 1, true});
        val -= max_bypass_val;
      }
      syms.push_back({static_cast<uint16_t>(val), static_cast<uint16_t>(val + 1), true});
      for (int32_t j = 0; j < n_bypass; ++j) {
        const int32_t v = (raw_val >> (j * bypass_precision)) & max_bypass_val;
        syms.push_back({static_cast<uint16_t>(v), static_cast<uint16_t>(v + 1), true});
      }
    }
  }
  uint64_t rans = rans64_l;
  std::vector<uint32_t> output(syms.size() + 2, 0xCC);
  uint32_t* ptr = output.data() + output.size();
  while (!syms.empty()) {
    const RansSymbol sym = syms.back();
    if (!sym.bypass)
      enc_put(&rans, &ptr, sym.start, sym.range);
    else
      enc_put_bits(&rans, &ptr, sym.start, bypass_precision);
    syms.pop_back();
  }
  ptr -= 2;
  ptr[0] = static_cast<uint32_t>(rans);
  ptr[1] = static_cast<uint32_t>(rans >> 32);
  const size_t words = output.data() + output.size() - ptr;
  std::vector<uint8_t> bytes(4 * words);
  std::memcpy(bytes.data(), ptr, bytes.size());  // little-endian hosts, as CompressAI assumes
  return bytes;
}

inline std::vector<int32_t> reference_decode(const std::vector<uint8_t>& stream, const std::vector<int32_t>& indexes,
                                             const ReferenceTables& t) {
  using namespace reference;
  std::vector<uint32_t> words(stream.size() / 4);
  std::memcpy(words.data(), stream.data(), 4 * words.size());
  uint32_t* ptr = words.data();
  uint64_t rans = uint64_t{ptr[0]} | uint64_t{ptr[1]} << 32;
  ptr += 2;
  std::vector<int32_t> output(indexes.size());
  for (size_t i = 0; i < indexes.size(); ++i) {
    const int32_t cdf_idx = indexes[i];
    const auto& cdf = t.cdfs[cdf_idx];
    const int32_t max_value = t.cdf_sizes[cdf_idx] - 2;
    const int32_t offset = t.offsets[cdf_idx];
    const uint32_t cum_freq = dec_get(&rans);
    const auto cdf_end = cdf.begin() + t.cdf_sizes[cdf_idx];
    const auto it = std::find_if(cdf.begin(), cdf_end, [cum_freq](int v) { return static_cast<uint32_t>(v) > cum_freq; });
    const uint32_t s = static_cast<uint32_t>(std::distance(cdf.begin(), it) - 1);
    dec_advance(&rans, &ptr, cdf[s], cdf[s + 1] - cdf[s]);
    int32_t value = static_cast<int32_t>(s);
    if (value == max_value) {
      int32_t val = dec_get_bits(&rans, &ptr, bypass_precision);
      int32_t n_bypass = val;
      while (val == max_bypass_val) {
        val = dec_get_bits(&rans, &ptr, bypass_precision);
        n_bypass += val;
      }
      int32_t raw_val = 0;
      for (int j = 0; j < n_bypass; ++j) {
        val = dec_get_bits(&rans, &ptr, bypass_precision);
        raw_val |= val << (j * bypass_precision);
      }
      value = raw_val >> 1;
      if (raw_val & 1)
        value = -value - 1;
      else
        value += max_value;
    }
    output[i] = value + offset;
  }
  return output;
}

}  // namespace genlab::testing
