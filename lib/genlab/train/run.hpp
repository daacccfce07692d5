#pragma once
// Opening the run file of a training command: a new file, or with --resume the existing one and
// its checkpoint (a missing file with --resume starts a new run, so re-running a command is safe).
#include <filesystem>
#include <optional>

#include "genlab/io/run_file.hpp"

namespace genlab::train {

struct RunOptions {
  std::filesystem::path out;
  bool resume = false;
  bool overwrite = false;
};

struct OpenedRun {
  io::RunFile file;
  std::optional<io::Checkpoint> checkpoint;  // set when resuming
};

OpenedRun open_run(const RunOptions& options, const Attributes& header, const Attributes& config);

}  // namespace genlab::train
