#pragma once
// When something happened, as files record it: "2026-12-04T05:41:00Z" (ISO 8601, UTC).
#include <chrono>
#include <ctime>
#include <string>

namespace genlab {

inline std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace genlab
