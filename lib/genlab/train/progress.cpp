#include "genlab/train/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace genlab::train {
namespace {

using clock = std::chrono::steady_clock;

constexpr double redraw_interval = 0.1;   // seconds between redraws on a terminal
constexpr double log_interval = 10.0;     // seconds between lines elsewhere
constexpr int bar_width = 24;

std::string format_value(double v) {
  char text[32];
  std::snprintf(text, sizeof text, std::abs(v) >= 1e4 || (v != 0 && std::abs(v) < 1e-3) ? "%.3e" : "%.4g", v);
  return text;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return text;
}

Progress::Progress(std::string label, int64_t first_step, int64_t total_steps, double time_limit, std::ostream& out)
    : label_(std::move(label)),
      first_step_(first_step),
      total_steps_(total_steps),
      time_limit_(time_limit),
      out_(out),
      interactive_(false),
      start_(clock::now()),
      last_draw_(start_) {}

Progress::Progress(std::string label, int64_t first_step, int64_t total_steps, double time_limit)
    : Progress(std::move(label), first_step, total_steps, time_limit, std::cerr) {
  interactive_ = isatty(STDERR_FILENO) != 0;
}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(clock::now() - start_).count();
}

std::string Progress::line(int64_t step, const Values& values, bool final) const {
  const double elapsed = elapsed_seconds();
  const double done_here = static_cast<double>(step - first_step_);
  const double rate = elapsed > 0 ? done_here / elapsed : 0.0;
  // Fraction done and time left, by steps and by the time limit; the sooner end wins.
  double fraction = 0.0, remaining = INFINITY;
  if (total_steps_ > 0) {
    fraction = static_cast<double>(step) / static_cast<double>(total_steps_);
    if (rate > 0) remaining = static_cast<double>(total_steps_ - step) / rate;
  }
  const bool steps_end_first = total_steps_ > 0 && (time_limit_ <= 0 || remaining <= time_limit_ - elapsed);
  if (time_limit_ > 0) {
    fraction = std::max(fraction, elapsed / time_limit_);
    remaining = std::min(remaining, time_limit_ - elapsed);
  }
  fraction = final ? 1.0 : std::clamp(fraction, 0.0, 1.0);

  std::string text = label_;
  if (interactive_) {
    const int filled = static_cast<int>(fraction * bar_width);
    text += " [" + std::string(filled, '#') + std::string(bar_width - filled, '-') + "]";
  }
  char head[160];
  const std::string total = steps_end_first ? "/" + std::to_string(total_steps_) : "";
  std::snprintf(head, sizeof head, " %3d%% step %lld%s | %.2f it/s | %s < %s", static_cast<int>(fraction * 100),
                static_cast<long long>(step), total.c_str(), rate, format_duration(elapsed).c_str(),
                final ? "00:00" : format_duration(remaining).c_str());
  text += head;
  if (!values.empty()) text += " |";
  for (const auto& [name, value] : values) text += " " + name + " " + format_value(value);
  return text;
}

void Progress::update(int64_t step, const Values& values) {
  const auto now = clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (interactive_ ? redraw_interval : log_interval)) return;
  last_draw_ = now;
  if (interactive_)
    out_ << "\r\033[K" << line(step, values, false) << std::flush;
  else
    out_ << line(step, values, false) << '\n' << std::flush;
}

void Progress::finish(int64_t step, const Values& values, const std::string& note) {
  if (interactive_) out_ << "\r\033[K";
  out_ << line(step, values, true);
  if (!note.empty()) out_ << " (" << note << ")";
  out_ << '\n' << std::flush;
}

}  // namespace genlab::train
