#include "genlab/metrics/sifid.hpp"

#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/metrics/frechet_distance.hpp"

namespace genlab::metrics {
namespace {

// [C, H, W] channels-first values as [H·W, C] rows, one per position.
std::vector<float> positions_as_rows(const HostTensor& map, const char* name, int64_t& positions, int64_t& channels) {
  Shape shape = map.shape;
  if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
  if (shape.size() != 3)
    throw ShapeError(std::string("sifid: the ") + name + " feature map is " + genlab::to_string(map.shape) +
                     ", expected [C, H, W] or [1, C, H, W]");
  if (static_cast<int64_t>(map.values.size()) != numel(map.shape))
    throw ShapeError(std::string("sifid: the ") + name + " feature map has " + std::to_string(map.values.size()) +
                     " values for shape " + genlab::to_string(map.shape));
  channels = shape[0];
  positions = shape[1] * shape[2];
  std::vector<float> rows(map.values.size());
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t p = 0; p < positions; ++p) rows[p * channels + c] = map.values[c * positions + p];
  return rows;
}

}  // namespace

double sifid(const FeatureMatrix& real_positions, const FeatureMatrix& fake_positions) {
  if (real_positions.cols() != fake_positions.cols())
    throw ShapeError("sifid: " + real_positions.description() + " and " + fake_positions.description() +
                     " differ in channels");
  return frechet_distance(real_positions, fake_positions);
}

double sifid(const HostTensor& real_map, const HostTensor& fake_map) {
  int64_t real_count = 0, real_channels = 0, fake_count = 0, fake_channels = 0;
  const std::vector<float> real = positions_as_rows(real_map, "real", real_count, real_channels);
  const std::vector<float> fake = positions_as_rows(fake_map, "fake", fake_count, fake_channels);
  return sifid(FeatureMatrix(std::span<const float>(real), real_count, real_channels, "real positions"),
               FeatureMatrix(std::span<const float>(fake), fake_count, fake_channels, "fake positions"));
}

}  // namespace genlab::metrics
