#pragma once
// Progress of long work: on a terminal, one line redrawn in place with a bar, rate, elapsed time,
// ETA and the latest losses; elsewhere (a log file, a Slurm job) a plain line every few seconds.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace genlab::train {

using Values = std::vector<std::pair<std::string, double>>;

class Progress {
 public:
  // The work ends at `total_steps` (0: unknown) or after `time_limit` seconds (0: none), whichever
  // comes first; `first_step` is where this session starts (a resumed run starts later).
  Progress(std::string label, int64_t first_step, int64_t total_steps, double time_limit, std::ostream& out);
  // Same, writing to standard error, drawn in place when it is a terminal.
  Progress(std::string label, int64_t first_step, int64_t total_steps, double time_limit);

  void update(int64_t step, const Values& values);
  void finish(int64_t step, const Values& values, const std::string& note = "");

  double elapsed_seconds() const;

 private:
  std::string line(int64_t step, const Values& values, bool final) const;

  std::string label_;
  int64_t first_step_, total_steps_;
  double time_limit_;
  std::ostream& out_;
  bool interactive_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1:05:03" or "02:07"
std::string format_duration(double seconds);

}  // namespace genlab::train
