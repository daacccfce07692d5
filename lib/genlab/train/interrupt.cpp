#include "genlab/train/interrupt.hpp"

#include <time.h>

#include <csignal>

namespace genlab::train {
namespace {

volatile std::sig_atomic_t stop_requested = 0;
timespec first_signal{};
struct sigaction previous_int, previous_term;

// A signal delivered twice at once counts once: Slurm signals every process of a job, and
// `genlab sweep` passes the signal on to its training child as well.
constexpr double repeat_window_seconds = 1.0;

double seconds_since(const timespec& then) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe
  return double(now.tv_sec - then.tv_sec) + 1e-9 * double(now.tv_nsec - then.tv_nsec);
}

void on_signal(int signal) {
  if (stop_requested) {
    if (seconds_since(first_signal) < repeat_window_seconds) return;
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
  clock_gettime(CLOCK_MONOTONIC, &first_signal);
  stop_requested = 1;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  stop_requested = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
}

bool InterruptGuard::requested() { return stop_requested != 0; }

}  // namespace genlab::train
