#pragma once
// The 64-bit rANS state machine of ryg_rans (F. Giesen, rans64.h, public domain) with CompressAI's
// bypass extension for raw bits (Rans64EncPutBits / Rans64DecGetBits), as constants and inline
// steps; RansEncoder and RansDecoder (rans.hpp) drive it.
//
// The state x lives in [L, L 2^32) with L = 2^31 and is renormalised by whole 32-bit words; symbol
// probabilities are counts out of 2^16. Encoding symbol s (start c_s, count f_s) maps x to
// (x / f_s) 2^16 + (x mod f_s) + c_s (Duda 2013, eq. for rANS); decoding inverts it from the low 16
// bits of x, the "slot".
#include <cstdint>

namespace genlab::entropy::rans64 {

inline constexpr uint64_t state_lower_bound = uint64_t{1} << 31;  // L (RANS64_L)
inline constexpr int precision = 16;                             // scale_bits: counts out of 2^16
inline constexpr uint32_t total_count = uint32_t{1} << precision;
inline constexpr uint32_t slot_mask = total_count - 1;

// A symbol prepared for encoding without a division (ryg_rans' Rans64EncSymbol): x / f becomes a
// multiplication by a 64-bit fixed-point reciprocal and a shift (Alverson 1991, "Integer division
// using reciprocals"). Built once per table entry, so the encoder's loop never divides.
struct EncoderSymbol {
  uint64_t reciprocal = 0;  // rcp_freq
  uint32_t count = 0;       // freq
  uint32_t bias = 0;        // start, or start + 2^16 - 1 for count 1
  uint32_t complement = 0;  // 2^16 - freq
  uint32_t shift = 0;       // rcp_shift
};

// Rans64EncSymbolInit; requires 0 < count and start + count <= 2^16.
constexpr EncoderSymbol make_encoder_symbol(uint32_t start, uint32_t count) {
  EncoderSymbol s;
  s.count = count;
  s.complement = total_count - count;
  if (count < 2) {
    // The reciprocal of 1 does not fit below 1.0 in fixed point; with rcp = 2^64 - 1 and shift 0,
    // q = x - 1 for x > 0, which the bias corrects (ryg_rans' comment on freq = 1).
    s.reciprocal = ~uint64_t{0};
    s.shift = 0;
    s.bias = start + total_count - 1;
  } else {
    // shift = ceil(log2(count)); reciprocal = ceil(2^(shift + 63) / count), computed as two
    // 64:64-bit divisions because the dividend has a simple form.
    uint32_t shift = 0;
    while (count > (uint32_t{1} << shift)) ++shift;
    const uint64_t x1 = uint64_t{1} << (shift + 31);
    const uint64_t t1 = x1 / count;
    const uint64_t x0 = (count - 1) + ((x1 % count) << 32);
    const uint64_t t0 = x0 / count;
    s.reciprocal = t0 + (t1 << 32);
    s.shift = shift - 1;
    s.bias = start;
  }
  return s;
}

inline uint64_t multiply_high(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
}

// Rans64EncPutSymbol: pushes one symbol onto x, writing a word below `words` first if x would
// leave [L, L 2^32). Encoding runs backwards, so `words` moves down.
inline void put_symbol(uint64_t& x, uint32_t*& words, const EncoderSymbol& s) {
  const uint64_t x_max = ((state_lower_bound >> precision) << 32) * s.count;
  if (x >= x_max) {
    *--words = static_cast<uint32_t>(x);
    x >>= 32;
  }
  const uint64_t q = multiply_high(x, s.reciprocal) >> s.shift;  // = x / count
  x += s.bias + q * s.complement;                                 // = q 2^16 + x mod count + start
}

// Rans64EncPutBits: `value` (< 2^bits) as a symbol of probability 2^-bits, which needs no table.
inline void put_bits(uint64_t& x, uint32_t*& words, uint32_t value, int bits) {
  const uint64_t x_max = ((state_lower_bound >> precision) << 32) << (precision - bits);
  if (x >= x_max) {
    *--words = static_cast<uint32_t>(x);
    x >>= 32;
  }
  x = (x << bits) | value;
}

// The decoding step of a symbol whose slot lies in [start, start + count): Rans64DecAdvance
// without its renormalisation, which the decoder does with a bounds check.
inline uint64_t advance(uint64_t x, uint32_t start, uint32_t count) {
  return count * (x >> precision) + (x & slot_mask) - start;
}

}  // namespace genlab::entropy::rans64

namespace genlab::entropy::rans64 {

// CompressAI's escape coding: a value outside a row's range is coded as the escape symbol, then
// its zig-zag "raw" form in 4-bit chunks, least significant first, preceded by the number of
// chunks (itself in chunks of 15: 15 means "15 and more follow").
inline constexpr int bypass_bits = 4;
inline constexpr uint32_t bypass_max = (uint32_t{1} << bypass_bits) - 1;
// A raw value has at most 32 bits (see max_value_magnitude in cdf_tables.hpp): eight chunks.
inline constexpr uint32_t max_raw_chunks = 32 / bypass_bits;

// The raw form of symbol index v (value - offset) outside [0, escape): v < 0 maps to -2v - 1 (odd),
// v >= escape to 2 (v - escape) (even).
inline uint32_t escaped_raw(int64_t v, uint32_t escape) {
  return static_cast<uint32_t>(v < 0 ? -2 * v - 1 : 2 * (v - static_cast<int64_t>(escape)));
}

// The symbol index a raw form stands for (the inverse of escaped_raw).
inline int64_t unescaped_index(uint32_t raw, uint32_t escape) {
  const int64_t half = raw >> 1;
  return (raw & 1) ? -half - 1 : half + escape;
}

// The number of 4-bit chunks of `raw`: 0 for 0.
inline uint32_t raw_chunk_count(uint32_t raw) {
  uint32_t chunks = 0;
  while (chunks < max_raw_chunks && (raw >> (chunks * bypass_bits)) != 0) ++chunks;
  return chunks;
}

}  // namespace genlab::entropy::rans64
