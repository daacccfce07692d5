#pragma once
// The training loop every model shares: batches in a reproducible order, the stopping rules
// (--epochs, --steps, --time-limit, Ctrl-C), logging to the run file, periodic checkpoints with a
// sample grid, and resuming from a checkpoint at the exact batch where it was written.
//
// A model supplies a TrainingTask: one optimisation step on a batch, and what it keeps in a
// checkpoint beyond the loop's position.
#include <cmath>
#include <concepts>
#include <optional>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/train/common_config.hpp"
#include "genlab/train/interrupt.hpp"
#include "genlab/train/progress.hpp"

namespace genlab::train {

template <class T>
concept TrainingTask = requires(T& task, const data::Batch& batch, io::Checkpoint& out, const io::Checkpoint& in) {
  { task.step(batch) } -> std::same_as<Values>;  // the step's losses and statistics, by name
  { task.save(out) } -> std::same_as<void>;       // parameters, optimiser states, generators
  { task.load(in) } -> std::same_as<void>;
};

// Where the batches come from: any source that can produce batch `index` of `epoch` directly
// (data::BatchSampler over a data set in memory, data::PhotoCropSampler's random crops), so that a
// resumed run sees exactly the batches the uninterrupted run would have seen.
template <class S>
concept BatchSource = requires(const S& source, int64_t i) {
  { source.batches_per_epoch() } -> std::convertible_to<int64_t>;
  { source.batch(i, i) } -> std::same_as<data::Batch>;
};

// A task that makes pictures (a generator) also gives a sample grid for each checkpoint.
template <class T>
concept SnapshotTask = requires(T& task) {
  { task.snapshot() } -> std::same_as<io::Image>;
};

// A task that measures itself on held-out data (the codec: bits per pixel and PSNR of real files
// of its evaluation images) at each checkpoint; the values go to the run file's /metrics.
template <class T>
concept EvaluatingTask = requires(T& task) {
  { task.evaluate() } -> std::same_as<Values>;
};

// Where the loop is: the next step to run and the batch it takes.
struct Position {
  int64_t step = 0, epoch = 0, batch = 0;
};

struct FitSummary {
  Position end;
  Values last;
  double seconds = 0;
  std::string stopped_by;  // "steps", "epochs", "time limit", "interrupt"
};

inline Position position_of(const io::Checkpoint& checkpoint) {
  auto read = [&](const char* key) -> int64_t {
    const auto it = checkpoint.attributes.find(key);
    if (it == checkpoint.attributes.end() || !std::holds_alternative<int64_t>(it->second))
      throw IoError(std::string("checkpoint has no integer attribute '") + key + "'");
    return std::get<int64_t>(it->second);
  };
  return {checkpoint.step, read("epoch"), read("batch")};
}

// Writes the task's checkpoint at `at`, with a sample grid when the task makes pictures.
template <TrainingTask Task>
void write_checkpoint(Task& task, io::RunFile& run, const Position& at) {
  io::Checkpoint checkpoint;
  checkpoint.step = at.step;
  checkpoint.attributes["epoch"] = at.epoch;
  checkpoint.attributes["batch"] = at.batch;
  task.save(checkpoint);
  if constexpr (SnapshotTask<Task>) run.add_image("samples", at.step, task.snapshot());
  if constexpr (EvaluatingTask<Task>)
    for (const auto& [name, value] : task.evaluate()) run.add_metric(name, at.step, value);
  run.commit(&checkpoint);
}

template <TrainingTask Task, BatchSource Batches>
FitSummary fit(Task& task, const Batches& batches, const CommonConfig& config, io::RunFile& run,
               const std::optional<io::Checkpoint>& resume_from, const std::string& label) {
  Position at;
  if (resume_from) {
    task.load(*resume_from);
    at = position_of(*resume_from);
    run.truncate_after(at.step);
  }
  const int64_t per_epoch = batches.batches_per_epoch();
  int64_t total = config.epochs * per_epoch;
  if (config.steps > 0) total = std::min(total, config.steps);

  FitSummary summary;
  Progress progress(label, at.step, total, config.time_limit);
  InterruptGuard interrupt;
  int64_t last_checkpoint = at.step;
  bool checkpoint_is_current = resume_from.has_value();
  while (at.step < total) {
    if (InterruptGuard::requested()) {
      summary.stopped_by = "interrupt";
      break;
    }
    if (config.time_limit > 0 && progress.elapsed_seconds() >= config.time_limit) {
      summary.stopped_by = "time limit";
      break;
    }
    summary.last = task.step(batches.batch(at.epoch, at.batch));
    for (const auto& [name, value] : summary.last)
      if (!std::isfinite(value))
        throw Error("training diverged at step " + std::to_string(at.step + 1) + ": " + name + " = " +
                    std::to_string(value) + "; the run file keeps the checkpoint of step " +
                    std::to_string(last_checkpoint) + " (try a lower learning rate)");
    ++at.step;
    checkpoint_is_current = false;
    if (++at.batch == per_epoch) {
      at.batch = 0;
      ++at.epoch;
    }
    if (at.step % config.log_every == 0)
      for (const auto& [name, value] : summary.last) run.add_scalar(name, at.step, value);
    progress.update(at.step, summary.last);
    if (at.step % config.checkpoint_every == 0) {
      write_checkpoint(task, run, at);
      last_checkpoint = at.step;
      checkpoint_is_current = true;
    }
  }
  if (summary.stopped_by.empty()) summary.stopped_by = config.steps > 0 && total == config.steps ? "steps" : "epochs";
  if (!checkpoint_is_current) write_checkpoint(task, run, at);
  progress.finish(at.step, summary.last, "stopped by " + summary.stopped_by);
  summary.end = at;
  summary.seconds = progress.elapsed_seconds();
  return summary;
}

}  // namespace genlab::train
