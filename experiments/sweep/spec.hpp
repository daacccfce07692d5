#pragma once
// A sweep: one model's training runs over a grid of settings, and seeded random draws, read from
// a TOML file (docs/experiments.md):
//
//   [sweep]   name, train (the model)        [config]  settings every run shares
//   [grid]    setting = [values...]          [random]  count, seed, setting = { uniform = [a, b] },
//                                                      log_uniform, int_uniform, choice = [values...]
//   [evaluate.<metric>]  options of `genlab eval <metric>` run on each finished run
//   [slurm]   sbatch options, max_parallel, setup
//
// Each run is the shared settings plus its overrides; the model's reflected config checks both,
// so a misspelt setting or a bad value names itself (trainable.hpp).
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "genlab/core/attributes.hpp"

namespace genlab::sweep {

// Settings in the order the sweep file gives them.
using Settings = std::vector<std::pair<std::string, AttributeValue>>;

struct Distribution {
  enum class Kind { uniform, log_uniform, int_uniform, choice };
  Kind kind = Kind::uniform;
  double low = 0, high = 0;             // uniform, log_uniform (drawn to 4 significant digits), int_uniform (inclusive)
  std::vector<AttributeValue> choices;  // choice
};

// `genlab eval <metric> --fake RUN --record` and these options, after training.
struct Evaluation {
  std::string metric;
  std::vector<std::pair<std::string, std::string>> options;  // ("real", "/usr/share/...") -> --real ...
};

struct SlurmSettings {
  std::vector<std::pair<std::string, std::string>> sbatch;  // ("cpus_per_task", "2") -> #SBATCH --cpus-per-task=2
  int64_t max_parallel = 0;                                // the array's %N throttle; 0: none
  std::string setup;                                       // shell lines each task runs first
};

struct SweepSpec {
  std::string source;  // the file, or "--sweep" for one made on the command line, for messages
  std::string text;    // the TOML it was read from, kept in the sweep directory
  std::string name;
  std::string model;
  Settings config;
  std::vector<std::pair<std::string, std::vector<AttributeValue>>> grid;
  int64_t random_count = 0;
  uint64_t random_seed = 0;
  std::vector<std::pair<std::string, Distribution>> random;
  std::vector<Evaluation> evaluations;
  SlurmSettings slurm;
};

// Throws ConfigError naming the file, the table and the key for anything malformed: an unknown
// table or key, a grid entry that is not a non-empty array, a distribution with a bad range.
SweepSpec parse_spec(const std::string& text, const std::string& source);
SweepSpec read_spec(const std::filesystem::path& path);

// The runs' overrides: every combination of the grid (settings in alphabetical order, the first
// varying slowest), each with `random_count` draws when [random] is given. Deterministic in the
// spec and its seed.
std::vector<Settings> expand(const SweepSpec& spec);

// "lr=0.0001 batch_size=32": a run's label, from its overrides.
std::string describe(const Settings& overrides);

// One `--sweep key=v1,v2,...` argument: each value read as a TOML literal (numbers, booleans,
// quoted strings), and a bare word as a string.
std::pair<std::string, std::vector<AttributeValue>> parse_sweep_argument(const std::string& argument);

}  // namespace genlab::sweep
