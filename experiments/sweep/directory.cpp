#include "experiments/sweep/directory.hpp"

#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "experiments/process/child_process.hpp"
#include "experiments/sweep/trainable.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/timestamp.hpp"
#include "genlab/io/run_file.hpp"

namespace genlab::sweep {
namespace fs = std::filesystem;
using nlohmann::json;
using process::CommandOutput;
using process::run_command;
using process::shell_quote;

namespace {

inline constexpr int index_format = 1;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Beside the target, then renamed over it: readers see the old or the new file, never half.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw IoError("cannot write '" + tmp.string() + "'");
  }
  std::error_code error;
  fs::rename(tmp, path, error);
  if (error) throw IoError("cannot write '" + path.string() + "': " + error.message());
}

json to_json(const AttributeValue& value) {
  return std::visit([](const auto& v) { return json(v); }, value);
}

AttributeValue from_json(const json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_number()) return value.get<double>();
  return value.get<std::string>();
}

std::string run_id(size_t index, size_t count) {
  const size_t width = std::max<size_t>(3, std::to_string(count - 1).size());
  const std::string digits = std::to_string(index);
  return std::string(width - std::min(width, digits.size()), '0') + digits;
}

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// The settings of a run's config.toml without its comments, which follow genlab's help texts.
std::string without_comments(const std::string& toml) {
  std::istringstream in(toml);
  std::string kept;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') kept += line + "\n";
  return kept;
}

// A zombie (exited, not yet reaped by whoever inherited it) counts as gone.
bool process_alive(int64_t pid) {
  if (pid <= 0 || (kill(pid_t(pid), 0) != 0 && errno != EPERM)) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t name_end = line.rfind(')');  // the state follows the command name in parentheses
  return name_end == std::string::npos || name_end + 2 >= line.size() || line[name_end + 2] != 'Z';
}

// Whether Slurm still knows the job ("81" or an array task "81_3"): false only when squeue
// answers without it; without squeue (another machine) nothing can be told.
bool slurm_job_gone(const std::string& job) {
  if (job.empty() || run_command("command -v squeue").exit_code != 0) return false;
  const CommandOutput queue = run_command("squeue -h -o %i -j " + shell_quote(job));
  return queue.exit_code == 0 ? queue.output.find_first_not_of(" \n") == std::string::npos
                              : queue.output.find("Invalid job id") != std::string::npos;
}

std::optional<RunState> state_named(const std::string& name) {
  for (RunState state : {RunState::pending, RunState::queued, RunState::running, RunState::finished, RunState::failed,
                         RunState::interrupted})
    if (to_string(state) == name) return state;
  return std::nullopt;
}

}  // namespace

std::string to_string(RunState state) {
  switch (state) {
    case RunState::pending: return "pending";
    case RunState::queued: return "queued";
    case RunState::running: return "running";
    case RunState::finished: return "finished";
    case RunState::failed: return "failed";
    case RunState::interrupted: return "interrupted";
  }
  return "unknown";
}

SweepDirectory SweepDirectory::prepare(const fs::path& root, const SweepSpec& spec) {
  SweepDirectory dir;
  dir.root_ = root;
  dir.name_ = spec.name;
  dir.model_ = spec.model;
  const std::vector<Settings> expanded = expand(spec);
  std::vector<std::string> configs;
  for (size_t i = 0; i < expanded.size(); ++i) {
    PlannedRun run{run_id(i, expanded.size()), describe(expanded[i]), expanded[i]};
    configs.push_back(run_config_toml(spec, run.overrides, run.id + " (" + run.name + ")"));
    dir.runs_.push_back(std::move(run));
  }

  if (fs::exists(root / "index.json")) {
    const SweepDirectory existing = open(root);
    auto differs = [&](const std::string& what) {
      return ConfigError(root.string() + " holds another sweep ('" + existing.name_ + "'): " + what +
                         "; give another --out, or delete the directory to start over");
    };
    if (existing.model_ != dir.model_) throw differs("its runs train " + existing.model_ + ", not " + dir.model_);
    if (existing.runs_.size() != dir.runs_.size())
      throw differs("it has " + std::to_string(existing.runs_.size()) + " runs, this sweep " + std::to_string(dir.runs_.size()));
    for (size_t i = 0; i < dir.runs_.size(); ++i) {
      const fs::path stored = dir.config_file(dir.runs_[i]);
      if (fs::exists(stored) && without_comments(read_text(stored)) != without_comments(configs[i]))
        throw differs("run " + dir.runs_[i].id + " has other settings (" + existing.runs_[i].name + " there, " +
                      dir.runs_[i].name + " here)");
    }
  }

  fs::create_directories(root / "runs");
  json index{{"genlab_sweep", index_format}, {"name", spec.name}, {"model", spec.model}, {"runs", json::array()}};
  for (size_t i = 0; i < dir.runs_.size(); ++i) {
    const PlannedRun& run = dir.runs_[i];
    json overrides = json::object();
    for (const auto& [name, value] : run.overrides) overrides[name] = to_json(value);
    index["runs"].push_back({{"id", run.id},
                             {"name", run.name},
                             {"overrides", overrides},
                             {"config", "runs/" + run.id + "/config.toml"},
                             {"file", "runs/" + run.id + "/run.h5"}});
    fs::create_directories(dir.run_directory(run));
    if (!fs::exists(dir.config_file(run))) write_atomically(dir.config_file(run), configs[i]);
  }
  write_atomically(root / "sweep.toml", spec.text);
  write_atomically(root / "index.json", index.dump(2) + "\n");
  return dir;
}

