#include "experiments/compare/plots.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "experiments/compare/tables.hpp"
#include "experiments/process/child_process.hpp"
#include "genlab/core/error.hpp"

namespace genlab::compare {
namespace fs = std::filesystem;

namespace {

// Colours that stay apart for the colour-blind (Tableau 10); runs past ten reuse them dashed.
const char* const palette[] = {"1f77b4", "ff7f0e", "2ca02c", "d62728", "9467bd",
                               "8c564b", "e377c2", "7f7f7f", "bcbd22", "17becf"};
constexpr size_t palette_size = std::size(palette);

// Losses of single batches are noisy; series this long get a smoothed curve over the faint raw one.
constexpr size_t smoothing_threshold = 50;

// The centred moving average over about 4% of the series, narrower at its ends.
std::vector<double> smoothed(const Series& series) {
  const size_t n = series.size(), half = n / 50;
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t from = i >= half ? i - half : 0, to = std::min(n, i + half + 1);
    double sum = 0;
    for (size_t j = from; j < to; ++j) sum += series[j].value;
    out[i] = sum / static_cast<double>(to - from);
  }
  return out;
}

// A gnuplot string literal: single quotes take nothing literally but '' (a quote). Control
// characters would end the command, so they become spaces.
std::string gnuplot_string(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += "''";
    else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
    else out += c;
  }
  return out + "'";
}

bool smooth(const Curve& curve) { return curve.points.size() >= smoothing_threshold; }

// A metric measured once per run (a sweep's final FID) is a bar per run, not a column of dots.
bool as_bars(const Plot& plot) {
  return plot.is_metric && std::all_of(plot.curves.begin(), plot.curves.end(),
                                       [](const Curve& curve) { return curve.points.size() == 1; });
}

void write_data(const Plot& plot, const fs::path& path) {
  std::ofstream out(path);
  out.precision(10);
  for (const Curve& curve : plot.curves) {  // one block per curve, two blank lines apart (gnuplot's `index`)
    out << "# " << curve.label << "\n# step value smoothed\n";
    const auto smooth_values = smoothed(curve.points);
    for (size_t i = 0; i < curve.points.size(); ++i)
      out << curve.points[i].step << " " << curve.points[i].value << " " << smooth_values[i] << "\n";
    out << "\n\n";
  }
  if (!out) throw IoError("cannot write '" + path.string() + "'");
}

std::string plot_command(const Plot& plot) {
  const std::string data = gnuplot_string(plot.name + ".dat");
  std::vector<std::string> raw, main;
  for (size_t i = 0; i < plot.curves.size(); ++i) {
    const Curve& curve = plot.curves[i];
    const std::string colour = palette[curve.run_index % palette_size];
    const std::string dash = curve.run_index >= palette_size ? " dt 2" : "";
    const std::string block = data + " index " + std::to_string(i);
    const std::string title = " title " + gnuplot_string(curve.label);
    if (as_bars(plot)) {
      main.push_back(block + " using (" + std::to_string(i) + "):2 with boxes fs solid 0.85 noborder lc rgb '#" + colour +
                     "'" + title);
    } else if (smooth(curve)) {
      raw.push_back(block + " using 1:2 with lines lw 1 lc rgb '#A0" + colour + "'" + dash + " notitle");
      main.push_back(block + " using 1:3 with lines lw 2 lc rgb '#" + colour + "'" + dash + title);
    } else {
      const bool markers = plot.is_metric || curve.points.size() < 10;
      main.push_back(block + " using 1:2 with " + (markers ? "linespoints pt 7 ps 0.7" : "lines") +
                     " lw 2 lc rgb '#" + colour + "'" + dash + title);
    }
  }
  std::string command = "plot ";
  bool first = true;
  for (const auto* part : {&raw, &main})  // raw curves first, so the smoothed ones are drawn over them
    for (const auto& element : *part) {
      command += (first ? "" : ", \\\n     ") + element;
      first = false;
    }
  return command;
}

