// libFuzzer target for the bitstream container and the rANS decoder (scripts/fuzz-entropy runs it).
// The input is read as a container whose streams are then decoded, and, since random bytes rarely
// pass the container's checksum, also directly as one stream (a symbol count and rANS words; see
// robustness_inputs.hpp). Any genlab::Error is a correct
// answer to bad input; a crash, a sanitizer report, a leak or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tests/entropy/robustness_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  try {
    const auto bitstream = genlab::entropy::parse_bitstream(input, "fuzz input");
    for (const auto& stream : bitstream.streams) genlab::testing::decode_robustness_stream(stream);
  } catch (const genlab::Error&) {
  }
  try {
    genlab::testing::decode_robustness_stream(input);
  } catch (const genlab::Error&) {
  }
  return 0;
}
