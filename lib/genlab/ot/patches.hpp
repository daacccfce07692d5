#pragma once
// Patches of an image and their recomposition.
//
// A patch grid is the set of w x w windows at stride s whose top-left corners are (s r, s q),
// r < rows, q < cols, none leaving the image, numbered in raster order p = r cols + q. As a vector
// of dimension D = w w C, a patch lists its values in the order of an interleaved image,
// component (dy w + dx) C + c, so a set of J patches stored as [J, w, w, C] reads as J small images.
#include <cstdint>
#include <span>
#include <vector>

#include "genlab/ot/float_image.hpp"

namespace genlab::ot {

struct PatchGrid {
  int64_t channels = 0, height = 0, width = 0, size = 0, stride = 1;

  int64_t rows() const { return (height - size) / stride + 1; }
  int64_t cols() const { return (width - size) / stride + 1; }
  int64_t count() const { return rows() * cols(); }
  int64_t dimension() const { return size * size * channels; }
};

// The grid of size x size patches of an image of that shape. Throws ShapeError when the image is
// smaller than one patch, or when the stride leaves a border that no patch covers.
PatchGrid patch_grid(int64_t channels, int64_t height, int64_t width, int64_t size, int64_t stride = 1);
PatchGrid patch_grid(const FloatImage& image, int64_t size, int64_t stride = 1);

// Patch `position` of the grid, written to out[0, D).
void extract_patch(const FloatImage& image, const PatchGrid& grid, int64_t position, float* out);

// The patches at `positions` as the rows of a [positions.size(), D] matrix.
std::vector<float> extract_patches(const FloatImage& image, const PatchGrid& grid, std::span<const int64_t> positions);

// All patches of the grid, [count, D].
std::vector<float> extract_all_patches(const FloatImage& image, const PatchGrid& grid);

// Where each component of a stride-1 patch lies in `image`'s values, relative to the patch's
// top-left pixel in channel 0: the search walks the patches of a row with these D offsets.
std::vector<int64_t> component_offsets(const FloatImage& image, int64_t size);

// Recomposition, eqs. (7) and (8) of docs/models/texto.md: the image on which patch p of the
// grid is row choice[p] of `library` ([rows, D]); every pixel is the uniform average of the values
// that the patches covering it give it. With stride 1 this is the map's output at one scale; with
// 2w x 2w patches at stride 2 it is the upsampling that pastes exemplar patches on the finer grid.
// When height and width are given, only the top-left height x width of that image is made.
FloatImage average_patches(const PatchGrid& grid, std::span<const float> library, std::span<const int32_t> choice,
                           int64_t height = -1, int64_t width = -1);

}  // namespace genlab::ot
