#include "experiments/backend/mapped_libraries.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace genlab::backend {
namespace {

void write_mapped_libraries() {
  const char* out = std::getenv("GENLAB_MAPPED_LIBRARIES_AT_EXIT");
  if (!out || !*out) return;
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> libraries;  // /proc/self/maps lists each one once per mapped segment
  for (std::string line; std::getline(maps, line);) {
    const size_t path = line.find('/');
    if (path != std::string::npos && line.find(".so", path) != std::string::npos) libraries.insert(line.substr(path));
  }
  std::ofstream file(out);
  for (const std::string& library : libraries) file << library << '\n';
}

}  // namespace

void report_mapped_libraries_at_exit() {
  if (const char* out = std::getenv("GENLAB_MAPPED_LIBRARIES_AT_EXIT"); out && *out) std::atexit(write_mapped_libraries);
}

}  // namespace genlab::backend
