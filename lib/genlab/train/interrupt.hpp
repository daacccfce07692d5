#pragma once
// Ctrl-C (SIGINT) and SIGTERM (Slurm's time limit) during training ask the loop to stop after the
// current step and write a checkpoint, instead of killing the process and losing the work since
// the last one. A second signal, a second or more after the first, exits at once.
namespace genlab::train {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  static bool requested();
};

}  // namespace genlab::train
