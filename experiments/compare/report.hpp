#pragma once
// The report of a comparison, and its two renderings: report.md (its images beside it, for a
// repository or a wiki) and report.html (one self-contained file: CSS inline, plots as inline
// SVG, sample grids as PNG data URIs, to mail or to open in a meeting).
#include <filesystem>
#include <string>
#include <vector>

#include "experiments/compare/runs.hpp"
#include "experiments/compare/tables.hpp"

namespace genlab::compare {

// A plot or a sample grid; paths relative to the report's directory.
struct Figure {
  std::string caption;
  std::filesystem::path png, svg;  // svg: plots only
};

struct Report {
  std::string title, date;
  Table runs;                        // (1) the runs: model, backend, device, dataset, checkpoint step
  std::vector<std::string> skipped;  //     sweep runs left out, and why
  ConfigDifferences config;          // (2) the settings that differ, and those all runs share
  Table metrics;                     // (3) last and best of every metric and scalar
  std::string metrics_order;         //     how its rows are sorted, in words
  std::string best_run;              //     "lr=0.0002 (fid 41.37)"; empty when the runs are not sorted
  std::vector<std::string> group_by; //     with --group-by: the settings of `grouped`'s rows
  Table grouped;                     //     mean and std over each group's runs
  std::vector<Figure> plots;         // (4) one per metric and scalar
  std::vector<Figure> samples;       // (5) each run's last sample grid
  std::vector<std::string> without_samples;  // the runs that logged no sample grid
};

struct ReportOptions {
  std::filesystem::path dir;  // where report.md, report.html, plots/ and samples/ go
  std::string title;          // empty: "Comparison of N runs"
  std::string metric;         // what to sort by (sort_runs); empty: its default
  std::vector<std::string> group_by;  // settings whose runs are averaged together (grouped_table)
  std::filesystem::path gnuplot;
};

// Sorts the runs, writes their sample grids to dir/samples/ and their plots to dir/plots/, and
// returns the report that links them.
Report make_report(CollectedRuns collected, const ReportOptions& options);

// Writes dir/report.md.
void write_markdown(const Report& report, const std::filesystem::path& dir);

// Writes dir/report.html, reading the figures it embeds from dir.
void write_html(const Report& report, const std::filesystem::path& dir);

}  // namespace genlab::compare
