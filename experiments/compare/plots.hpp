#pragma once
// The report's plots, drawn by gnuplot: one per scalar (loss against step, one curve per run) and
// one per metric. Each plot leaves in its directory <name>.dat (the curves), <name>.gp (the script,
// rerun it with `gnuplot <name>.gp` to restyle), <name>.svg and <name>.png.
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/compare/runs.hpp"

namespace genlab::compare {

struct Curve {
  std::string label;
  size_t run_index = 0;  // picks the colour, the same for a run in every plot
  Series points;
};

struct Plot {
  std::string name;  // the file name without its extension
  std::string title;
  bool is_metric = false;  // metrics have few points: drawn with markers
  std::vector<Curve> curves;
};

// One plot per metric and per scalar that any run logged, in the order of all_series.
std::vector<Plot> plots_of(const std::vector<ComparedRun>& runs);

// The gnuplot executable on PATH. Throws Error saying how to install it when there is none.
std::filesystem::path find_gnuplot();

// Writes the plot's data and script into `dir` and runs gnuplot there, which writes <name>.svg and
// <name>.png. Throws Error with gnuplot's message when it fails.
void draw(const Plot& plot, const std::filesystem::path& dir, const std::filesystem::path& gnuplot);

// A file name for any text: what is not a letter, digit, '.', '_' or '-' becomes '-'
// ("lr=0.001 batch_size=32" -> "lr-0.001-batch_size-32").
std::string file_stem_for(const std::string& text);

}  // namespace genlab::compare
