#include "experiments/compare/tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "genlab/core/error.hpp"

namespace genlab::compare {

namespace {

const char* const missing = "–";

struct SeriesSummary {
  double last = 0, best = 0;
};

// Is a better than b, for a series of this name? A NaN (a diverged loss) is never better.
bool better(double a, double b, const std::string& name) {
  if (std::isnan(b)) return !std::isnan(a);
  return higher_is_better(name) ? a > b : a < b;
}

std::optional<SeriesSummary> summary_of(const Series* series, const std::string& name) {
  if (series == nullptr || series->empty()) return std::nullopt;
  SeriesSummary s{series->back().value, std::nan("")};
  for (const auto& point : *series)
    if (better(point.value, s.best, name)) s.best = point.value;
  return s;
}

bool logged_by_any(const std::vector<ComparedRun>& runs, const SeriesName& series) {
  return std::any_of(runs.begin(), runs.end(), [&](const ComparedRun& run) {
    const Series* s = find_series(run, series);
    return s != nullptr && !s->empty();
  });
}

std::optional<SeriesName> sort_key(const std::vector<ComparedRun>& runs, const std::string& metric) {
  const auto series = all_series(runs);
  if (!metric.empty()) {
    for (const bool is_metric : {true, false})
      if (logged_by_any(runs, {metric, is_metric})) return SeriesName{metric, is_metric};
    std::string names;
    for (const auto& s : series) names += (names.empty() ? "" : ", ") + display_name(s, runs);
    throw ConfigError("--metric '" + metric + "': no run logged a metric or scalar of that name" +
                      (names.empty() ? std::string(" (they logged none)") : "; they logged " + names));
  }
  if (logged_by_any(runs, {"fid", true})) return SeriesName{"fid", true};
  for (const auto& s : series)
    if (s.is_metric) return s;
  return std::nullopt;
}

}  // namespace

bool higher_is_better(const std::string& name) {
  static const std::vector<std::string> higher{"is", "inception_score", "psnr", "ssim", "ms_ssim", "accuracy", "precision", "recall"};
  // A prefixed name measures the same thing on some split: test_accuracy, val_psnr.
  return std::any_of(higher.begin(), higher.end(), [&](const std::string& h) {
    return name == h || (name.size() > h.size() && name.ends_with("_" + h));
  });
}

std::string format_value(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double size = std::abs(value);
  char text[32];
  if (size != 0 && (size < 1e-3 || size >= 1e7)) std::snprintf(text, sizeof text, "%.3e", value);
  else if (size >= 1e4) std::snprintf(text, sizeof text, "%.0f", value);
  else std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

std::string format_attribute(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) return v;
        else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) {
          char text[32];
          std::snprintf(text, sizeof text, "%.6g", v);
          return text;
        } else return std::to_string(v);
      },
      value);
}

const Series* find_series(const ComparedRun& run, const SeriesName& series) {
  const auto& group = series.is_metric ? run.metrics : run.scalars;
  const auto found = group.find(series.name);
  return found == group.end() ? nullptr : &found->second;
}

std::vector<SeriesName> all_series(const std::vector<ComparedRun>& runs) {
  std::set<std::string> metrics, scalars;
  for (const auto& run : runs) {
    for (const auto& [name, points] : run.metrics) metrics.insert(name);
    for (const auto& [name, points] : run.scalars) scalars.insert(name);
  }
  std::vector<SeriesName> out;
  for (const auto& name : metrics) out.push_back({name, true});
  for (const auto& name : scalars) out.push_back({name, false});
  return out;
}

std::string display_name(const SeriesName& series, const std::vector<ComparedRun>& runs) {
  const bool shadowed = !series.is_metric && std::any_of(runs.begin(), runs.end(), [&](const ComparedRun& run) {
    return run.metrics.contains(series.name);
  });
  return shadowed ? "scalars/" + series.name : series.name;
}

std::optional<SeriesName> sort_runs(std::vector<ComparedRun>& runs, const std::string& metric) {
  const auto key = sort_key(runs, metric);
  if (!key) return std::nullopt;
  auto last = [&](const ComparedRun& run) {
    const auto summary = summary_of(find_series(run, *key), key->name);
    return summary ? summary->last : std::nan("");
  };
  // Runs without the series, or ending in NaN, go last.
  std::stable_sort(runs.begin(), runs.end(),
                   [&](const ComparedRun& a, const ComparedRun& b) { return better(last(a), last(b), key->name); });
  return key;
}

Table runs_table(const std::vector<ComparedRun>& runs) {
  Table table;
  table.columns = {"run", "model", "backend", "device", "dataset", "checkpoint step", "file"};
  for (const auto& run : runs) {
    std::vector<std::string> row{run.label};
    for (const char* attribute : {"model", "backend", "device", "dataset"}) {
      const auto found = run.header.find(attribute);
      row.push_back(found == run.header.end() ? missing : format_attribute(found->second));
    }
    row.push_back(run.checkpoint_step ? std::to_string(*run.checkpoint_step) : "none yet");
    row.push_back(run.file.string());
    table.rows.push_back(std::move(row));
  }
  return table;
}

