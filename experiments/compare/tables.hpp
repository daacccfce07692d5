#pragma once
// The tables of a comparison, as text cells, whatever the output format: the runs, the settings
// that differ between them, and the last and best value of every metric and scalar.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "experiments/compare/runs.hpp"

namespace genlab::compare {

// Metrics where a larger value is better (inception_score, psnr, test_accuracy, ...); every other
// series, losses and FID included, is better smaller.
bool higher_is_better(const std::string& name);

// Four significant digits, like a paper's table ("6.053", "0.7149", "1077").
std::string format_value(double value);
std::string format_attribute(const AttributeValue& value);

// A logged series: /metrics/<name> or /scalars/<name>.
struct SeriesName {
  std::string name;
  bool is_metric = false;
  bool operator==(const SeriesName&) const = default;
};

// The run's series, or nullptr when it did not log it.
const Series* find_series(const ComparedRun& run, const SeriesName& series);

// Every series any run logged: the metrics, then the scalars, each sorted by name.
std::vector<SeriesName> all_series(const std::vector<ComparedRun>& runs);

// Sorts the runs, best first, by the last value of `metric` (a metric's or a scalar's name; empty:
// fid when a run has it, else the first metric, else no sorting); runs without it go last. Returns
// the series sorted by. Throws ConfigError when no run has a series named `metric`.
std::optional<SeriesName> sort_runs(std::vector<ComparedRun>& runs, const std::string& metric);

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::set<std::pair<size_t, size_t>> emphasized;  // (row, column): the cells that stand out, the best values
  size_t numbers_from = SIZE_MAX;                  // the columns from here on hold numbers (right-aligned)
};

// One row per run: model, backend, device, dataset (header attributes) and the last checkpoint step.
Table runs_table(const std::vector<ComparedRun>& runs);

struct ConfigDifferences {
  Table differing;  // one row per run: its label, then each setting whose values differ
  std::vector<std::pair<std::string, std::string>> shared;  // settings every run has with the same value
};

ConfigDifferences config_differences(const std::vector<ComparedRun>& runs);

// One row per run: its label, then the last and the best value of each series in all_series (best:
// the smallest, or the largest where higher_is_better), each column's best value emphasized. The
// run that is best by `sorted_by` (the first, after sort_runs) is marked "(best <name>)".
Table metrics_table(const std::vector<ComparedRun>& runs, const std::optional<SeriesName>& sorted_by);

// With --group-by: one row per combination of the named settings' values, in the order the runs
// first show it, averaging over the runs' other differences (their seeds, say): the settings, the
// number of runs, then the mean and sample standard deviation of each metric's last value and of
// the scalar runs are sorted by. Each column's best mean is emphasized. Throws ConfigError naming
// a setting that no run has.
Table grouped_table(const std::vector<ComparedRun>& runs, const std::vector<std::string>& group_by,
                    const std::optional<SeriesName>& sorted_by);

// What tables and plots call a series: its name, or "scalars/<name>" for a scalar that a run also
// has a metric of that name for.
std::string display_name(const SeriesName& series, const std::vector<ComparedRun>& runs);

}  // namespace genlab::compare
