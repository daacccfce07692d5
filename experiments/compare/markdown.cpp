// report.md: GitHub-flavoured Markdown, its figures as files beside it.
#include <fstream>

#include "experiments/compare/report.hpp"
#include "genlab/core/error.hpp"

namespace genlab::compare {
namespace fs = std::filesystem;

namespace {

constexpr size_t samples_per_row = 4;

// Text in a table cell or image caption: a '|' would end the cell, a '*' start emphasis.
std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '|' || c == '*' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

void write_table(std::ostream& out, const Table& table) {
  out << "|";
  for (const auto& column : table.columns) out << " " << escaped(column) << " |";
  out << "\n|";
  for (size_t c = 0; c < table.columns.size(); ++c) out << (c >= table.numbers_from ? "---:|" : "---|");
  out << "\n";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    out << "|";
    for (size_t c = 0; c < table.rows[r].size(); ++c) {
      const std::string cell = escaped(table.rows[r][c]);
      out << " " << (table.emphasized.contains({r, c}) ? "**" + cell + "**" : cell) << " |";
    }
    out << "\n";
  }
}

std::string join_words(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

void write_samples(std::ostream& out, const std::vector<Figure>& samples) {
  for (size_t first = 0; first < samples.size(); first += samples_per_row) {
    const size_t last = std::min(samples.size(), first + samples_per_row);
    out << "|";
    for (size_t i = first; i < last; ++i) out << " " << escaped(samples[i].caption) << " |";
    out << "\n|";
    for (size_t i = first; i < last; ++i) out << ":---:|";
    out << "\n|";
    for (size_t i = first; i < last; ++i)
      out << " ![" << escaped(samples[i].caption) << "](" << samples[i].png.generic_string() << ") |";
    out << "\n\n";
  }
}

}  // namespace

void write_markdown(const Report& report, const fs::path& dir) {
  const fs::path path = dir / "report.md";
  std::ofstream out(path);
  out << "# " << report.title << "\n\n"
      << report.date << ": " << report.runs.rows.size() << " runs, compared by `genlab compare`.\n\n"
      << "## Runs\n\n";
  write_table(out, report.runs);
  for (const auto& skipped : report.skipped) out << "\nSkipped " << escaped(skipped) << ".\n";

  out << "\n## Settings that differ\n\n";
  if (report.config.differing.columns.size() > 1) write_table(out, report.config.differing);
  else out << "None: all runs have the same settings.\n";
  if (!report.config.shared.empty()) {
    out << "\nAll runs share:";
    for (size_t i = 0; i < report.config.shared.size(); ++i)
      out << (i ? ", " : " ") << report.config.shared[i].first << " = `" << report.config.shared[i].second << "`";
    out << ".\n";
  }

  out << "\n## Metrics\n\n" << report.metrics_order << "\n\n";
  write_table(out, report.metrics);
  if (!report.group_by.empty()) {
    out << "\n### Grouped by " << escaped(join_words(report.group_by)) << "\n\n"
        << "Mean and sample standard deviation of the last values over each group's runs; bold: the best mean.\n\n";
    write_table(out, report.grouped);
  }

  out << "\n## Plots\n\n";
  for (const Figure& plot : report.plots)
    out << "### " << escaped(plot.caption) << "\n\n![" << escaped(plot.caption) << "](" << plot.png.generic_string()
        << ")\n\n[SVG](" << plot.svg.generic_string() << ")\n\n";

  out << "## Samples\n\n";
  write_samples(out, report.samples);
  for (const auto& label : report.without_samples) out << escaped(label) << " logged no sample grid.\n\n";
  if (!out) throw IoError("cannot write '" + path.string() + "'");
}

}  // namespace genlab::compare
