#include "experiments/compare/report.hpp"

#include <cmath>
#include <ctime>
#include <set>

#include "experiments/compare/plots.hpp"
#include "genlab/core/error.hpp"

namespace genlab::compare {
namespace fs = std::filesystem;

namespace {

std::string local_time_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
  return text;
}

// Two texts can map to one file name ("a b", "a-b"): the second gets "-2".
std::string unique_stem(const std::string& text, std::set<std::string>& taken) {
  const std::string stem = file_stem_for(text);
  std::string name = stem;
  for (int copy = 2; !taken.insert(name).second; ++copy) name = stem + "-" + std::to_string(copy);
  return name;
}

void make_directory(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw IoError("cannot create the directory '" + dir.string() + "': " + error.message());
}

std::string metrics_order(const std::vector<ComparedRun>& runs, const std::optional<SeriesName>& sorted_by) {
  const std::string legend =
      " Last: the value at the last logged step; best: the lowest over the run (the highest for is, psnr, ssim, "
      "ms_ssim, accuracy, precision and recall); bold: the best in each column.";
  if (!sorted_by)
    return "In the order given: the runs logged no metric to sort by (`genlab eval fid --record` adds FID)." + legend;
  return "Sorted by the last " + display_name(*sorted_by, runs) + " (" +
         (higher_is_better(sorted_by->name) ? "higher" : "lower") + " is better)." + legend;
}

}  // namespace

Report make_report(CollectedRuns collected, const ReportOptions& options) {
  std::vector<ComparedRun>& runs = collected.runs;
  const auto sorted_by = sort_runs(runs, options.metric);

  Report report;
  report.title = options.title.empty() ? "Comparison of " + std::to_string(runs.size()) + " runs" : options.title;
  report.date = local_time_now();
  report.runs = runs_table(runs);
  report.skipped = collected.skipped;
  report.config = config_differences(runs);
  report.metrics = metrics_table(runs, sorted_by);
  report.metrics_order = metrics_order(runs, sorted_by);
  report.group_by = options.group_by;
  if (!options.group_by.empty()) report.grouped = grouped_table(runs, options.group_by, sorted_by);
  if (sorted_by)
    if (const Series* best = find_series(runs.front(), *sorted_by); best != nullptr && !best->empty() && !std::isnan(best->back().value))
      report.best_run = runs.front().label + " (" + display_name(*sorted_by, runs) + " " + format_value(best->back().value) + ")";

  make_directory(options.dir / "plots");
  for (const Plot& plot : plots_of(runs)) {
    draw(plot, options.dir / "plots", options.gnuplot);
    report.plots.push_back({plot.title, fs::path("plots") / (plot.name + ".png"), fs::path("plots") / (plot.name + ".svg")});
  }

  make_directory(options.dir / "samples");
  std::set<std::string> taken;
  for (const ComparedRun& run : runs) {
    if (!run.samples) {
      report.without_samples.push_back(run.label);
      continue;
    }
    const fs::path file = fs::path("samples") / (unique_stem(run.label, taken) + ".png");
    io::write_png(options.dir / file, run.samples->image);
    report.samples.push_back({run.label + " (step " + std::to_string(run.samples->step) + ")", file, {}});
  }
  return report;
}

}  // namespace genlab::compare
