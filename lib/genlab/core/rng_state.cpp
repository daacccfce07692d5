#include "genlab/core/rng_state.hpp"

#include <charconv>
#include <cstdio>

#include "genlab/core/error.hpp"

namespace genlab {

std::string format_rng_state(const Rng::State& state) {
  std::string out;
  char word[17];
  for (uint64_t s : state) {
    std::snprintf(word, sizeof word, "%016llx", static_cast<unsigned long long>(s));
    out += word;
  }
  return out;
}

Rng::State parse_rng_state(const std::string& text) {
  Rng::State state{};
  if (text.size() != 64) throw ConfigError("random generator state '" + text + "' is not 64 hex digits");
  for (size_t i = 0; i < 4; ++i) {
    const char* begin = text.data() + 16 * i;
    const auto [end, ec] = std::from_chars(begin, begin + 16, state[i], 16);
    if (ec != std::errc{} || end != begin + 16)
      throw ConfigError("random generator state '" + text + "' is not 64 hex digits");
  }
  return state;
}

}  // namespace genlab
