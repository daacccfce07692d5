#include "genlab/io/run_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <ctime>
#include <set>
#include <system_error>
#include <utility>

#include "genlab/core/error.hpp"
#include "genlab/core/timestamp.hpp"
#include "genlab/io/hdf5.hpp"

namespace genlab::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* genlab_version = "0.1.0";
// 1024 records of 16 bytes: 16 KiB chunks, little waste in a short run, few chunks in a long one.
constexpr size_t scalar_chunk_length = 1024;

// h5::Failure says what went wrong inside a file; this adds which file, for the user.
template <class Action>
auto in_file(const char* verb, const fs::path& path, Action&& action) {
  try {
    return action();
  } catch (const h5::Failure& e) {
    throw IoError(std::string("cannot ") + verb + " " + quoted(path) + ": " + e.what());
  }
}

void check_log_name(const fs::path& path, const char* kind, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw IoError("cannot log to " + quoted(path) + ": " + kind + " name '" + name +
                  "' must be non-empty and free of '/'");
}

void check_loggable(const fs::path& path, const std::string& name, int64_t step, const Image& image) {
  check_log_name(path, "image", name);
  const std::string what = "cannot log image '" + name + "' to " + quoted(path) + ": ";
  if (step < 0) throw IoError(what + "negative step " + std::to_string(step));
  if (image.channels != 1 && image.channels != 3 && image.channels != 4)
    throw IoError(what + "images have 1, 3 or 4 channels, this one has " + std::to_string(image.channels));
  const size_t expected = size_t(std::max(image.width, 0)) * size_t(std::max(image.height, 0)) * size_t(image.channels);
  if (image.width <= 0 || image.height <= 0 || image.pixels.size() != expected)
    throw IoError(what + "a " + std::to_string(image.width) + " x " + std::to_string(image.height) + " x " +
                  std::to_string(image.channels) + " image needs " + std::to_string(expected) + " bytes, it has " +
                  std::to_string(image.pixels.size()));
}

// ---- Scalars: /scalars/<name>, compound {step, value} records in step order.

h5::Handle point_type() {
  return h5::compound_type(sizeof(ScalarPoint), {{"step", offsetof(ScalarPoint, step), H5T_NATIVE_INT64},
                                                 {"value", offsetof(ScalarPoint, value), H5T_NATIVE_DOUBLE}});
}

std::vector<ScalarPoint> read_points(hid_t series) {
  std::vector<ScalarPoint> points(h5::series_length(series));
  h5::read_dataset(series, point_type(), points.data());
  return points;
}

std::vector<ScalarPoint> read_series(hid_t file, const std::string& group_name, const std::string& name) {
  if (!h5::has_child(file, group_name)) return {};
  h5::Handle group = h5::open_group(file, group_name);
  if (!h5::has_child(group, name)) return {};
  return read_points(h5::open_dataset(group, name));
}

void append_points(hid_t scalars, const std::string& name, const std::vector<ScalarPoint>& points) {
  h5::Handle type = point_type();
  h5::Handle series = h5::has_child(scalars, name) ? h5::open_dataset(scalars, name)
                                                   : h5::create_series(scalars, name, type, scalar_chunk_length);
  h5::write_records(series, type, h5::series_length(series), points.data(), points.size());
}

// A metric measured again at a step (a re-run evaluation) replaces the value there: the series
// stays one value per step, in step order. Metric series are short, so they are rewritten whole.
void merge_points(hid_t group, const std::string& name, const std::vector<ScalarPoint>& points) {
  std::map<int64_t, double> by_step;
  if (h5::has_child(group, name))
    for (const ScalarPoint& p : read_points(h5::open_dataset(group, name))) by_step[p.step] = p.value;
  for (const ScalarPoint& p : points) by_step[p.step] = p.value;
  std::vector<ScalarPoint> merged;
  for (const auto& [step, value] : by_step) merged.push_back({step, value});
  h5::Handle type = point_type();
  h5::Handle series = h5::has_child(group, name) ? h5::open_dataset(group, name)
                                                 : h5::create_series(group, name, type, scalar_chunk_length);
  h5::resize_series(series, merged.size());
  h5::write_records(series, type, 0, merged.data(), merged.size());
}

