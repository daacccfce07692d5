#include "experiments/backend/mapped_libraries.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

namespace genlab::backend {
namespace {

std::string& report_file() {
  static std::string path;
  return path;
}

void write_mapped_libraries() {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> libraries;  // /proc/self/maps lists each one once per mapped segment
  for (std::string line; std::getline(maps, line);) {
    const size_t path = line.find('/');
    if (path != std::string::npos && line.find(".so", path) != std::string::npos) libraries.insert(line.substr(path));
  }
  std::ofstream file(report_file());
  for (const std::string& library : libraries) file << library << '\n';
}

}  // namespace

void report_mapped_libraries_at_exit() {
  const char* out = std::getenv("GENLAB_MAPPED_LIBRARIES_AT_EXIT");
  if (!out || !*out) return;
  report_file() = out;
  std::atexit(write_mapped_libraries);
}

}  // namespace genlab::backend
