#pragma once
// Feature statistics in an HDF5 file, so that a data set's statistics are computed once:
//
//   /mean        float64 [D]
//   /covariance  float64 [D, D]
//   root attributes: content = "genlab feature statistics", count (int64, N), and any attributes
//   the caller adds (the feature extractor, its input size and resize filter, the data set)
//
// h5py reads it as f["mean"][()], f["covariance"][()], f.attrs["count"].
#include <filesystem>

#include "genlab/core/attributes.hpp"
#include "genlab/metrics/feature_statistics.hpp"

namespace genlab::metrics {

// Writes the file beside `path` and renames it over `path`, so a failure never leaves half a file.
// Throws IoError naming the file.
void save_feature_statistics(const std::filesystem::path& path, const FeatureStatistics& statistics,
                             const Attributes& attributes = {});

// Throws IoError naming the file when it is missing, not HDF5, or not feature statistics (missing
// datasets, shapes that do not match, a count below 2, values that are not finite).
FeatureStatistics load_feature_statistics(const std::filesystem::path& path);

// The root attributes of a statistics file, `content` and `count` included.
Attributes read_feature_statistics_attributes(const std::filesystem::path& path);

}  // namespace genlab::metrics