void truncate_series(hid_t series, int64_t last_step) {
  const std::vector<ScalarPoint> points = read_points(series);
  std::vector<ScalarPoint> kept;
  std::copy_if(points.begin(), points.end(), std::back_inserter(kept),
               [&](const ScalarPoint& p) { return p.step <= last_step; });
  if (kept.size() == points.size()) return;
  h5::write_records(series, point_type(), 0, kept.data(), kept.size());
  h5::resize_series(series, kept.size());
}

// ---- Images: /images/<name>/<step, 8 digits>, uint8 [H, W] or [H, W, C].

std::string step_name(int64_t step) {
  char name[24];
  std::snprintf(name, sizeof name, "%08lld", static_cast<long long>(step));
  return name;
}

std::optional<int64_t> parse_step(const std::string& name) {
  int64_t step = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), step);
  if (error != std::errc() || end != name.data() + name.size()) return std::nullopt;
  return step;
}

// HDF5 Image spec 1.2, so that HDFView shows the datasets as pictures. The spec has no RGBA
// subclass: 4-channel images stay plain arrays.
void mark_as_image(hid_t dataset, int channels) {
  if (channels == 4) return;
  h5::write_ascii_attribute(dataset, "CLASS", "IMAGE");
  h5::write_ascii_attribute(dataset, "IMAGE_VERSION", "1.2");
  if (channels == 1) {
    h5::write_ascii_attribute(dataset, "IMAGE_SUBCLASS", "IMAGE_GRAYSCALE");
    h5::write_uint8_attribute(dataset, "IMAGE_WHITE_IS_ZERO", 0);
  } else {
    h5::write_ascii_attribute(dataset, "IMAGE_SUBCLASS", "IMAGE_TRUECOLOR");
    h5::write_ascii_attribute(dataset, "INTERLACE_MODE", "INTERLACE_PIXEL");
  }
}

void write_image(hid_t group, int64_t step, const Image& image) {
  const std::string name = step_name(step);
  if (h5::has_child(group, name)) h5::remove_child(group, name);
  const Shape shape = image.channels == 1 ? Shape{image.height, image.width}
                                          : Shape{image.height, image.width, image.channels};
  h5::Handle dataset = h5::create_dataset(group, name, H5T_NATIVE_UINT8, shape);
  h5::write_dataset(dataset, H5T_NATIVE_UINT8, image.pixels.data());
  mark_as_image(dataset, image.channels);
}

void truncate_images(hid_t images, int64_t last_step) {
  for (const std::string& name : h5::child_names(images)) {
    h5::Handle group = h5::open_group(images, name);
    for (const std::string& entry : h5::child_names(group))
      if (const auto step = parse_step(entry); step && *step > last_step) h5::remove_child(group, entry);
  }
}

// ---- Checkpoint: /checkpoint with attributes, /checkpoint/<group>/<tensor> float32.

void check_tensor(hid_t group, const std::string& name, const HostTensor& tensor) {
  for (int64_t dim : tensor.shape)
    if (dim < 0)
      throw h5::Failure(h5::object_path(group, name) + ": shape " + to_string(tensor.shape) + " has a negative size");
  if (size_t(numel(tensor.shape)) != tensor.values.size())
    throw h5::Failure(h5::object_path(group, name) + ": shape " + to_string(tensor.shape) + " needs " +
                      std::to_string(numel(tensor.shape)) + " values, the tensor has " +
                      std::to_string(tensor.values.size()));
}

// Overwriting in place keeps the file from growing with each checkpoint: HDF5 does not reuse the
// space of deleted datasets once the file is closed.
bool overwrite_in_place(hid_t group, const std::string& name, const HostTensor& tensor) {
  h5::Handle dataset = h5::open_dataset(group, name);
  if (!h5::is_float32(dataset) || h5::dataset_shape(dataset) != tensor.shape) return false;
  h5::write_dataset(dataset, H5T_NATIVE_FLOAT, tensor.values.data());
  return true;
}

void write_tensor(hid_t group, const std::string& name, const HostTensor& tensor) {
  check_tensor(group, name, tensor);
  if (h5::has_child(group, name)) {
    if (overwrite_in_place(group, name, tensor)) return;
    h5::remove_child(group, name);
  }
  h5::Handle dataset = h5::create_dataset(group, name, H5T_NATIVE_FLOAT, tensor.shape);
  h5::write_dataset(dataset, H5T_NATIVE_FLOAT, tensor.values.data());
}

template <class Map>
void remove_children_not_in(hid_t group, const Map& kept) {
  for (const std::string& name : h5::child_names(group))
    if (!kept.contains(name)) h5::remove_child(group, name);
}

