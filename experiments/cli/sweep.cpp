// genlab sweep SWEEP.toml | status DIR | run DIR --task K
#include <iostream>

#include "experiments/cli/command.hpp"
#include "experiments/sweep/directory.hpp"
#include "experiments/sweep/launch.hpp"
#include "experiments/sweep/spec.hpp"
#include "genlab/core/error.hpp"

namespace genlab::cli {

std::vector<Command> add_sweep(CLI::App& parent) {
  struct State {
    std::string spec, out, launcher = "local", directory;
    int jobs = 1;
    int64_t task = -1;
    bool dry_run = false, json = false;
  };
  auto state = std::make_shared<State>();
  CLI::App* app = parent.add_subcommand(
      "sweep", "train a grid (and random draws) of settings, locally or as a Slurm job array; see docs/experiments.md");
  app->add_option("spec", state->spec, "sweep file (TOML): [sweep] train = MODEL, [config], [grid], [random], [slurm]");
  app->add_option("--out", state->out, "sweep directory (default: runs/sweeps/<name>)");
  app->add_option("--jobs", state->jobs, "runs at a time on this machine")->capture_default_str()->check(CLI::PositiveNumber);
  app->add_option("--launcher", state->launcher, "local, or slurm (sbatch --array)")
      ->capture_default_str()
      ->check(CLI::IsMember({"local", "slurm"}));
  app->add_flag("--dry-run", state->dry_run, "write the sweep directory and list its runs, run nothing");

  CLI::App* status = app->add_subcommand("status", "the runs of a sweep directory: finished, running, failed, ...");
  status->add_option("directory", state->directory, "sweep directory")->required();
  status->add_flag("--json", state->json, "print one JSON object");
  CLI::App* run = app->add_subcommand("run", "run one run of a sweep directory (what each job or array task does)");
  run->add_option("directory", state->directory, "sweep directory")->required();
  run->add_option("--task", state->task, "the run's index (SLURM_ARRAY_TASK_ID)")->required()->check(CLI::NonNegativeNumber);

  Command status_command{status, [state] {
                           const auto sweep = sweep::SweepDirectory::open(state->directory);
                           std::cout << (state->json ? sweep::status_json(sweep) + "\n" : sweep::status_table(sweep));
                           return 0;
                         }};
  Command run_command{run, [state] {
                        return sweep::run_task(sweep::SweepDirectory::open(state->directory), size_t(state->task));
                      }};
  Command sweep_command{app, [state, status, run] {
                          if (status->parsed() || run->parsed()) return 0;  // handled by their own commands
                          if (state->spec.empty()) throw ConfigError("genlab sweep: give a sweep file, as in genlab sweep experiments/sweeps/dcgan-lr-batch.toml");
                          const sweep::SweepSpec spec = sweep::read_spec(state->spec);
                          const std::string out = state->out.empty() ? "runs/sweeps/" + spec.name : state->out;
                          const auto sweep = sweep::SweepDirectory::prepare(out, spec);
                          if (state->dry_run) {
                            std::cout << sweep::plan(sweep);
                            return 0;
                          }
                          return sweep::launch(sweep, state->launcher, state->jobs);
                        }};
  // The subcommands first: main runs the first parsed command of the list.
  return {status_command, run_command, sweep_command};
}

}  // namespace genlab::cli
