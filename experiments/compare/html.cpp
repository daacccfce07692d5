// report.html: one file that opens anywhere, with nothing beside it: the plots are inline SVG and
// the sample grids PNG data URIs.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>

#include "experiments/compare/report.hpp"
#include "genlab/core/error.hpp"

namespace genlab::compare {
namespace fs = std::filesystem;

namespace {

const char* const style = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; }
.subtitle { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; }
th { background: #f4f4f4; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
td.best { font-weight: bold; background: #eaf4ea; }
.scroll { overflow-x: auto; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(30rem, 1fr)); gap: 1rem; }
.plots figure, .samples figure { margin: 0; }
.plots svg { width: 100%; height: auto; }
.samples { display: flex; flex-wrap: wrap; gap: 1.5rem; }
.samples img { width: 16rem; image-rendering: pixelated; border: 1px solid #ccc; }
figcaption { text-align: center; font-size: 0.9rem; color: #444; }
details { margin: 0.5rem 0 1rem; }
summary { cursor: pointer; color: #444; }
)";

std::string escaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read '" + path.string() + "'");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string base64(const std::string& bytes) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t k = 0; k < 3; ++k) group = group << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (size_t k = 0; k < 4; ++k) out += k <= n ? digits[(group >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

// gnuplot's SVG without its XML prolog, its ids prefixed: several plots in one page would
// otherwise share the ids of their markers and groups.
std::string inline_svg(const std::string& svg, const std::string& prefix) {
  std::string body = svg.substr(std::min(svg.find("<svg"), svg.size()));
  for (const std::string from : {"id='", "id=\"", "href='#", "href=\"#", "url(#"}) {
    const std::string to = from + prefix;
    for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + to.size()))
      body.replace(at, from.size(), to);
  }
  return body;
}

void write_table(std::ostream& out, const Table& table) {
  out << "<div class=\"scroll\"><table>\n<tr>";
  for (size_t c = 0; c < table.columns.size(); ++c)
    out << "<th" << (c >= table.numbers_from ? " class=\"number\"" : "") << ">" << escaped(table.columns[c]) << "</th>";
  out << "</tr>\n";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    out << "<tr>";
    for (size_t c = 0; c < table.rows[r].size(); ++c) {
      std::string classes = c >= table.numbers_from ? "number" : "";
      if (table.emphasized.contains({r, c})) classes += classes.empty() ? "best" : " best";
      out << "<td" << (classes.empty() ? "" : " class=\"" + classes + "\"") << ">" << escaped(table.rows[r][c]) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table></div>\n";
}

}  // namespace

void write_html(const Report& report, const fs::path& dir) {
  const fs::path path = dir / "report.html";
  std::ofstream out(path);
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << escaped(report.title) << "</title>\n<style>" << style << "</style>\n</head>\n<body>\n"
      << "<h1>" << escaped(report.title) << "</h1>\n"
      << "<p class=\"subtitle\">" << escaped(report.date) << ": " << report.runs.rows.size()
      << " runs, compared by <code>genlab compare</code>.</p>\n"
      << "<h2>Runs</h2>\n";
  write_table(out, report.runs);
  for (const auto& skipped : report.skipped) out << "<p>Skipped " << escaped(skipped) << ".</p>\n";

  out << "<h2>Settings that differ</h2>\n";
  if (report.config.differing.columns.size() > 1) write_table(out, report.config.differing);
  else out << "<p>None: all runs have the same settings.</p>\n";
  if (!report.config.shared.empty()) {
    Table shared;
    shared.columns = {"setting", "value"};
    for (const auto& [name, value] : report.config.shared) shared.rows.push_back({name, value});
    out << "<details><summary>" << shared.rows.size() << " settings all runs share</summary>\n";
    write_table(out, shared);
    out << "</details>\n";
  }

  out << "<h2>Metrics</h2>\n<p>" << escaped(report.metrics_order) << "</p>\n";
  write_table(out, report.metrics);
  if (!report.group_by.empty()) {
    std::string settings;
    for (const auto& name : report.group_by) settings += (settings.empty() ? "" : ", ") + name;
    out << "<h3>Grouped by " << escaped(settings) << "</h3>\n<p>Mean and sample standard deviation of the last values "
        << "over each group's runs; bold: the best mean.</p>\n";
    write_table(out, report.grouped);
  }

  out << "<h2>Plots</h2>\n<div class=\"plots\">\n";
  for (size_t i = 0; i < report.plots.size(); ++i)
    out << "<figure>" << inline_svg(read_file(dir / report.plots[i].svg), "plot" + std::to_string(i) + "-")
        << "</figure>\n";
  out << "</div>\n";

  out << "<h2>Samples</h2>\n<div class=\"samples\">\n";
  for (const Figure& sample : report.samples)
    out << "<figure><img alt=\"" << escaped(sample.caption) << "\" src=\"data:image/png;base64,"
        << base64(read_file(dir / sample.png)) << "\"><figcaption>" << escaped(sample.caption) << "</figcaption></figure>\n";
  out << "</div>\n";
  for (const auto& label : report.without_samples) out << "<p>" << escaped(label) << " logged no sample grid.</p>\n";
  out << "</body>\n</html>\n";
  if (!out) throw IoError("cannot write '" + path.string() + "'");
}

}  // namespace genlab::compare