void write_script(const Plot& plot, const fs::path& path) {
  std::ofstream out(path);
  out << "# genlab compare: " << plot.title << ". Rerun here with: gnuplot " << plot.name << ".gp\n"
      << "set title " << gnuplot_string(plot.title) << "\n";
  if (as_bars(plot)) {
    const int64_t step = plot.curves.front().points.front().step;
    const bool one_step = std::all_of(plot.curves.begin(), plot.curves.end(),
                                      [&](const Curve& curve) { return curve.points.front().step == step; });
    out << "set boxwidth 0.7\nset xrange [-0.6:" << double(plot.curves.size()) - 0.4 << "]\nset yrange [0:*]\n"
        << "set xlabel " << gnuplot_string(one_step ? "at step " + std::to_string(step) : "each run's one value") << "\n";
  } else {
    out << "set xlabel 'step'\nset autoscale xfix\n";
  }
  out
      << "set grid lc rgb '#e0e0e0'\n"
      << "set border 3\nset tics nomirror\n"
      << "set key below Left reverse samplen 2 width 1\n"
      << (as_bars(plot) ? "unset xtics\n" : "")
      // noenhanced: labels are text, not markup ('loss_d' is no subscript).
      << "set terminal svg size 800,480 dynamic noenhanced font 'sans,12' background rgb 'white'\n"
      << "set output " << gnuplot_string(plot.name + ".svg") << "\n"
      << plot_command(plot) << "\n"
      << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
      << "  set terminal pngcairo size 800,480 noenhanced font 'sans,10' background rgb 'white'\n"
      << "} else {\n"
      << "  set terminal png size 800,480 noenhanced\n"
      << "}\n"
      << "set output " << gnuplot_string(plot.name + ".png") << "\n"
      << "replot\n"
      << "unset output\n";
  if (!out) throw IoError("cannot write '" + path.string() + "'");
}

}  // namespace

std::string file_stem_for(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out += plain ? c : '-';
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');  // no hidden files
  return out;
}

std::vector<Plot> plots_of(const std::vector<ComparedRun>& runs) {
  std::vector<Plot> plots;
  for (const SeriesName& series : all_series(runs)) {
    const std::string name = display_name(series, runs);
    Plot plot{file_stem_for(name), name, series.is_metric, {}};
    if (series.is_metric) plot.title += higher_is_better(series.name) ? " (higher is better)" : " (lower is better)";
    for (size_t r = 0; r < runs.size(); ++r)
      if (const Series* points = find_series(runs[r], series); points != nullptr && !points->empty())
        plot.curves.push_back({runs[r].label, r, *points});
    plots.push_back(std::move(plot));
  }
  return plots;
}

fs::path find_gnuplot() {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "");
  for (std::string directory; std::getline(directories, directory, ':');) {
    const fs::path candidate = fs::path(directory.empty() ? "." : directory) / "gnuplot";
    if (access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  throw Error("genlab compare draws its plots with gnuplot, which is not on PATH: apt-get install gnuplot-nox");
}

void draw(const Plot& plot, const fs::path& dir, const fs::path& gnuplot) {
  const std::string script = plot.name + ".gp", log = plot.name + ".log";
  write_data(plot, dir / (plot.name + ".dat"));
  write_script(plot, dir / script);
  const int status = process::wait_for(process::spawn(fs::absolute(gnuplot), {script}, fs::absolute(dir / log), dir));
  std::ifstream log_file(dir / log);
  const std::string message((std::istreambuf_iterator<char>(log_file)), std::istreambuf_iterator<char>());
  if (status != 0)
    throw Error("gnuplot failed on '" + (dir / script).string() + "' (exit status " + std::to_string(status) +
                (status == 127 ? ", could not be started" : "") + ")" + (message.empty() ? "" : ": " + message));
  for (const char* format : {".svg", ".png"}) {
    const fs::path drawn = dir / (plot.name + format);
    if (!fs::exists(drawn) || fs::file_size(drawn) == 0)
      throw Error("gnuplot ran '" + (dir / script).string() + "' but wrote no " + drawn.filename().string() +
                  (message.empty() ? "" : ": " + message));
  }
  fs::remove(dir / log);
}

}  // namespace genlab::compare
