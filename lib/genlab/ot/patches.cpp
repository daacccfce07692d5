#include "genlab/ot/patches.hpp"

#include <algorithm>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::ot {
namespace {

std::string size_text(int64_t height, int64_t width) { return std::to_string(width) + "x" + std::to_string(height); }

// The patch rows (or columns) r that cover pixel row y: s r <= y < s r + w, 0 <= r < rows.
std::pair<int64_t, int64_t> covering(int64_t y, int64_t size, int64_t stride, int64_t rows) {
  const int64_t first = y - size + 1 <= 0 ? 0 : (y - size + stride) / stride;
  const int64_t last = std::min(y / stride, rows - 1);
  return {first, last};
}

}  // namespace

PatchGrid patch_grid(int64_t channels, int64_t height, int64_t width, int64_t size, int64_t stride) {
  if (size < 1 || stride < 1 || channels < 1)
    throw ShapeError("patch grid: patch size " + std::to_string(size) + ", stride " + std::to_string(stride) +
                     " and channels " + std::to_string(channels) + " must be positive");
  if (height < size || width < size)
    throw ShapeError("patch grid: a " + size_text(height, width) + " image has no " + size_text(size, size) + " patch");
  if ((height - size) % stride != 0 || (width - size) % stride != 0)
    throw ShapeError("patch grid: " + size_text(size, size) + " patches at stride " + std::to_string(stride) +
                     " leave part of a " + size_text(height, width) + " image uncovered");
  return {channels, height, width, size, stride};
}

PatchGrid patch_grid(const FloatImage& image, int64_t size, int64_t stride) {
  return patch_grid(image.channels, image.height, image.width, size, stride);
}

void extract_patch(const FloatImage& image, const PatchGrid& grid, int64_t position, float* out) {
  const int64_t y0 = position / grid.cols() * grid.stride, x0 = position % grid.cols() * grid.stride;
  const int64_t w = grid.size, channels = grid.channels;
  for (int64_t dy = 0; dy < w; ++dy)
    for (int64_t dx = 0; dx < w; ++dx)
      for (int64_t c = 0; c < channels; ++c) *out++ = image.at(c, y0 + dy, x0 + dx);
}

std::vector<float> extract_patches(const FloatImage& image, const PatchGrid& grid, std::span<const int64_t> positions) {
  if (image.channels != grid.channels || image.height != grid.height || image.width != grid.width)
    throw ShapeError("extract_patches: the image is " + size_text(image.height, image.width) + "x" +
                     std::to_string(image.channels) + ", the grid is for " + size_text(grid.height, grid.width) +
                     "x" + std::to_string(grid.channels));
  const int64_t d = grid.dimension();
  std::vector<float> patches(positions.size() * static_cast<size_t>(d));
  for (size_t i = 0; i < positions.size(); ++i) {
    if (positions[i] < 0 || positions[i] >= grid.count())
      throw ShapeError("extract_patches: position " + std::to_string(positions[i]) + " is outside the grid of " +
                       std::to_string(grid.count()) + " patches");
    extract_patch(image, grid, positions[i], patches.data() + i * d);
  }
  return patches;
}

std::vector<float> extract_all_patches(const FloatImage& image, const PatchGrid& grid) {
  std::vector<int64_t> positions(static_cast<size_t>(grid.count()));
  for (size_t p = 0; p < positions.size(); ++p) positions[p] = static_cast<int64_t>(p);
  return extract_patches(image, grid, positions);
}

std::vector<int64_t> component_offsets(const FloatImage& image, int64_t size) {
  std::vector<int64_t> offsets;
  offsets.reserve(static_cast<size_t>(size * size * image.channels));
  for (int64_t dy = 0; dy < size; ++dy)
    for (int64_t dx = 0; dx < size; ++dx)
      for (int64_t c = 0; c < image.channels; ++c) offsets.push_back((c * image.height + dy) * image.width + dx);
  return offsets;
}

FloatImage average_patches(const PatchGrid& grid, std::span<const float> library, std::span<const int32_t> choice,
                           int64_t height, int64_t width) {
  const int64_t d = grid.dimension(), rows = grid.rows(), cols = grid.cols();
  if (static_cast<int64_t>(choice.size()) != grid.count())
    throw ShapeError("average_patches: " + std::to_string(choice.size()) + " choices for a grid of " +
                     std::to_string(grid.count()) + " patches");
  if (library.size() % static_cast<size_t>(d) != 0)
    throw ShapeError("average_patches: the library's " + std::to_string(library.size()) +
                     " values are not rows of dimension " + std::to_string(d));
  const auto library_rows = static_cast<int64_t>(library.size()) / d;
  for (const int32_t j : choice)
    if (j < 0 || j >= library_rows)
      throw ShapeError("average_patches: choice " + std::to_string(j) + " is outside the library of " +
                       std::to_string(library_rows) + " patches");

  if (height < 0) height = grid.height;
  if (width < 0) width = grid.width;
  if (height > grid.height || width > grid.width)
    throw ShapeError("average_patches: cannot make " + size_text(height, width) + " pixels of a " +
                     size_text(grid.height, grid.width) + " grid");
  const int64_t w = grid.size, s = grid.stride, channels = grid.channels;
  // How many patch columns cover each pixel column; rows likewise, per output row.
  std::vector<float> column_count(static_cast<size_t>(width));
  for (int64_t x = 0; x < width; ++x) {
    const auto [first, last] = covering(x, w, s, cols);
    column_count[x] = static_cast<float>(last - first + 1);
  }
  FloatImage out(channels, height, width);
  const int64_t run = w * channels;  // a patch row is w pixels of C channels, interleaved
#pragma omp parallel
  {
    // The sums of one image row, interleaved like the patches: a patch row adds to one contiguous run.
    std::vector<float> sum(static_cast<size_t>(grid.width * channels));
#pragma omp for schedule(dynamic, 8)
    for (int64_t y = 0; y < height; ++y) {
      std::fill(sum.begin(), sum.end(), 0.f);
      const auto [first, last] = covering(y, w, s, rows);
      for (int64_t r = first; r <= last; ++r) {
        const int64_t dy = y - s * r;
        for (int64_t q = 0; q < cols; ++q) {
          const float* patch_row = library.data() + choice[r * cols + q] * d + dy * run;
          float* to = sum.data() + s * q * channels;
          for (int64_t k = 0; k < run; ++k) to[k] += patch_row[k];
        }
      }
      const float row_count = static_cast<float>(last - first + 1);
      for (int64_t x = 0; x < width; ++x) {
        const float scale = 1.f / (row_count * column_count[x]);
        for (int64_t c = 0; c < channels; ++c) out.at(c, y, x) = sum[x * channels + c] * scale;
      }
    }
  }
  return out;
}

}  // namespace genlab::ot
