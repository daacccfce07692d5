// The fuzz target's committed seeds (tests/entropy/corpus) are valid inputs of the current formats:
// a container, a bare stream and their smallest cases. Regenerate them after a format change with
//   build/tests/entropy/test_entropy_coding "[.write-corpus]"
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "tests/entropy/robustness_inputs.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {

const std::filesystem::path corpus = std::filesystem::path(GENLAB_SOURCE_DIR) / "tests/entropy/corpus";

std::map<std::string, std::vector<uint8_t>> seeds() {
  entropy::Bitstream empty;
  empty.model = "robustness-test";
  empty.height = 1;
  empty.width = 1;
  return {{"container.glc", entropy::serialize(robustness_bitstream(1))},
          {"container-without-streams.glc", entropy::serialize(empty)},
          {"stream-300-symbols.bin", robustness_stream(300, 5)},
          {"stream-1-symbol.bin", robustness_stream(1, 6)},
          {"stream-0-symbols.bin", robustness_stream(0, 7)}};
}

}  // namespace

TEST_CASE("the committed fuzz corpus seeds are valid inputs of the current formats") {
  for (const auto& [name, bytes] : seeds()) {
    INFO(name);
    std::ifstream in(corpus / name, std::ios::binary);
    REQUIRE(in);
    const std::vector<uint8_t> committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(committed == bytes);
    if (name.ends_with(".glc"))
      for (const auto& s : entropy::parse_bitstream(committed, name).streams) CHECK_NOTHROW(decode_robustness_stream(s));
    else
      CHECK_NOTHROW(decode_robustness_stream(committed));
  }
}

TEST_CASE("write the fuzz corpus seeds", "[.write-corpus]") {
  std::filesystem::create_directories(corpus);
  for (const auto& [name, bytes] : seeds()) {
    std::ofstream out(corpus / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
}
