#pragma once
// The HDF5 run file: one file per run with its header, its config, its logged scalar series and
// sample images, and its latest checkpoint. Layout (documented in docs/hdf5-layout.md):
//
//   /                      attributes: genlab_format (1), genlab_version, model, backend, device,
//                          dataset, created (ISO 8601, UTC), and whatever the caller adds
//   /config                one attribute per config field
//   /scalars/<name>        compound {step: int64, value: float64}, chunked, unlimited length
//   /metrics/<name>        the same, for evaluations of the run (FID at a checkpoint's step, ...);
//                          a value added again at a step replaces the one there
//   /images/<name>/<step>  uint8 [H, W] (grey) or [H, W, C] with CLASS=IMAGE (HDF5 image spec 1.2), <step> zero-padded
//                          to 8 digits so that names sort by step
//   /checkpoint            attributes: step and the checkpoint's attributes
//   /checkpoint/<group>/<tensor>  float32 datasets under their dotted names ("gen.conv1.weight")
//
// Writes are buffered in memory and reach the disk in commit(), which writes a complete new
// version beside the file and renames it over the old one, so a crash or a full disk leaves the
// previous version intact: a run file on disk is always readable.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "genlab/core/attributes.hpp"
#include "genlab/core/host_tensor.hpp"
#include "genlab/io/image.hpp"

namespace genlab::io {

inline constexpr int64_t run_format_version = 1;

struct ScalarPoint {
  int64_t step = 0;
  double value = 0.0;
};

struct Checkpoint {
  int64_t step = 0;
  Attributes attributes;                 // counters and states beside the tensors (epoch, rng state, ...)
  std::map<std::string, StateDict> groups;  // "generator" -> its parameters and buffers, ...
};

class RunFile {
 public:
  // Starts a new run file at `path` with the given header attributes (added to the standard
  // ones) and config. Throws IoError if the file exists (unless `overwrite`) or cannot be written.
  // Nothing is on disk until the first commit(), which create() performs once.
  static RunFile create(const std::filesystem::path& path, const Attributes& header, const Attributes& config,
                        bool overwrite = false);

  // Opens an existing run file to continue it. Throws IoError if it is missing, not HDF5, or not
  // a genlab run file (no genlab_format attribute) or of a newer format.
  static RunFile open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const Attributes& header() const { return header_; }
  const Attributes& config() const { return config_; }

  // Buffered until the next commit().
  void add_scalar(const std::string& name, int64_t step, double value);
  void add_metric(const std::string& name, int64_t step, double value);
  void add_image(const std::string& name, int64_t step, const Image& image);

  // The settings a resumed run continues with (a longer --steps, say) replace /config at the next
  // commit, so the file says how its last stretch was trained.
  void update_config(const Attributes& config);

  // Writes what is buffered and, when given, replaces the checkpoint; atomically (see above).
  void commit(const Checkpoint* checkpoint = nullptr);

  // Drops logged scalars, metrics and images after `step`, in the file (at the next commit) and in the
  // buffers: a run resumed from an older checkpoint then logs those steps again.
  void truncate_after(int64_t step);

  // Reading what is on disk (committed), plus what is buffered for scalars.
  std::vector<std::string> scalar_names() const;
  std::vector<ScalarPoint> scalars(const std::string& name) const;
  std::vector<std::string> metric_names() const;
  std::vector<ScalarPoint> metrics(const std::string& name) const;
  // Committed images only: the names under /images, the steps of one name, one image.
  std::vector<std::string> image_names() const;
  std::vector<int64_t> image_steps(const std::string& name) const;
  Image image(const std::string& name, int64_t step) const;
  std::optional<Checkpoint> checkpoint() const;

 private:
  RunFile() = default;

  std::filesystem::path path_;
  Attributes header_, config_;
  // Series not yet committed, by group ("scalars", "metrics") and name.
  using PendingSeries = std::map<std::string, std::map<std::string, std::vector<ScalarPoint>>>;
  std::vector<std::string> series_names(const std::string& group) const;
  std::vector<ScalarPoint> series(const std::string& group, const std::string& name) const;

  PendingSeries pending_series_;
  std::map<std::string, std::vector<std::pair<int64_t, Image>>> pending_images_;
  std::optional<int64_t> truncate_after_;
  bool config_changed_ = false;
};

// Reads just the checkpoint of a run file (for `genlab sample`), with the same checks as open().
std::optional<Checkpoint> read_checkpoint(const std::filesystem::path& path);

}  // namespace genlab::io