ConfigDifferences config_differences(const std::vector<ComparedRun>& runs) {
  std::set<std::string> settings;
  for (const auto& run : runs)
    for (const auto& [name, value] : run.config) settings.insert(name);
  ConfigDifferences out;
  out.differing.columns = {"run"};
  std::vector<std::string> differing;
  for (const auto& name : settings) {
    const auto& first = runs.front().config;
    const bool same = first.contains(name) && std::all_of(runs.begin(), runs.end(), [&](const ComparedRun& run) {
                        const auto found = run.config.find(name);
                        return found != run.config.end() && found->second == first.at(name);
                      });
    if (same) out.shared.emplace_back(name, format_attribute(first.at(name)));
    else differing.push_back(name);
  }
  out.differing.columns.insert(out.differing.columns.end(), differing.begin(), differing.end());
  for (const auto& run : runs) {
    std::vector<std::string> row{run.label};
    for (const auto& name : differing) {
      const auto found = run.config.find(name);
      row.push_back(found == run.config.end() ? missing : format_attribute(found->second));
    }
    out.differing.rows.push_back(std::move(row));
  }
  return out;
}

Table metrics_table(const std::vector<ComparedRun>& runs, const std::optional<SeriesName>& sorted_by) {
  const auto series = all_series(runs);
  Table table;
  table.columns = {"run"};
  table.numbers_from = 1;
  for (const auto& s : series) {
    table.columns.push_back(display_name(s, runs) + " last");
    table.columns.push_back(display_name(s, runs) + " best");
  }
  // summaries[run][series]
  std::vector<std::vector<std::optional<SeriesSummary>>> summaries;
  for (const auto& run : runs) {
    summaries.emplace_back();
    for (const auto& s : series) summaries.back().push_back(summary_of(find_series(run, s), s.name));
  }
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<std::string> row{runs[r].label};
    for (const auto& summary : summaries[r]) {
      row.push_back(summary ? format_value(summary->last) : missing);
      row.push_back(summary ? format_value(summary->best) : missing);
    }
    table.rows.push_back(std::move(row));
  }
  for (size_t s = 0; s < series.size(); ++s) {
    std::optional<size_t> best_last, best_best;
    double last = std::nan(""), best = std::nan("");
    for (size_t r = 0; r < runs.size(); ++r) {
      const auto& v = summaries[r][s];
      if (v && better(v->last, last, series[s].name)) last = v->last, best_last = r;
      if (v && better(v->best, best, series[s].name)) best = v->best, best_best = r;
    }
    if (best_last) table.emphasized.insert({*best_last, 1 + 2 * s});
    if (best_best) table.emphasized.insert({*best_best, 2 + 2 * s});
  }
  const auto leader = sorted_by && !runs.empty() ? summary_of(find_series(runs.front(), *sorted_by), sorted_by->name) : std::nullopt;
  if (leader && !std::isnan(leader->last)) {
    table.rows.front().front() += " (best " + display_name(*sorted_by, runs) + ")";
    table.emphasized.insert({0, 0});
  }
  return table;
}

Table grouped_table(const std::vector<ComparedRun>& runs, const std::vector<std::string>& group_by,
                    const std::optional<SeriesName>& sorted_by) {
  for (const auto& name : group_by)
    if (std::none_of(runs.begin(), runs.end(), [&](const ComparedRun& run) { return run.config.contains(name); }))
      throw ConfigError("--group-by '" + name + "': no run has a setting of that name");
  std::vector<SeriesName> series;
  for (const auto& s : all_series(runs))
    if (s.is_metric || (sorted_by && s == *sorted_by)) series.push_back(s);

  // The groups in the order of their first run, each with its runs' last values per series.
  std::vector<std::vector<std::string>> keys;
  std::vector<std::vector<std::vector<double>>> values;  // values[group][series]
  for (const auto& run : runs) {
    std::vector<std::string> key;
    for (const auto& name : group_by) {
      const auto found = run.config.find(name);
      key.push_back(found == run.config.end() ? missing : format_attribute(found->second));
    }
    auto group = std::find(keys.begin(), keys.end(), key);
    if (group == keys.end()) {
      keys.push_back(key);
      values.emplace_back(series.size());
      group = keys.end() - 1;
    }
    for (size_t s = 0; s < series.size(); ++s)
      if (const auto summary = summary_of(find_series(run, series[s]), series[s].name); summary && !std::isnan(summary->last))
        values[size_t(group - keys.begin())][s].push_back(summary->last);
  }

  Table table;
  table.columns = group_by;
  table.columns.push_back("runs");
  table.numbers_from = group_by.size();
  for (const auto& s : series) table.columns.push_back(display_name(s, runs) + " mean +- std");
  std::vector<std::optional<size_t>> leader(series.size());
  std::vector<double> best(series.size(), std::nan(""));
  for (size_t g = 0; g < keys.size(); ++g) {
    std::vector<std::string> row = keys[g];
    size_t count = 0;
    for (const auto& v : values[g]) count = std::max(count, v.size());
    row.push_back(std::to_string(count));
    for (size_t s = 0; s < series.size(); ++s) {
      const std::vector<double>& v = values[g][s];
      if (v.empty()) {
        row.push_back(missing);
        continue;
      }
      double mean = 0, squares = 0;
      for (double x : v) mean += x / double(v.size());
      for (double x : v) squares += (x - mean) * (x - mean);
      const double std_dev = v.size() > 1 ? std::sqrt(squares / double(v.size() - 1)) : 0.0;  // sample std, ddof 1
      row.push_back(format_value(mean) + " +- " + format_value(std_dev));
      if (better(mean, best[s], series[s].name)) best[s] = mean, leader[s] = g;
    }
    table.rows.push_back(std::move(row));
  }
  for (size_t s = 0; s < series.size(); ++s)
    if (leader[s]) table.emphasized.insert({*leader[s], group_by.size() + 1 + s});
  return table;
}

}  // namespace genlab::compare
