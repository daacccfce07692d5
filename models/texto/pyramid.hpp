#pragma once
// The image sizes of Texto's scales and the exemplar pyramid.
//
// Scale s (0 the finest, S - 1 the coarsest) of an m x n image is ceil(m / 2^s) x ceil(n / 2^s).
// The exemplar at scale s, and at twice that resolution for the upsampling patches, comes from a
// bicubic resize without antialiasing, as in the authors' code.
#include <cstdint>
#include <string>

#include "genlab/ot/float_image.hpp"

namespace genlab::texto {

// ceil(n / 2^s)
int64_t scale_side(int64_t n, int64_t s);

// The smallest side that fits `scales` scales of `patch` x `patch` patches: patch 2^(scales - 1),
// so that the coarsest scale is at least one patch wide.
int64_t minimum_side(int64_t scales, int64_t patch);

// Keys' cubic convolution (a = -0.5), the "bicubic" of most image libraries, separable, with
// pixel centres aligned ((o + 1/2) n / m - 1/2) and symmetric extension at the borders. No
// antialiasing: the kernel keeps its width when shrinking. (The authors' skimage resize with
// order=3 is a cubic spline instead: close, not identical.) Values are not clipped.
ot::FloatImage bicubic_resize(const ot::FloatImage& image, int64_t height, int64_t width);

}  // namespace genlab::texto
