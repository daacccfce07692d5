#pragma once
// The sweep directory: the spec, an index of its runs, and per run its settings, run file, state
// and log (docs/experiments.md):
//
//   DIR/sweep.toml  DIR/index.json  DIR/runs/<id>/{config.toml, run.h5, state.json, log.txt}
//
// A run's state lives in its own small file, written atomically, so parallel runs (local jobs,
// Slurm array tasks) never write the same file, and a run killed with -9 is recognised as
// interrupted from its dead process.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sweep/spec.hpp"

namespace genlab::sweep {

struct PlannedRun {
  std::string id;    // "000", "001", ...: the run's directory and its Slurm array index
  std::string name;  // its overrides: "lr=0.0001 batch_size=32"
  Settings overrides;
};

enum class RunState { pending, queued, running, finished, failed, interrupted };
std::string to_string(RunState state);

struct RunStatus {
  RunState state = RunState::pending;
  std::optional<int64_t> step;  // the run file's last checkpoint
  std::string detail;           // "exit code 1", "pid 4242 on node7", "Slurm job 81_3", ...
};

class SweepDirectory {
 public:
  // Makes `root` hold `spec`'s sweep, or checks that it already does: a directory of another
  // sweep (a run whose settings differ) is a ConfigError naming the run. An updated spec whose
  // runs are unchanged (new [slurm] or [evaluate] tables) replaces the stored one.
  static SweepDirectory prepare(const std::filesystem::path& root, const SweepSpec& spec);
  // IoError naming the directory when it holds no sweep.
  static SweepDirectory open(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  const std::string& name() const { return name_; }
  const std::string& model() const { return model_; }
  const std::vector<PlannedRun>& runs() const { return runs_; }
  // The spec as stored in the directory.
  SweepSpec spec() const;

  std::filesystem::path run_directory(const PlannedRun& run) const;
  std::filesystem::path config_file(const PlannedRun& run) const;
  std::filesystem::path run_file(const PlannedRun& run) const;
  std::filesystem::path log_file(const PlannedRun& run) const;

  RunStatus status(const PlannedRun& run) const;
  void mark_queued(const PlannedRun& run, const std::string& slurm_job) const;
  void mark_running(const PlannedRun& run) const;  // by this process
  void mark_ended(const PlannedRun& run, RunState state, int exit_code) const;

 private:
  std::filesystem::path state_file(const PlannedRun& run) const;

  std::filesystem::path root_;
  std::string name_, model_;
  std::vector<PlannedRun> runs_;
};

}  // namespace genlab::sweep
