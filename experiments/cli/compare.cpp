// genlab compare: one report of run files and sweeps, to show in a lab meeting: the runs, the
// settings that differ, the metrics, the loss plots and the last samples.
#include <iostream>

#include "experiments/cli/command.hpp"
#include "experiments/compare/plots.hpp"
#include "experiments/compare/report.hpp"
#include "experiments/compare/runs.hpp"

namespace genlab::cli {

Command add_compare(CLI::App& parent) {
  struct State {
    std::vector<std::string> inputs;
    std::string out = "runs/compare";
    std::string metric, title;
    std::vector<std::string> group_by;
  };
  auto state = std::make_shared<State>();
  CLI::App* app = parent.add_subcommand(
      "compare", "one report (Markdown and HTML) of run files and sweeps: settings that differ, metrics, plots, samples");
  app->add_option("runs", state->inputs, "run files (.h5) and sweep directories (with index.json)")->required();
  app->add_option("--out", state->out, "directory of report.md, report.html, plots/ and samples/")->capture_default_str();
  app->add_option("--metric", state->metric,
                  "sort the runs by the last value of this metric or scalar (default: fid if logged, else the first metric)");
  app->add_option("--title", state->title, "the report's title (default: \"Comparison of N runs\")");
  app->add_option("--group-by", state->group_by,
                  "settings whose runs are averaged together, mean +- std over the rest (seeds), as in --group-by variant")
      ->delimiter(',');

  return {app, [state] {
            compare::ReportOptions options{state->out, state->title, state->metric, state->group_by, compare::find_gnuplot()};
            std::vector<std::filesystem::path> inputs(state->inputs.begin(), state->inputs.end());
            auto collected = compare::collect_runs(inputs);
            for (const auto& skipped : collected.skipped) std::cout << "skipping " << skipped << "\n";
            const compare::Report report = compare::make_report(std::move(collected), options);
            compare::write_markdown(report, options.dir);
            compare::write_html(report, options.dir);
            std::cout << "compared " << report.runs.rows.size() << " runs"
                      << (report.best_run.empty() ? "" : "; best: " + report.best_run) << "\n"
                      << "  report: " << (options.dir / "report.html").string() << " (self-contained), "
                      << (options.dir / "report.md").string() << "\n"
                      << "  plots:  " << (options.dir / "plots").string() << "/ (" << report.plots.size()
                      << " as SVG and PNG, with their gnuplot scripts)\n";
            return 0;
          }};
}

}  // namespace genlab::cli
