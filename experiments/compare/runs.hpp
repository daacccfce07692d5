#pragma once
// The runs a report compares, read from run files and sweep directories: each run's label, header,
// settings, logged series and last sample grid.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "genlab/core/attributes.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/run_file.hpp"

namespace genlab::compare {

using Series = std::vector<io::ScalarPoint>;

struct SampleGrid {
  int64_t step = 0;
  io::Image image;
};

struct ComparedRun {
  std::string label;  // what tables, plot keys and captions call the run
  std::filesystem::path file;
  Attributes header, config;
  std::optional<int64_t> checkpoint_step;
  std::map<std::string, Series> scalars;  // /scalars/<name>
  std::map<std::string, Series> metrics;  // /metrics/<name>
  std::optional<SampleGrid> samples;      // the latest /images/samples/<step>
};

struct CollectedRuns {
  std::vector<ComparedRun> runs;
  std::vector<std::string> skipped;  // why a sweep's run is left out ("lr=0.1: runs/002/run.h5 does not exist yet")
};

// Reads every input: a run file (.h5), labelled by its stem (with its parent directory when two
// stems are the same), or a sweep directory (DIR/index.json), whose runs are labelled by their
// names. A sweep's run whose file does not exist yet is skipped and reported. Throws IoError naming
// the input when it is missing, not a run file, or a sweep directory with a bad or empty index,
// and when no run is left to compare.
CollectedRuns collect_runs(const std::vector<std::filesystem::path>& inputs);

// Reads one run file (its label left empty).
ComparedRun read_run(const std::filesystem::path& file);

}  // namespace genlab::compare
