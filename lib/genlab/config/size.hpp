#pragma once
#include <cstdint>
#include <string>

namespace genlab::config {

struct Size2 {
  int64_t first = 0, second = 0;
};

// "8x8" -> {8, 8}; "1280x768" -> {1280, 768}. Throws ConfigError naming `field` otherwise.
Size2 parse_size(const std::string& text, const char* field);

}  // namespace genlab::config
