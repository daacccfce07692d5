#pragma once
// CRC-32 as in zlib, PNG and gzip (ISO 3309 / ITU-T V.42: reflected polynomial 0xEDB88320, initial
// value and final xor 0xFFFFFFFF); crc32("123456789") = 0xCBF43926.
#include <cstdint>
#include <span>

namespace genlab::entropy {

uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace genlab::entropy
