#include "genlab/config/size.hpp"

#include <charconv>

#include "genlab/core/error.hpp"

namespace genlab::config {

Size2 parse_size(const std::string& text, const char* field) {
  Size2 size;
  const char* end = text.data() + text.size();
  auto [middle, first_error] = std::from_chars(text.data(), end, size.first);
  bool ok = first_error == std::errc{} && middle != end && (*middle == 'x' || *middle == 'X');
  if (ok) {
    auto [last, second_error] = std::from_chars(middle + 1, end, size.second);
    ok = second_error == std::errc{} && last == end;
  }
  if (!ok || size.first < 1 || size.second < 1)
    throw ConfigError(std::string("invalid value for '") + field + "': '" + text +
                      "'; expected two positive integers like 8x8");
  return size;
}

}  // namespace genlab::config
