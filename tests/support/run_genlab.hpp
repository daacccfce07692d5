#pragma once
// Runs the built genlab executable as a user would, for the command-line tests.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace genlab::testing {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

// `genlab ARGUMENTS` from the build tree. A crash (a signal) is reported as 128 + its number, so
// that it fails a test expecting exit code 1 or 2.
// `environment` is prepended as shell assignments, e.g. "GENLAB_LIBTORCH_MODULE=/x".
inline CommandResult run_genlab(const std::string& arguments, const std::string& environment = "") {
  const std::string command =
      environment + (environment.empty() ? "" : " ") + std::string(GENLAB_BINARY_DIR) + "/experiments/genlab " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, output};
}

// A path in single quotes for a shell command line. Appended piecewise: `"'" + path.string()`
// trips a false -Wrestrict in GCC 12 (bug 105329).
inline std::string quoted(const std::filesystem::path& p) {
  std::string text = "'";
  text += p.string();
  text += "'";
  return text;
}

}  // namespace genlab::testing
