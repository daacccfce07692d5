#include "genlab/train/interrupt.hpp"

#include <csignal>

namespace genlab::train {
namespace {

volatile std::sig_atomic_t stop_requested = 0;
struct sigaction previous_int, previous_term;

void on_signal(int signal) {
  if (stop_requested) {
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
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
