#pragma once
// Running a sweep's runs: one run to its end (what each local job and each Slurm array task
// does), all unfinished runs on this machine, or all of them as one Slurm job array.
#include <cstddef>
#include <string>

#include "experiments/sweep/directory.hpp"

namespace genlab::sweep {

// Trains run `index` (resuming its run file), then runs the sweep's evaluations on it, keeping
// its state file current. SIGINT and SIGTERM (Ctrl-C, Slurm's time limit, scancel) reach the
// training as a request to checkpoint and stop. Returns 0 when the run finished.
int run_task(const SweepDirectory& sweep, size_t index);

// Runs every run that is not finished (nor running elsewhere), `jobs` at a time, each logging to
// its log.txt; prints a line as each one ends. Returns 0 when all of them finished, 130 when
// interrupted, 1 when some failed.
int run_local(const SweepDirectory& sweep, int jobs);

// Writes DIR/slurm/array.sbatch for the runs that are not finished and submits it with sbatch;
// returns the job id ("" and a message when nothing is left to run).
std::string submit_to_slurm(const SweepDirectory& sweep);

// run_local ("local") or submit_to_slurm ("slurm"); ConfigError for another launcher.
int launch(const SweepDirectory& sweep, const std::string& launcher, int jobs);

// The runs a sweep made, one line each (--dry-run).
std::string plan(const SweepDirectory& sweep);

// The runs and their states, as a table; or as one JSON object (docs/experiments.md).
std::string status_table(const SweepDirectory& sweep);
std::string status_json(const SweepDirectory& sweep);

}  // namespace genlab::sweep
