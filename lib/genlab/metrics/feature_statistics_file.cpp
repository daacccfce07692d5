#include "genlab/metrics/feature_statistics_file.hpp"

#include <string>
#include <system_error>

#include "genlab/core/error.hpp"
#include "genlab/io/hdf5.hpp"

namespace genlab::metrics {
namespace {

namespace fs = std::filesystem;
namespace h5 = io::h5;

constexpr const char* content_tag = "genlab feature statistics";

void write_file(const fs::path& path, const FeatureStatistics& stats, const Attributes& attributes) {
  const int64_t d = stats.dimensions();
  h5::Handle file = h5::create_file(path);
  for (const auto& [name, value] : attributes) h5::write_attribute(file, name, value);
  h5::write_attribute(file, "content", std::string(content_tag));
  h5::write_attribute(file, "count", stats.count);
  {
    h5::Handle mean = h5::create_dataset(file, "mean", H5T_IEEE_F64LE, {d});
    h5::write_dataset(mean, H5T_NATIVE_DOUBLE, stats.mean.data());
    // Eigen's column-major storage of a symmetric matrix is also its row-major storage.
    h5::Handle covariance = h5::create_dataset(file, "covariance", H5T_IEEE_F64LE, {d, d});
    h5::write_dataset(covariance, H5T_NATIVE_DOUBLE, stats.covariance.data());
  }
  file.close();
}

FeatureStatistics read_file(const fs::path& path) {
  if (!fs::exists(path)) throw IoError("cannot read " + quoted(path) + ": no such file");
  if (!h5::is_hdf5_file(path)) throw IoError("cannot read " + quoted(path) + ": not an HDF5 file");
  const std::string what = "cannot read feature statistics from " + quoted(path) + ": ";
  h5::Handle file = h5::open_file(path, false);
  for (const char* name : {"mean", "covariance"})
    if (!h5::has_child(file, name)) throw IoError(what + "no dataset '" + name + "'");
  if (!h5::has_attribute(file, "count")) throw IoError(what + "no attribute 'count'");

  FeatureStatistics stats;
  const AttributeValue count = h5::read_attribute(file, "count");
  if (!std::holds_alternative<int64_t>(count)) throw IoError(what + "attribute 'count' is not an integer");
  stats.count = std::get<int64_t>(count);
  if (stats.count < 2) throw IoError(what + "count " + std::to_string(stats.count) + " is below 2");

  h5::Handle mean = h5::open_dataset(file, "mean");
  h5::Handle covariance = h5::open_dataset(file, "covariance");
  const Shape mean_shape = h5::dataset_shape(mean), covariance_shape = h5::dataset_shape(covariance);
  if (mean_shape.size() != 1 || mean_shape[0] < 1)
    throw IoError(what + "'mean' has shape " + genlab::to_string(mean_shape) + ", expected [D] with D >= 1");
  const int64_t d = mean_shape[0];
  if (covariance_shape != Shape{d, d})
    throw IoError(what + "'covariance' has shape " + genlab::to_string(covariance_shape) + ", expected [" +
                  std::to_string(d) + ", " + std::to_string(d) + "] to match 'mean' " + genlab::to_string(mean_shape));
  stats.mean.resize(d);
  stats.covariance.resize(d, d);
  h5::read_dataset(mean, H5T_NATIVE_DOUBLE, stats.mean.data());
  h5::read_dataset(covariance, H5T_NATIVE_DOUBLE, stats.covariance.data());
  if (!stats.mean.allFinite() || !stats.covariance.allFinite())
    throw IoError(what + "the mean or the covariance holds values that are not finite");
  // Written row-major, read into column-major: the transpose, which is the same matrix when it is
  // symmetric. Any other matrix is not a covariance.
  const double asymmetry = (stats.covariance - stats.covariance.transpose()).cwiseAbs().maxCoeff();
  if (asymmetry > 1e-12 * std::max(1.0, stats.covariance.cwiseAbs().maxCoeff()))
    throw IoError(what + "'covariance' is not symmetric (largest difference " + std::to_string(asymmetry) + ")");
  return stats;
}

}  // namespace

void save_feature_statistics(const fs::path& path, const FeatureStatistics& stats, const Attributes& attributes) {
  const int64_t d = stats.dimensions();
  if (d < 1 || stats.covariance.rows() != d || stats.covariance.cols() != d)
    throw ShapeError("save_feature_statistics: a mean of " + std::to_string(d) + " dimensions and a covariance of " +
                     std::to_string(stats.covariance.rows()) + " x " + std::to_string(stats.covariance.cols()));
  for (const char* reserved : {"content", "count"})
    if (attributes.count(reserved))
      throw ConfigError("save_feature_statistics: attribute '" + std::string(reserved) + "' is written by genlab");
  const fs::path partial = path.string() + ".partial";
  try {
    write_file(partial, stats, attributes);
    fs::rename(partial, path);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw IoError("cannot write " + quoted(path) + ": " + e.what());
  }
}

FeatureStatistics load_feature_statistics(const fs::path& path) {
  try {
    return read_file(path);
  } catch (const h5::Failure& e) {
    throw IoError("cannot read " + quoted(path) + ": " + e.what());
  }
}

Attributes read_feature_statistics_attributes(const fs::path& path) {
  try {
    if (!fs::exists(path)) throw IoError("cannot read " + quoted(path) + ": no such file");
    if (!h5::is_hdf5_file(path)) throw IoError("cannot read " + quoted(path) + ": not an HDF5 file");
    h5::Handle file = h5::open_file(path, false);
    return h5::read_attributes(file);
  } catch (const h5::Failure& e) {
    throw IoError("cannot read " + quoted(path) + ": " + e.what());
  }
}

}  // namespace genlab::metrics
