// Sliding patches: unfold (im2col) and fold (col2im) in OpenMP loops, since oneDNN exposes no
// im2col primitive. Each is the other's adjoint, so each one's gradient is the other op, recorded
// in public ops and therefore differentiable again.
#include <algorithm>
#include <vector>

#include "backends/onednn/autograd.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

// The geometry shared by both directions. Column row r = (c kh + i) kw + j holds, at position
// l = bh * blocks_w + bw, the input element (c, bh sh - ph + i dh, bw sw - pw + j dw), or 0 where
// that lies in the padding: PyTorch's F.unfold order.
struct Patches {
  int64_t batch, channels, height, width;  // the image [N, C, H, W]
  int64_t blocks_h, blocks_w;
  UnfoldOptions o;

  int64_t rows_per_sample() const { return channels * o.kernel.height * o.kernel.width; }
  int64_t blocks() const { return blocks_h * blocks_w; }
};

Patches patches(const Shape& image, const UnfoldOptions& o) {
  const int64_t blocks_h = conv_output_size(image[2], o.kernel.height, o.stride.height, o.padding.height,
                                            o.dilation.height);
  const int64_t blocks_w = conv_output_size(image[3], o.kernel.width, o.stride.width, o.padding.width,
                                            o.dilation.width);
  return {image[0], image[1], image[2], image[3], blocks_h, blocks_w, o};
}

// The image row read (or written) by kernel offset i at block row bh; -1 outside the image.
int64_t source_row(const Patches& p, int64_t bh, int64_t i) {
  const int64_t h = bh * p.o.stride.height - p.o.padding.height + i * p.o.dilation.height;
  return h >= 0 && h < p.height ? h : -1;
}
int64_t source_col(const Patches& p, int64_t bw, int64_t j) {
  const int64_t w = bw * p.o.stride.width - p.o.padding.width + j * p.o.dilation.width;
  return w >= 0 && w < p.width ? w : -1;
}

// Below this many elements a loop runs on one thread: starting a team costs more than it saves.
constexpr int64_t parallel_threshold = 32768;

// One thread per column row: each writes its own row only.
void im2col(const Patches& p, const float* image, float* columns) {
  const int64_t kh = p.o.kernel.height, kw = p.o.kernel.width;
  const int64_t rows = p.batch * p.rows_per_sample();
#pragma omp parallel for if (rows * p.blocks() > parallel_threshold)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = r / p.rows_per_sample(), row = r % p.rows_per_sample();
    const int64_t c = row / (kh * kw), i = row / kw % kh, j = row % kw;
    const float* plane = image + (n * p.channels + c) * p.height * p.width;
    float* out = columns + r * p.blocks();
    for (int64_t bh = 0; bh < p.blocks_h; ++bh) {
      const int64_t h = source_row(p, bh, i);
      for (int64_t bw = 0; bw < p.blocks_w; ++bw) {
        const int64_t w = source_col(p, bw, j);
        out[bh * p.blocks_w + bw] = h >= 0 && w >= 0 ? plane[h * p.width + w] : 0.f;
      }
    }
  }
}

// One thread per image plane (n, c): overlapping patches sum into it from its kh kw column rows,
// all read by the same thread, so no two threads write one element.
void col2im(const Patches& p, const float* columns, float* image) {
  const int64_t kh = p.o.kernel.height, kw = p.o.kernel.width;
  const int64_t planes = p.batch * p.channels;
#pragma omp parallel for if (planes * kh * kw * p.blocks() > parallel_threshold)
  for (int64_t q = 0; q < planes; ++q) {
    float* plane = image + q * p.height * p.width;
    std::fill_n(plane, p.height * p.width, 0.f);
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        const float* in = columns + (q * kh * kw + i * kw + j) * p.blocks();
        for (int64_t bh = 0; bh < p.blocks_h; ++bh) {
          const int64_t h = source_row(p, bh, i);
          if (h < 0) continue;
          for (int64_t bw = 0; bw < p.blocks_w; ++bw) {
            const int64_t w = source_col(p, bw, j);
            if (w >= 0) plane[h * p.width + w] += in[bh * p.blocks_w + bw];
          }
        }
      }
  }
}

}  // namespace

OneDnn::Handle OneDnn::unfold(const Handle& x, const UnfoldOptions& options) {
  checked(x, "unfold", "input");
  const Shape columns_shape = shape_rules::unfold(x->shape, options);
  const Patches p = patches(x->shape, options);
  Handle columns = empty(columns_shape);
  im2col(p, x->data(), columns->data());
  const Pair image_size(x->shape[2], x->shape[3]);
  return record(
      std::move(columns), "unfold", {&x},
      [=] {
        return [=](const Handle& dy, const Node&) { return std::vector<Handle>{fold(dy, image_size, options)}; };
      },
      BackwardKind::differentiable);
}

OneDnn::Handle OneDnn::fold(const Handle& columns, const Pair& output_size, const UnfoldOptions& options) {
  checked(columns, "fold", "columns");
  const Shape image_shape = shape_rules::fold(columns->shape, output_size, options);
  const Patches p = patches(image_shape, options);
  Handle image = empty(image_shape);
  col2im(p, columns->data(), image->data());
  return record(
      std::move(image), "fold", {&columns},
      [=] { return [=](const Handle& dy, const Node&) { return std::vector<Handle>{unfold(dy, options)}; }; },
      BackwardKind::differentiable);
}

}  // namespace genlab
