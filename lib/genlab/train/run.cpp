#include "genlab/train/run.hpp"

#include <iostream>

#include "genlab/core/error.hpp"

namespace genlab::train {

OpenedRun open_run(const RunOptions& options, const Attributes& header, const Attributes& config) {
  if (options.resume && std::filesystem::exists(options.out)) {
    io::RunFile file = io::RunFile::open(options.out);
    auto checkpoint = file.checkpoint();
    if (!checkpoint)
      throw IoError("cannot resume '" + options.out.string() + "': it holds no checkpoint yet");
    std::cerr << "resuming " << options.out.string() << " from step " << checkpoint->step << "\n";
    file.update_config(config);
    return {std::move(file), std::move(checkpoint)};
  }
  if (options.resume) std::cerr << options.out.string() << " does not exist yet; starting a new run\n";
  if (!options.out.parent_path().empty()) std::filesystem::create_directories(options.out.parent_path());
  return {io::RunFile::create(options.out, header, config, options.overwrite), std::nullopt};
}

TrainedRun read_trained_run(const std::filesystem::path& path, const std::string& model, const std::string& display_name) {
  auto checkpoint = io::read_checkpoint(path);
  if (!checkpoint) throw IoError("'" + path.string() + "' holds no checkpoint yet");
  const io::RunFile run = io::RunFile::open(path);
  const auto name = run.header().find("model");
  if (name == run.header().end() || name->second != AttributeValue(model))
    throw IoError("'" + path.string() + "' is not a " + display_name + " run file");
  return {std::move(*checkpoint), run.config(), run.header()};
}

}  // namespace genlab::train