void replace_attributes(hid_t object, const Attributes& attributes) {
  for (const std::string& name : h5::attribute_names(object))
    if (!attributes.contains(name)) h5::remove_attribute(object, name);
  for (const auto& [name, value] : attributes) h5::write_attribute(object, name, value);
}

void write_checkpoint(hid_t file, const Checkpoint& checkpoint) {
  h5::Handle root = h5::require_group(file, "checkpoint");
  Attributes attributes = checkpoint.attributes;
  attributes["step"] = checkpoint.step;
  replace_attributes(root, attributes);
  remove_children_not_in(root, checkpoint.groups);
  for (const auto& [group_name, tensors] : checkpoint.groups) {
    h5::Handle group = h5::require_group(root, group_name);
    remove_children_not_in(group, tensors);
    for (const auto& [name, tensor] : tensors) write_tensor(group, name, tensor);
  }
}

HostTensor read_tensor(hid_t group, const std::string& name) {
  h5::Handle dataset = h5::open_dataset(group, name);
  HostTensor tensor{h5::dataset_shape(dataset), {}};
  tensor.values.resize(size_t(numel(tensor.shape)));
  h5::read_dataset(dataset, H5T_NATIVE_FLOAT, tensor.values.data());
  return tensor;
}

std::optional<Checkpoint> read_checkpoint_group(hid_t file) {
  if (!h5::has_child(file, "checkpoint")) return std::nullopt;
  h5::Handle root = h5::open_group(file, "checkpoint");
  Checkpoint checkpoint;
  checkpoint.attributes = h5::read_attributes(root);
  const auto step = checkpoint.attributes.extract("step");
  if (step.empty() || !std::holds_alternative<int64_t>(step.mapped()))
    throw h5::Failure("/checkpoint: the 'step' attribute is missing or not an integer");
  checkpoint.step = std::get<int64_t>(step.mapped());
  for (const std::string& group_name : h5::child_names(root)) {
    h5::Handle group = h5::open_group(root, group_name);
    StateDict& tensors = checkpoint.groups[group_name];
    for (const std::string& name : h5::child_names(group)) tensors[name] = read_tensor(group, name);
  }
  return checkpoint;
}

// ---- Files.

void check_format(hid_t file) {
  if (!h5::has_attribute(file, "genlab_format"))
    throw h5::Failure("an HDF5 file, but not a genlab run file (no genlab_format attribute)");
  const AttributeValue format = h5::read_attribute(file, "genlab_format");
  const int64_t* version = std::get_if<int64_t>(&format);
  if (!version) throw h5::Failure("its genlab_format attribute is not an integer");
  if (*version > run_format_version)
    throw h5::Failure("run file format " + std::to_string(*version) + " is newer than this genlab reads (" +
                      std::to_string(run_format_version) + "); update genlab");
}

h5::Handle open_run_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw h5::Failure("no such file");
  if (!h5::is_hdf5_file(path)) throw h5::Failure("not an HDF5 file");
  h5::Handle file = h5::open_file(path, false);
  check_format(file);
  return file;
}

std::optional<Checkpoint> read_checkpoint_of(const fs::path& path) {
  return in_file("read", path, [&] { return read_checkpoint_group(open_run_file(path)); });
}

void sync_to_disk(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + quoted(path) + " to sync it");
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0) throw std::system_error(error, std::generic_category(), "cannot sync " + quoted(path));
}

// Makes the rename itself durable. Best effort: the new version is already in place, and an
// error here must not make the caller believe the commit failed and log the same points again.
void sync_directory_of(const fs::path& path) {
  const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void copy_file_to(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) throw std::system_error(ec, "cannot copy it to " + quoted(to));
}

// Writes a new version of `path` beside it with `write(tmp)`, then renames it over `path`. On any
// failure the tmp file goes and `path` stays as it was.
template <class Write>
void replace_file(const fs::path& path, Write&& write) {
  const fs::path tmp = path.string() + ".tmp";
  struct RemoveOnExit {
    const fs::path& path;
    ~RemoveOnExit() {
      std::error_code ignored;
      fs::remove(path, ignored);  // after a successful rename there is nothing left to remove
    }
  } remove_tmp{tmp};
  try {
    write(tmp);
    sync_to_disk(tmp);
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) throw std::system_error(ec, "cannot rename " + quoted(tmp) + " over it");
  } catch (const h5::Failure& e) {
    throw IoError("cannot write " + quoted(path) + ": " + e.what());
  } catch (const std::system_error& e) {
    throw IoError("cannot write " + quoted(path) + ": " + e.what());
  }
  sync_directory_of(path);
}

