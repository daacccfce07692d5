#include "experiments/compare/runs.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "genlab/core/error.hpp"

namespace genlab::compare {
namespace fs = std::filesystem;

namespace {

// A run to read: its file, its label, and the longer label that tells it apart from a run of the
// same label ("parent/stem" for a file, "sweep/name" for a sweep's run).
struct RunEntry {
  fs::path file;
  std::string label, qualified_label;
};

// "runs/sweeps/lr/" -> "lr"
std::string directory_name(const fs::path& dir) {
  fs::path normal = fs::absolute(dir).lexically_normal();
  if (!normal.has_filename()) normal = normal.parent_path();
  return normal.filename().string();
}

std::vector<RunEntry> sweep_entries(const fs::path& dir);

// A run file given by itself is labelled by its stem, unless it is one of a sweep's runs
// (SWEEP/runs/<id>/run.h5 beside SWEEP/index.json): then by its name in the sweep.
RunEntry file_entry(const fs::path& file) {
  const fs::path sweep = fs::absolute(file).lexically_normal().parent_path().parent_path().parent_path();
  if (fs::exists(sweep / "index.json")) {
    try {
      for (RunEntry& entry : sweep_entries(sweep))
        if (fs::equivalent(entry.file, file)) return {file, entry.label, entry.qualified_label};
    } catch (const std::exception&) {
      // Not a readable sweep index after all: fall back to the file's own name.
    }
  }
  const std::string stem = file.stem().string();
  return {file, stem, directory_name(fs::absolute(file).parent_path()) + "/" + stem};
}

// The runs listed in DIR/index.json (docs/experiments.md: the sweep directory), paths relative to DIR.
std::vector<RunEntry> sweep_entries(const fs::path& dir) {
  const fs::path index_path = dir / "index.json";
  if (!fs::exists(index_path))
    throw IoError("cannot compare " + quoted(dir) + ": a directory, but not a sweep directory (it has no index.json)");
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(std::ifstream(index_path));
  } catch (const nlohmann::json::exception& e) {
    throw IoError("cannot read " + quoted(index_path) + ": not valid JSON (" + e.what() + ")");
  }
  if (!index.is_object() || !index.contains("runs") || !index["runs"].is_array())
    throw IoError("cannot read " + quoted(index_path) + ": no \"runs\" list, so not a genlab sweep index");
  if (index["runs"].empty()) throw IoError("cannot compare " + quoted(dir) + ": its index.json lists no runs");
  std::vector<RunEntry> entries;
  for (const auto& run : index["runs"]) {
    if (!run.is_object() || !run.contains("file") || !run["file"].is_string())
      throw IoError("cannot read " + quoted(index_path) + ": a run without a \"file\": " + run.dump());
    const std::string file = run["file"];
    std::string name = file;
    if (run.contains("name") && run["name"].is_string()) name = run["name"];
    else if (run.contains("id") && run["id"].is_string()) name = run["id"];
    entries.push_back({dir / file, name, directory_name(dir) + "/" + name});
  }
  return entries;
}

// Labels must tell runs apart: the short label, the qualified one where short labels collide,
// and a counter as the last resort (the same file given twice).
void assign_labels(std::vector<ComparedRun>& runs, const std::vector<RunEntry>& entries) {
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto same = std::count_if(entries.begin(), entries.end(), [&](const RunEntry& e) { return e.label == entries[i].label; });
    runs[i].label = same > 1 ? entries[i].qualified_label : entries[i].label;
  }
  for (size_t i = 0; i < runs.size(); ++i)
    for (size_t j = i + 1, copy = 2; j < runs.size(); ++j)
      if (runs[j].label == runs[i].label) runs[j].label += " #" + std::to_string(copy++);
}

}  // namespace

ComparedRun read_run(const fs::path& file) {
  const io::RunFile run = io::RunFile::open(file);  // throws IoError naming the file
  ComparedRun out;
  out.file = file;
  out.header = run.header();
  out.config = run.config();
  if (const auto checkpoint = run.checkpoint()) out.checkpoint_step = checkpoint->step;
  for (const auto& name : run.scalar_names()) out.scalars[name] = run.scalars(name);
  for (const auto& name : run.metric_names()) out.metrics[name] = run.metrics(name);
  const auto images = run.image_names();
  if (std::find(images.begin(), images.end(), "samples") != images.end()) {
    const auto steps = run.image_steps("samples");
    if (!steps.empty()) {
      const int64_t last = *std::max_element(steps.begin(), steps.end());
      out.samples = SampleGrid{last, run.image("samples", last)};
    }
  }
  return out;
}

CollectedRuns collect_runs(const std::vector<fs::path>& inputs) {
  CollectedRuns collected;
  std::vector<RunEntry> entries;
  for (const fs::path& input : inputs) {
    if (!fs::exists(input)) throw IoError("cannot compare " + quoted(input) + ": no such file or directory");
    if (!fs::is_directory(input)) {
      entries.push_back(file_entry(input));
      continue;
    }
    for (RunEntry& entry : sweep_entries(input)) {
      if (fs::exists(entry.file)) entries.push_back(std::move(entry));
      else  // a sweep still running has runs that have not written their file yet
        collected.skipped.push_back(entry.label + ": " + entry.file.string() + " does not exist yet");
    }
  }
  if (entries.empty()) throw IoError("nothing to compare: none of the sweeps' runs has written its run file yet");
  for (const RunEntry& entry : entries) collected.runs.push_back(read_run(entry.file));
  assign_labels(collected.runs, entries);
  return collected;
}

}  // namespace genlab::compare
