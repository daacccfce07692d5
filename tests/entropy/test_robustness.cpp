// Bad input never crashes or hangs the reader or the decoder: every truncation point of a valid
// container and of its streams, and a few thousand random mutations, give a genlab error or a
// valid decode. Built with AddressSanitizer and UndefinedBehaviorSanitizer (see CMakeLists.txt),
// which turn any out-of-bounds access, overflow or invalid shift into a failure.
#include <catch2/catch.hpp>

#include "genlab/core/rng.hpp"
#include "tests/entropy/robustness_inputs.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

enum class Outcome { decoded, rejected };

Outcome parse_and_decode(std::span<const uint8_t> bytes) {
  try {
    const auto b = entropy::parse_bitstream(bytes, "mutated.glc");
    for (const auto& s : b.streams) decode_robustness_stream(s);
    return Outcome::decoded;
  } catch (const Error&) {
    return Outcome::rejected;
  }
}

Outcome decode_stream(std::span<const uint8_t> stream) {
  try {
    decode_robustness_stream(stream);
    return Outcome::decoded;
  } catch (const Error&) {
    return Outcome::rejected;
  }
}

// One random edit: flip a bit, set a byte, insert or delete a run, or copy a run elsewhere.
std::vector<uint8_t> mutate(std::vector<uint8_t> bytes, Rng& rng) {
  const int edits = 1 + static_cast<int>(rng.below(4));
  for (int e = 0; e < edits; ++e) {
    const size_t at = bytes.empty() ? 0 : rng.below(bytes.size());
    switch (rng.below(5)) {
      case 0:
        if (!bytes.empty()) bytes[at] ^= static_cast<uint8_t>(1u << rng.below(8));
        break;
      case 1:
        if (!bytes.empty()) bytes[at] = static_cast<uint8_t>(rng.below(256));
        break;
      case 2: {
        const size_t n = 1 + rng.below(16);
        std::vector<uint8_t> run(n);
        for (auto& b : run) b = static_cast<uint8_t>(rng.below(256));
        bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), run.begin(), run.end());
        break;
      }
      case 3: {
        const size_t n = std::min<size_t>(1 + rng.below(16), bytes.size() - at);
        bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
        break;
      }
      default: {
        if (bytes.size() < 8) break;
        const size_t from = rng.below(bytes.size() - 4), to = rng.below(bytes.size() - 4);
        std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(from), 4, bytes.begin() + static_cast<std::ptrdiff_t>(to));
      }
    }
  }
  return bytes;
}

}  // namespace

TEST_CASE("every truncation of a container or of a stream is rejected") {
  const auto container = entropy::serialize(robustness_bitstream(1));
  REQUIRE(parse_and_decode(container) == Outcome::decoded);
  for (size_t cut = 0; cut < container.size(); ++cut)
    REQUIRE(parse_and_decode(std::span(container).first(cut)) == Outcome::rejected);

  const auto stream = robustness_stream(2000, 7);
  REQUIRE(decode_stream(stream) == Outcome::decoded);
  for (size_t cut = 0; cut < stream.size(); ++cut) REQUIRE(decode_stream(std::span(stream).first(cut)) == Outcome::rejected);
}

TEST_CASE("thousands of random mutations of containers and streams give an error or a valid decode") {
  Rng rng(12345);
  const auto container = entropy::serialize(robustness_bitstream(2));
  const auto stream = robustness_stream(1500, 3);
  int containers_changed = 0, container_rejected = 0, stream_rejected = 0, stream_decoded = 0;
  constexpr int mutations = 3000;
  for (int i = 0; i < mutations; ++i) {
    // The container's checks and checksum reject every mutation before any stream is decoded...
    const auto damaged_container = mutate(container, rng);
    if (damaged_container != container) {
      ++containers_changed;
      if (parse_and_decode(damaged_container) == Outcome::rejected) ++container_rejected;
    }
    // ...so the decoder also gets mutated streams directly (count and rANS words alike).
    (decode_stream(mutate(stream, rng)) == Outcome::rejected ? stream_rejected : stream_decoded)++;
  }
  INFO(container_rejected << " containers rejected; streams: " << stream_rejected << " rejected, " << stream_decoded
                          << " decoded");
  CHECK(containers_changed > mutations * 9 / 10);
  CHECK(container_rejected == containers_changed);
  // Every outcome is acceptable for a stream; what matters is that none crashed. Most damaged
  // streams are caught by the end-of-stream check.
  CHECK(stream_rejected > mutations * 9 / 10);
}