void write_new_run(const fs::path& tmp, const Attributes& header, const Attributes& config) {
  h5::Handle file = h5::create_file(tmp);
  for (const auto& [name, value] : header) h5::write_attribute(file, name, value);
  {
    h5::Handle group = h5::require_group(file, "config");
    for (const auto& [name, value] : config) h5::write_attribute(group, name, value);
  }
  file.close();
}

}  // namespace

RunFile RunFile::create(const fs::path& path, const Attributes& header, const Attributes& config, bool overwrite) {
  std::error_code ec;
  if (!overwrite && fs::exists(path, ec))
    throw IoError("cannot create " + quoted(path) +
                  ": the file exists; pass --resume to continue that run, or choose another --out");
  RunFile run;
  run.path_ = path;
  run.header_ = header;  // the standard attributes below win over the caller's of the same name
  run.header_["genlab_format"] = run_format_version;
  run.header_["genlab_version"] = std::string(genlab_version);
  run.header_["created"] = utc_timestamp();
  run.config_ = config;
  replace_file(path, [&](const fs::path& tmp) { write_new_run(tmp, run.header_, run.config_); });
  return run;
}

RunFile RunFile::open(const fs::path& path) {
  RunFile run;
  run.path_ = path;
  in_file("read", path, [&] {
    h5::Handle file = open_run_file(path);
    run.header_ = h5::read_attributes(file);
    if (h5::has_child(file, "config")) run.config_ = h5::read_attributes(h5::open_group(file, "config"));
  });
  return run;
}

void RunFile::add_scalar(const std::string& name, int64_t step, double value) {
  check_log_name(path_, "scalar", name);
  pending_series_["scalars"][name].push_back({step, value});
}

void RunFile::add_metric(const std::string& name, int64_t step, double value) {
  check_log_name(path_, "metric", name);
  pending_series_["metrics"][name].push_back({step, value});
}

void RunFile::add_image(const std::string& name, int64_t step, const Image& image) {
  check_loggable(path_, name, step, image);
  pending_images_[name].emplace_back(step, image);
}

void RunFile::truncate_after(int64_t step) {
  truncate_after_ = std::min(truncate_after_.value_or(step), step);
  for (auto& [group, series] : pending_series_)
    for (auto& [name, points] : series) std::erase_if(points, [&](const ScalarPoint& p) { return p.step > step; });
  for (auto& [name, images] : pending_images_)
    std::erase_if(images, [&](const auto& image) { return image.first > step; });
}

namespace {

// Truncation first: points logged after truncate_after() are the run's new history.
void write_pending(hid_t file, std::optional<int64_t> truncate_after,
                   const std::map<std::string, std::map<std::string, std::vector<ScalarPoint>>>& series,
                   const std::map<std::string, std::vector<std::pair<int64_t, Image>>>& images) {
  if (truncate_after) {
    for (const char* group_name : {"scalars", "metrics"})
      if (h5::has_child(file, group_name)) {
        h5::Handle group = h5::open_group(file, group_name);
        for (const std::string& name : h5::child_names(group))
          truncate_series(h5::open_dataset(group, name), *truncate_after);
      }
    if (h5::has_child(file, "images")) truncate_images(h5::open_group(file, "images"), *truncate_after);
  }
  for (const auto& [group_name, named] : series) {
    if (named.empty()) continue;
    h5::Handle group = h5::require_group(file, group_name);
    for (const auto& [name, points] : named)
      group_name == "metrics" ? merge_points(group, name, points) : append_points(group, name, points);
  }
  if (!images.empty()) {
    h5::Handle group = h5::require_group(file, "images");
    for (const auto& [name, series] : images) {
      h5::Handle image_group = h5::require_group(group, name);
      for (const auto& [step, image] : series) write_image(image_group, step, image);
    }
  }
}

}  // namespace

void RunFile::update_config(const Attributes& config) {
  if (config == config_) return;
  config_ = config;
  config_changed_ = true;
}