SweepDirectory SweepDirectory::open(const fs::path& root) {
  const fs::path path = root / "index.json";
  if (!fs::is_directory(root)) throw IoError("'" + root.string() + "' is not a sweep directory: no such directory");
  if (!fs::exists(path)) throw IoError("'" + root.string() + "' is not a sweep directory: it has no index.json");
  json index;
  try {
    index = json::parse(read_text(path));
    if (index.value("genlab_sweep", 0) != index_format)
      throw IoError("'" + path.string() + "' is not a genlab sweep index (format " + std::to_string(index_format) + ")");
    SweepDirectory dir;
    dir.root_ = root;
    dir.name_ = index.at("name").get<std::string>();
    dir.model_ = index.at("model").get<std::string>();
    for (const json& entry : index.at("runs")) {
      PlannedRun run{entry.at("id").get<std::string>(), entry.at("name").get<std::string>(), {}};
      for (const auto& [name, value] : entry.at("overrides").items()) run.overrides.emplace_back(name, from_json(value));
      dir.runs_.push_back(std::move(run));
    }
    return dir;
  } catch (const json::exception& e) {
    throw IoError("cannot read sweep index '" + path.string() + "': " + e.what());
  }
}

SweepSpec SweepDirectory::spec() const { return parse_spec(read_text(root_ / "sweep.toml"), (root_ / "sweep.toml").string()); }

fs::path SweepDirectory::run_directory(const PlannedRun& run) const { return root_ / "runs" / run.id; }
fs::path SweepDirectory::config_file(const PlannedRun& run) const { return run_directory(run) / "config.toml"; }
fs::path SweepDirectory::run_file(const PlannedRun& run) const { return run_directory(run) / "run.h5"; }
fs::path SweepDirectory::log_file(const PlannedRun& run) const { return run_directory(run) / "log.txt"; }
fs::path SweepDirectory::state_file(const PlannedRun& run) const { return run_directory(run) / "state.json"; }

RunStatus SweepDirectory::status(const PlannedRun& run) const {
  RunStatus status;
  if (fs::exists(run_file(run))) {
    try {
      if (const auto checkpoint = io::read_checkpoint(run_file(run))) status.step = checkpoint->step;
    } catch (const IoError& e) {
      status.detail = std::string("run file unreadable: ") + e.what();
    }
  }
  if (!fs::exists(state_file(run))) return status;
  json state;
  try {
    state = json::parse(read_text(state_file(run)));
  } catch (const json::exception&) {
    status.detail = "state.json unreadable";
    return status;
  }
  status.state = state_named(state.value("state", "")).value_or(RunState::pending);
  const std::string host = state.value("host", "");
  const int64_t pid = state.value("pid", int64_t(0));
  switch (status.state) {
    case RunState::queued:
      // Cancelled before it started, or it died before `genlab sweep run` could say so.
      if (slurm_job_gone(state.value("slurm_job", ""))) {
        status.state = RunState::pending;
        status.detail = "its Slurm job " + state.value("slurm_job", "") + " is gone";
      } else {
        status.detail = "Slurm job " + state.value("slurm_job", "?");
      }
      break;
    case RunState::running:
      // Killed without a chance to say so (kill -9, a lost node): its process or its job is gone.
      if ((host == host_name() && !process_alive(pid)) || (host != host_name() && slurm_job_gone(state.value("slurm_job", "")))) {
        status.state = RunState::interrupted;
        status.detail = host == host_name() ? "its process " + std::to_string(pid) + " is gone" : "its Slurm job is gone";
      } else {
        status.detail = "pid " + std::to_string(pid) + " on " + host;
      }
      break;
    case RunState::failed:
    case RunState::interrupted:
      status.detail = "exit code " + std::to_string(state.value("exit_code", 0)) + ", log " + log_file(run).string();
      break;
    default: break;
  }
  return status;
}

void SweepDirectory::mark_queued(const PlannedRun& run, const std::string& slurm_job) const {
  write_atomically(state_file(run), json{{"state", "queued"}, {"slurm_job", slurm_job}, {"queued", utc_timestamp()}}.dump() + "\n");
}

void SweepDirectory::mark_running(const PlannedRun& run) const {
  json state{{"state", "running"}, {"host", host_name()}, {"pid", int64_t(getpid())}, {"started", utc_timestamp()}};
  const char* array_job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* array_task = std::getenv("SLURM_ARRAY_TASK_ID");
  if (array_job && array_task) state["slurm_job"] = std::string(array_job) + "_" + array_task;
  write_atomically(state_file(run), state.dump() + "\n");
}

void SweepDirectory::mark_ended(const PlannedRun& run, RunState state, int exit_code) const {
  json record{{"state", to_string(state)}, {"host", host_name()}, {"exit_code", exit_code}, {"ended", utc_timestamp()}};
  write_atomically(state_file(run), record.dump() + "\n");
}

}  // namespace genlab::sweep
