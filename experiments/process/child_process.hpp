#pragma once
// Child processes of the experiments: genlab itself with other arguments (a sweep's runs), and
// helper programs (gnuplot for genlab compare).
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace genlab::process {

// This executable, to run `genlab train`, `genlab eval` and `genlab sweep run` as children.
std::filesystem::path genlab_executable();

// Starts `program arguments...` with its standard output and error appended to `log` (or
// inherited when `log` is empty), in `working_directory` (or this one), in its own process group,
// killed when this process dies. Throws Error when it cannot start.
pid_t spawn(const std::filesystem::path& program, const std::vector<std::string>& arguments,
            const std::filesystem::path& log = {}, const std::filesystem::path& working_directory = {});

// Waits for `pid` (retrying on signals) and returns its exit code, 128 + N for a signal N.
int wait_for(pid_t pid);

// Runs a shell command and returns its exit code and standard output (sbatch, squeue).
struct CommandOutput {
  int exit_code;
  std::string output;
};
CommandOutput run_command(const std::string& command_line);

// A word for a shell command line: single-quoted.
std::string shell_quote(const std::string& word);

}  // namespace genlab::process
