#pragma once
// Opening the run file of a training command: a new file, or with --resume the existing one and
// its checkpoint (a missing file with --resume starts a new run, so re-running a command is safe).
#include <filesystem>
#include <optional>

#include "genlab/core/device.hpp"
#include "genlab/io/run_file.hpp"

namespace genlab::train {

struct RunOptions {
  std::filesystem::path out;
  bool resume = false;
  bool overwrite = false;
};

struct OpenedRun {
  io::RunFile file;
  std::optional<io::Checkpoint> checkpoint;  // set when resuming
};

OpenedRun open_run(const RunOptions& options, const Attributes& header, const Attributes& config);

// The header every run file starts with: the model, the backend and device it trained on, and its
// data set (docs/hdf5-layout.md).
inline Attributes run_header(const std::string& model, std::string_view backend, const Device& device,
                             const std::string& dataset) {
  return {{"model", model}, {"backend", std::string(backend)}, {"device", to_string(device)}, {"dataset", dataset}};
}

// A run of `model` read back to sample from: its last checkpoint, its stored settings and its
// header (run_header's entries and any the model added). IoError, naming the file, when it holds
// no checkpoint yet or is not a `model` run (`display_name` in the message: "DCGAN", "PGA").
struct TrainedRun {
  io::Checkpoint checkpoint;
  Attributes config;
  Attributes header;
};
TrainedRun read_trained_run(const std::filesystem::path& path, const std::string& model, const std::string& display_name);

}  // namespace genlab::train