void RunFile::commit(const Checkpoint* checkpoint) {
  if (!checkpoint && !truncate_after_ && !config_changed_ && pending_series_.empty() && pending_images_.empty()) return;
  replace_file(path_, [&](const fs::path& tmp) {
    copy_file_to(path_, tmp);
    h5::Handle file = h5::open_file(tmp, true);
    if (config_changed_) {
      h5::Handle group = h5::require_group(file, "config");
      for (const auto& [name, value] : h5::read_attributes(group)) h5::remove_attribute(group, name);
      for (const auto& [name, value] : config_) h5::write_attribute(group, name, value);
    }
    write_pending(file, truncate_after_, pending_series_, pending_images_);
    if (checkpoint) write_checkpoint(file, *checkpoint);
    file.close();
  });
  pending_series_.clear();
  pending_images_.clear();
  truncate_after_.reset();
  config_changed_ = false;
}

std::vector<std::string> RunFile::series_names(const std::string& group) const {
  std::set<std::string> names;
  in_file("read", path_, [&] {
    h5::Handle file = open_run_file(path_);
    if (h5::has_child(file, group)) {
      const std::vector<std::string> stored = h5::child_names(h5::open_group(file, group));
      names.insert(stored.begin(), stored.end());
    }
  });
  if (const auto pending = pending_series_.find(group); pending != pending_series_.end())
    for (const auto& [name, points] : pending->second) names.insert(name);
  return {names.begin(), names.end()};
}

std::vector<ScalarPoint> RunFile::series(const std::string& group, const std::string& name) const {
  std::vector<ScalarPoint> points =
      in_file("read", path_, [&] { return read_series(open_run_file(path_), group, name); });
  if (truncate_after_) std::erase_if(points, [&](const ScalarPoint& p) { return p.step > *truncate_after_; });
  if (const auto pending = pending_series_.find(group); pending != pending_series_.end())
    if (const auto named = pending->second.find(name); named != pending->second.end())
      points.insert(points.end(), named->second.begin(), named->second.end());
  return points;
}

std::vector<std::string> RunFile::scalar_names() const { return series_names("scalars"); }
std::vector<ScalarPoint> RunFile::scalars(const std::string& name) const { return series("scalars", name); }
std::vector<std::string> RunFile::metric_names() const { return series_names("metrics"); }
std::vector<ScalarPoint> RunFile::metrics(const std::string& name) const { return series("metrics", name); }

std::vector<std::string> RunFile::image_names() const {
  return in_file("read", path_, [&] {
    h5::Handle file = open_run_file(path_);
    return h5::has_child(file, "images") ? h5::child_names(h5::open_group(file, "images")) : std::vector<std::string>{};
  });
}

std::vector<int64_t> RunFile::image_steps(const std::string& name) const {
  return in_file("read", path_, [&] {
    std::vector<int64_t> steps;
    h5::Handle file = open_run_file(path_);
    if (!h5::has_child(file, "images")) return steps;
    h5::Handle images = h5::open_group(file, "images");
    if (!h5::has_child(images, name)) return steps;
    for (const std::string& entry : h5::child_names(h5::open_group(images, name)))
      if (const auto step = parse_step(entry)) steps.push_back(*step);
    return steps;
  });
}

Image RunFile::image(const std::string& name, int64_t step) const {
  return in_file("read", path_, [&] {
    h5::Handle file = open_run_file(path_);
    const std::string where = "images/" + name + "/" + step_name(step);
    if (!h5::has_child(file, "images")) throw h5::Failure("no image " + where);
    h5::Handle images = h5::open_group(file, "images");
    if (!h5::has_child(images, name)) throw h5::Failure("no image " + where);
    h5::Handle series = h5::open_group(images, name);
    if (!h5::has_child(series, step_name(step))) throw h5::Failure("no image " + where);
    h5::Handle dataset = h5::open_dataset(series, step_name(step));
    const Shape shape = h5::dataset_shape(dataset);
    if ((shape.size() != 2 && shape.size() != 3) || (shape.size() == 3 && shape[2] != 1 && shape[2] != 3 && shape[2] != 4))
      throw h5::Failure(where + ": shape " + to_string(shape) + " is not an image [H, W] or [H, W, C]");
    Image image;
    image.height = int(shape[0]);
    image.width = int(shape[1]);
    image.channels = shape.size() == 3 ? int(shape[2]) : 1;
    image.pixels.resize(size_t(numel(shape)));
    h5::read_dataset(dataset, H5T_NATIVE_UINT8, image.pixels.data());
    return image;
  });
}

std::optional<Checkpoint> RunFile::checkpoint() const { return read_checkpoint_of(path_); }

std::optional<Checkpoint> read_checkpoint(const fs::path& path) { return read_checkpoint_of(path); }

}  // namespace genlab::io
