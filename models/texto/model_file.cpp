// The model file (HDF5), layout in docs/models/texto.md:
//
//   /                      genlab_texto_format (1), channels, patch, scales, seed, exemplar,
//                          exemplar_width, exemplar_height
//   /config                the LearnConfig, one attribute per field
//   /adsn/texton           float32 [h, w, C]   the coarsest scale's texton t
//   /adsn/mean             float32 [C]         its mean colour m
//   /scale_<s>/targets     float32 [J, w, w, C]   y   (attributes height, width: the exemplar at s)
//   /scale_<s>/weights     float64 [J]            v
//   /scale_<s>/upsampling  float32 [J, 2w, 2w, C] y2  (s > 0)
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>

#include "genlab/core/error.hpp"
#include "genlab/io/hdf5.hpp"
#include "models/texto/model.hpp"

namespace genlab::texto {
namespace {

namespace fs = std::filesystem;
namespace h5 = io::h5;

std::string quoted(const fs::path& path) {
  std::string text = "'";
  text += path.string();
  text += "'";
  return text;
}

std::string scale_group(int64_t s) { return "scale_" + std::to_string(s); }

// Interleaved [h, w, C] from a channels-first image, and back.
std::vector<float> interleaved(const ot::FloatImage& image) {
  std::vector<float> out;
  out.reserve(image.values.size());
  for (int64_t y = 0; y < image.height; ++y)
    for (int64_t x = 0; x < image.width; ++x)
      for (int64_t c = 0; c < image.channels; ++c) out.push_back(image.at(c, y, x));
  return out;
}

ot::FloatImage planar(const std::vector<float>& values, int64_t height, int64_t width, int64_t channels) {
  ot::FloatImage image(channels, height, width);
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x)
      for (int64_t c = 0; c < channels; ++c) image.at(c, y, x) = values[(y * width + x) * channels + c];
  return image;
}

template <class T>
void write(hid_t parent, const std::string& name, hid_t type, const Shape& shape, const std::vector<T>& values) {
  h5::Handle dataset = h5::create_dataset(parent, name, type, shape);
  h5::write_dataset(dataset, type, values.data());
}

// A dataset that must have exactly `shape`; read as `type`.
template <class T>
std::vector<T> read(hid_t parent, const std::string& name, hid_t type, const Shape& shape) {
  if (!h5::has_child(parent, name)) throw h5::Failure(h5::object_path(parent, name) + " is missing");
  h5::Handle dataset = h5::open_dataset(parent, name);
  const Shape stored = h5::dataset_shape(dataset);
  if (stored != shape)
    throw h5::Failure(h5::object_path(parent, name) + " has shape " + to_string(stored) + ", expected " +
                      to_string(shape));
  std::vector<T> values(static_cast<size_t>(numel(shape)));
  h5::read_dataset(dataset, type, values.data());
  for (const T value : values)
    if (!std::isfinite(value)) throw h5::Failure(h5::object_path(parent, name) + " holds a value that is not finite");
  return values;
}

int64_t read_int(hid_t object, const std::string& name, int64_t min, int64_t max) {
  if (!h5::has_attribute(object, name))
    throw h5::Failure(h5::object_path(object) + ": the attribute '" + name + "' is missing");
  const AttributeValue value = h5::read_attribute(object, name);
  const int64_t* number = std::get_if<int64_t>(&value);
  if (!number || *number < min || *number > max)
    throw h5::Failure(h5::object_path(object) + ": the attribute '" + name + "' is not an integer in [" +
                      std::to_string(min) + ", " + std::to_string(max) + "]");
  return *number;
}

void write_model(const TextoModel& model, const fs::path& path) {
  h5::Handle file = h5::create_file(path);
  h5::write_attribute(file, "genlab_texto_format", model_format_version);
  h5::write_attribute(file, "channels", model.channels);
  h5::write_attribute(file, "patch", model.patch);
  h5::write_attribute(file, "scales", model.scale_count());
  h5::write_attribute(file, "seed", model.seed);
  h5::write_attribute(file, "exemplar", model.exemplar);
  h5::write_attribute(file, "exemplar_width", model.exemplar_width);
  h5::write_attribute(file, "exemplar_height", model.exemplar_height);
  {
    h5::Handle config = h5::require_group(file, "config");
    for (const auto& [name, value] : config::to_attributes(model.config)) h5::write_attribute(config, name, value);
  }
  {
    h5::Handle adsn = h5::require_group(file, "adsn");
    const ot::FloatImage& t = model.adsn.texton;
    write(adsn, "texton", H5T_NATIVE_FLOAT, {t.height, t.width, t.channels}, interleaved(t));
    write(adsn, "mean", H5T_NATIVE_FLOAT, {model.channels}, model.adsn.mean);
  }
  const int64_t w = model.patch, C = model.channels;
  for (int64_t s = 0; s < model.scale_count(); ++s) {
    const TextoScale& scale = model.scales[s];
    h5::Handle group = h5::require_group(file, scale_group(s));
    h5::write_attribute(group, "height", scale.height);
    h5::write_attribute(group, "width", scale.width);
    write(group, "targets", H5T_NATIVE_FLOAT, {scale.size(), w, w, C}, scale.targets);
    write(group, "weights", H5T_NATIVE_DOUBLE, {scale.size()}, scale.weights);
    if (s > 0) write(group, "upsampling", H5T_NATIVE_FLOAT, {scale.size(), 2 * w, 2 * w, C}, scale.upsampling);
  }
  file.close();
}

TextoModel read_model(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw h5::Failure("no such file");
  if (fs::is_directory(path, ec)) throw h5::Failure("it is a directory");
  if (!h5::is_hdf5_file(path)) throw h5::Failure("not an HDF5 file, so not a Texto model (make one with genlab texto learn)");
  h5::Handle file = h5::open_file(path, false);
  if (!h5::has_attribute(file, "genlab_texto_format"))
    throw h5::Failure("an HDF5 file, but not a Texto model (no genlab_texto_format attribute; make one with genlab texto learn)");
  const AttributeValue format = h5::read_attribute(file, "genlab_texto_format");
  const int64_t* version = std::get_if<int64_t>(&format);
  if (!version) throw h5::Failure("its genlab_texto_format attribute is not an integer");
  if (*version > model_format_version || *version < 1)
    throw h5::Failure("Texto model format " + std::to_string(*version) + " is not one this genlab reads (" +
                      std::to_string(model_format_version) + ")");

  TextoModel model;
  model.channels = read_int(file, "channels", 1, 3);
  if (model.channels == 2) throw h5::Failure("a Texto model has 1 or 3 channels, not 2");
  model.patch = read_int(file, "patch", 1, 16);
  const int64_t scales = read_int(file, "scales", 1, 12);
  model.seed = read_int(file, "seed", 0, INT64_MAX);
  model.exemplar_width = read_int(file, "exemplar_width", 1, INT64_MAX);
  model.exemplar_height = read_int(file, "exemplar_height", 1, INT64_MAX);
  if (h5::has_attribute(file, "exemplar")) {
    const AttributeValue name = h5::read_attribute(file, "exemplar");
    if (const auto* text = std::get_if<std::string>(&name)) model.exemplar = *text;
  }
  if (h5::has_child(file, "config"))
    model.config = config::from_attributes<LearnConfig>(h5::read_attributes(h5::open_group(file, "config")));

  const int64_t w = model.patch, C = model.channels;
  {
    h5::Handle adsn = h5::open_group(file, "adsn");
    if (!h5::has_child(adsn, "texton")) throw h5::Failure("/adsn/texton is missing");
    const Shape shape = h5::dataset_shape(h5::open_dataset(adsn, "texton"));
    if (shape.size() != 3 || shape[0] < w || shape[1] < w || shape[2] != C)
      throw h5::Failure("/adsn/texton has shape " + to_string(shape) + ", expected [h, w, " + std::to_string(C) +
                        "] with h, w >= " + std::to_string(w));
    model.adsn.texton = planar(read<float>(adsn, "texton", H5T_NATIVE_FLOAT, shape), shape[0], shape[1], C);
    model.adsn.mean = read<float>(adsn, "mean", H5T_NATIVE_FLOAT, {C});
  }
  for (int64_t s = 0; s < scales; ++s) {
    if (!h5::has_child(file, scale_group(s))) throw h5::Failure("/" + scale_group(s) + " is missing");
    h5::Handle group = h5::open_group(file, scale_group(s));
    TextoScale scale;
    scale.height = read_int(group, "height", w, INT64_MAX);
    scale.width = read_int(group, "width", w, INT64_MAX);
    if (!h5::has_child(group, "weights")) throw h5::Failure(h5::object_path(group, "weights") + " is missing");
    const Shape weights = h5::dataset_shape(h5::open_dataset(group, "weights"));
    if (weights.size() != 1 || weights[0] < 1)
      throw h5::Failure(h5::object_path(group, "weights") + " has shape " + to_string(weights) + ", expected [J]");
    const int64_t J = weights[0];
    scale.weights = read<double>(group, "weights", H5T_NATIVE_DOUBLE, {J});
    scale.targets = read<float>(group, "targets", H5T_NATIVE_FLOAT, {J, w, w, C});
    if (s > 0) scale.upsampling = read<float>(group, "upsampling", H5T_NATIVE_FLOAT, {J, 2 * w, 2 * w, C});
    model.scales.push_back(std::move(scale));
  }
  return model;
}

}  // namespace

void save_model(const TextoModel& model, const fs::path& path) {
  const fs::path tmp = path.string() + ".tmp";
  try {
    write_model(model, tmp);
    fs::rename(tmp, path);
  } catch (const h5::Failure& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError("cannot write " + quoted(path) + ": " + e.what());
  } catch (const fs::filesystem_error& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError("cannot write " + quoted(path) + ": " + e.code().message());
  }
}

TextoModel load_model(const fs::path& path) {
  try {
    return read_model(path);
  } catch (const h5::Failure& e) {
    throw IoError("cannot read " + quoted(path) + ": " + e.what());
  }
}

}  // namespace genlab::texto
