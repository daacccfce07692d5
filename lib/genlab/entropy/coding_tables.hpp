#pragma once
// The life cycle of an entropy layer's CDF tables (CompressAI's update()): built from the layer's
// parameters by update(), required by compress() and decompress().
//
// CompressAI stores its tables as buffers that may be missing ("Uninitialized CDFs, run update()
// first") or silently stale after the weights change. Here the tables remember a fingerprint of
// the values they were built from, and every compress/decompress compares it with the layer's
// current values: forgetting update(), or loading weights or taking a training step after it, is
// an error that says what to do, never wrong bits.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/entropy/cdf_tables.hpp"

namespace genlab::entropy {

// FNV-1a (64-bit) over the bit patterns of a sequence of doubles, chained through `hash`.
inline uint64_t fingerprint(std::span<const double> values, uint64_t hash = 0xcbf29ce484222325ull) {
  for (const double v : values) {
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    for (int byte = 0; byte < 8; ++byte) {
      hash ^= (bits >> (8 * byte)) & 0xFF;
      hash *= 0x100000001b3ull;
    }
  }
  return hash;
}

class CodingTables {
 public:
  void set(CdfTables tables, uint64_t fingerprint) {
    tables_ = std::move(tables);
    fingerprint_ = fingerprint;
  }

  // Whether update() ran and the layer's values are still the ones it saw.
  bool current(uint64_t fingerprint) const { return tables_ && fingerprint_ == fingerprint; }

  // The tables, if they were built from values with this fingerprint; otherwise a genlab::Error
  // naming `layer` and `op` and what to do.
  const CdfTables& require(uint64_t fingerprint, const char* layer, const char* op) const {
    if (!tables_)
      throw Error(std::string(layer) + "::" + op + ": the CDF tables are not built; call update() after training or " +
                  "loading weights, before compress() and decompress()");
    if (fingerprint_ != fingerprint)
      throw Error(std::string(layer) + "::" + op + ": the parameters changed since update() built the CDF tables " +
                  "(weights loaded, or a training step taken?); call update() again");
    return *tables_;
  }

 private:
  std::optional<CdfTables> tables_;
  uint64_t fingerprint_ = 0;
};

}  // namespace genlab::entropy
