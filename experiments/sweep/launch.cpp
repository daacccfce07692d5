#include "experiments/sweep/launch.hpp"

#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "experiments/cli/command.hpp"
#include "experiments/process/child_process.hpp"
#include "genlab/config/config.hpp"
#include "genlab/core/error.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/train/progress.hpp"

namespace genlab::sweep {
namespace fs = std::filesystem;
using process::CommandOutput;
using process::genlab_executable;
using process::run_command;
using process::shell_quote;
using process::spawn;
using process::wait_for;

namespace {

// ---- Signals: a stop request is passed on to the children, which checkpoint and exit.

std::atomic<pid_t> current_child{0};
std::atomic<bool> stop_requested{false};

extern "C" void forward_stop(int) {
  stop_requested = true;
  if (const pid_t child = current_child.load(); child > 0) kill(child, SIGINT);
}

class StopForwarding {
 public:
  StopForwarding() {
    struct sigaction action{};
    action.sa_handler = forward_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopForwarding() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_{}, old_term_{};
};

int run_child(const std::vector<std::string>& arguments, const fs::path& log) {
  {
    std::ofstream out(log, std::ios::app);
    out << "\n$ genlab";
    for (const std::string& word : arguments) out << " " << shell_quote(word);
    out << "\n";
  }
  const pid_t pid = spawn(genlab_executable(), arguments, log);
  current_child = pid;
  if (stop_requested) kill(pid, SIGINT);
  const int code = wait_for(pid);
  current_child = 0;
  return code;
}

// What `genlab eval <metric> --record` stores, to skip evaluations a re-run already has.
std::string recorded_name(const std::string& metric) { return metric == "precision-recall" ? "precision" : metric; }

bool already_recorded(const fs::path& run_file, const std::string& metric) {
  const io::RunFile run = io::RunFile::open(run_file);
  const auto checkpoint = run.checkpoint();
  if (!checkpoint) return false;
  for (const io::ScalarPoint& point : run.metrics(recorded_name(metric)))
    if (point.step == checkpoint->step) return true;
  return false;
}

bool is_unfinished(RunState state) {
  return state == RunState::pending || state == RunState::failed || state == RunState::interrupted;
}

}  // namespace

int run_task(const SweepDirectory& sweep, size_t index) {
  if (index >= sweep.runs().size())
    throw ConfigError("--task " + std::to_string(index) + ": sweep '" + sweep.name() + "' has runs 0 to " +
                      std::to_string(sweep.runs().size() - 1));
  const PlannedRun& run = sweep.runs()[index];
  const SweepSpec spec = sweep.spec();
  const fs::path log = sweep.log_file(run);
  StopForwarding forwarding;
  // Killed before its first checkpoint: the file holds a header and nothing to resume from.
  if (fs::exists(sweep.run_file(run)) && !io::read_checkpoint(sweep.run_file(run))) fs::remove(sweep.run_file(run));
  sweep.mark_running(run);
  std::cout << "run " << run.id << " (" << run.name << "): training, log " << log.string() << std::endl;

  int code = run_child({"train", sweep.model(), "--config", sweep.config_file(run).string(), "--out",
                        sweep.run_file(run).string(), "--resume"},
                       log);
  for (size_t i = 0; code == 0 && i < spec.evaluations.size(); ++i) {
    const Evaluation& evaluation = spec.evaluations[i];
    if (already_recorded(sweep.run_file(run), evaluation.metric)) continue;
    std::vector<std::string> arguments{"eval", evaluation.metric, "--fake", sweep.run_file(run).string(), "--record"};
    for (const auto& [key, value] : evaluation.options) {
      arguments.push_back(config::option_name(key));
      arguments.push_back(value);
    }
    std::cout << "run " << run.id << ": " << evaluation.metric << std::endl;
    code = run_child(arguments, log);
  }
  const bool interrupted = stop_requested || code == cli::exit_interrupted;
  const RunState state = code == 0 ? RunState::finished : interrupted ? RunState::interrupted : RunState::failed;
  sweep.mark_ended(run, state, code);
  std::cout << "run " << run.id << ": " << to_string(state) << (code ? " (exit code " + std::to_string(code) + ")" : "")
            << std::endl;
  return code == 0 ? 0 : interrupted ? cli::exit_interrupted : 1;
}

int run_local(const SweepDirectory& sweep, int jobs) {
  std::vector<size_t> todo;
  size_t finished = 0, elsewhere = 0;
  for (size_t i = 0; i < sweep.runs().size(); ++i) {
    const RunStatus status = sweep.status(sweep.runs()[i]);
    if (status.state == RunState::finished)
      ++finished;
    else if (status.state == RunState::running || status.state == RunState::queued)
      ++elsewhere;  // a live process here, another node or a Slurm job: not ours to start twice
    else
      todo.push_back(i);
  }
  std::cout << "sweep '" << sweep.name() << "': " << sweep.runs().size() << " runs, " << finished << " finished, "
            << elsewhere << " running elsewhere, " << todo.size() << " to run, " << jobs << " at a time" << std::endl;

  // The runs are in process groups of their own: a Ctrl-C or SIGTERM reaches them once, from here.
  StopForwarding forwarding;
  std::map<pid_t, size_t> running;
  std::map<pid_t, std::chrono::steady_clock::time_point> started;
  size_t next = 0, done = 0, failed = 0;
  bool stop_passed_on = false;
  const auto sweep_start = std::chrono::steady_clock::now();
  const fs::path genlab = genlab_executable();
  while (next < todo.size() || !running.empty()) {
    while (!stop_requested && next < todo.size() && running.size() < size_t(jobs)) {
      const PlannedRun& run = sweep.runs()[todo[next]];
      const pid_t pid = spawn(genlab, {"sweep", "run", sweep.root().string(), "--task", std::to_string(todo[next])},
                              sweep.log_file(run));
      running[pid] = todo[next++];
      started[pid] = std::chrono::steady_clock::now();
    }
    if (stop_requested && !stop_passed_on) {
      for (const auto& [pid, index] : running) kill(pid, SIGINT);
      stop_passed_on = true;
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) continue;  // EINTR: a signal; the loop passes it on
    const auto found = running.find(pid);
    if (found == running.end()) continue;
    const PlannedRun& run = sweep.runs()[found->second];
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started[pid]).count();
    ++done;
    failed += code != 0 && code != cli::exit_interrupted;
    const RunStatus now = sweep.status(run);
    std::cout << "[" << done << "/" << todo.size() << "] run " << run.id << " (" << run.name << ") "
              << to_string(now.state) << (now.step ? " at step " + std::to_string(*now.step) : "") << " after "
              << train::format_duration(seconds) << (code ? "; log " + sweep.log_file(run).string() : "") << std::endl;
    running.erase(found);
    started.erase(pid);
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - sweep_start).count();
  std::cout << "sweep '" << sweep.name() << "': " << done << " runs in " << train::format_duration(total);
  if (stop_requested) {
    std::cout << "; interrupted: re-run the same command to resume" << std::endl;
    return cli::exit_interrupted;
  }
  std::cout << (failed ? "; " + std::to_string(failed) + " failed" : "") << std::endl;
  return failed ? 1 : 0;
}

std::string submit_to_slurm(const SweepDirectory& sweep) {
  const SweepSpec spec = sweep.spec();
  std::vector<size_t> todo;
  for (size_t i = 0; i < sweep.runs().size(); ++i)
    if (is_unfinished(sweep.status(sweep.runs()[i]).state)) todo.push_back(i);
  if (todo.empty()) {
    std::cout << "sweep '" << sweep.name() << "': nothing to submit (every run is finished, queued or running)\n";
    return "";
  }
  if (run_command("command -v sbatch").exit_code != 0)
    throw Error("--launcher slurm submits with sbatch, which is not on PATH (is this a Slurm login node?)");

  const fs::path root = fs::absolute(sweep.root());
  fs::create_directories(root / "slurm");
  std::string indices;
  for (size_t i : todo) indices += (indices.empty() ? "" : ",") + std::to_string(i);
  if (spec.slurm.max_parallel > 0) indices += "%" + std::to_string(spec.slurm.max_parallel);

  std::ostringstream script;
  script << "#!/bin/bash\n"
         << "# genlab sweep '" << sweep.name() << "': one array task per run (genlab sweep status " << root.string() << ")\n"
         << "#SBATCH --job-name=" << "genlab-" << sweep.name() << "\n"
         << "#SBATCH --array=" << indices << "\n"
         << "#SBATCH --output=" << (root / "slurm" / "%A_%a.out").string() << "\n";
  for (const auto& [key, value] : spec.slurm.sbatch) script << "#SBATCH " << config::option_name(key) << "=" << value << "\n";
  if (!spec.slurm.setup.empty()) script << spec.slurm.setup << "\n";
  script << "exec " << shell_quote(genlab_executable().string()) << " sweep run " << shell_quote(root.string())
         << " --task \"$SLURM_ARRAY_TASK_ID\"\n";
  const fs::path script_path = root / "slurm" / "array.sbatch";
  {
    std::ofstream out(script_path, std::ios::trunc);
    out << script.str();
    if (!out) throw IoError("cannot write '" + script_path.string() + "'");
  }

  const CommandOutput submitted = run_command("sbatch --parsable " + shell_quote(script_path.string()));
  if (submitted.exit_code != 0)
    throw Error("sbatch refused " + script_path.string() + " (exit code " + std::to_string(submitted.exit_code) +
                "): " + submitted.output);
  // --parsable prints "jobid" or "jobid;cluster", after any warnings on their own lines.
  std::string job = submitted.output;
  while (!job.empty() && (job.back() == '\n' || job.back() == ' ')) job.pop_back();
  job = job.substr(job.find_last_of('\n') + 1);
  job = job.substr(0, job.find(';'));
  for (size_t i : todo) sweep.mark_queued(sweep.runs()[i], job + "_" + std::to_string(i));
  std::cout << "submitted job array " << job << " (" << todo.size() << " tasks): " << script_path.string() << "\n"
            << "follow it with: genlab sweep status " << sweep.root().string() << "\n";
  return job;
}

int launch(const SweepDirectory& sweep, const std::string& launcher, int jobs) {
  if (launcher == "slurm") {
    submit_to_slurm(sweep);
    return 0;
  }
  if (launcher != "local") throw ConfigError("--launcher " + launcher + ": one of local, slurm");
  if (jobs < 1) throw ConfigError("--jobs " + std::to_string(jobs) + ": at least 1");
  return run_local(sweep, jobs);
}

std::string plan(const SweepDirectory& sweep) {
  std::ostringstream out;
  out << "sweep '" << sweep.name() << "' (" << sweep.model() << "): " << sweep.runs().size() << " runs in "
      << sweep.root().string() << "\n";
  for (const PlannedRun& run : sweep.runs()) out << "  " << run.id << "  " << run.name << "\n";
  return out.str();
}

std::string status_table(const SweepDirectory& sweep) {
  std::ostringstream out;
  std::map<RunState, int> counts;
  size_t name_width = 4;
  for (const PlannedRun& run : sweep.runs()) name_width = std::max(name_width, run.name.size());
  char line[512];
  std::snprintf(line, sizeof line, "%-5s %-*s %-12s %8s  %s\n", "run", int(name_width), "name", "state", "step", "detail");
  out << "sweep '" << sweep.name() << "' (" << sweep.model() << ") in " << sweep.root().string() << "\n" << line;
  for (const PlannedRun& run : sweep.runs()) {
    const RunStatus status = sweep.status(run);
    ++counts[status.state];
    std::snprintf(line, sizeof line, "%-5s %-*s %-12s %8s  %s\n", run.id.c_str(), int(name_width), run.name.c_str(),
                  to_string(status.state).c_str(), status.step ? std::to_string(*status.step).c_str() : "-",
                  status.detail.c_str());
    out << line;
  }
  std::string summary;
  for (const auto& [state, count] : counts) summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " + to_string(state);
  out << summary << "\n";
  return out.str();
}

std::string status_json(const SweepDirectory& sweep) {
  nlohmann::json out{{"name", sweep.name()}, {"model", sweep.model()}, {"runs", nlohmann::json::array()}};
  nlohmann::json counts;
  for (RunState state : {RunState::pending, RunState::queued, RunState::running, RunState::finished, RunState::failed,
                         RunState::interrupted})
    counts[to_string(state)] = 0;
  for (const PlannedRun& run : sweep.runs()) {
    const RunStatus status = sweep.status(run);
    counts[to_string(status.state)] = counts[to_string(status.state)].get<int>() + 1;
    nlohmann::json entry{{"id", run.id},
                         {"name", run.name},
                         {"state", to_string(status.state)},
                         {"file", fs::absolute(sweep.run_file(run)).string()},
                         {"detail", status.detail}};
    entry["step"] = status.step ? nlohmann::json(*status.step) : nlohmann::json(nullptr);
    out["runs"].push_back(entry);
  }
  out["counts"] = counts;
  return out.dump();
}

}  // namespace genlab::sweep
