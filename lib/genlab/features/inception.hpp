#pragma once
// The Inception-v3 of FID (Heusel et al. 2017) as pytorch-fid builds it from TensorFlow's
// 2015-12-05 graph: torchvision's Inception3 with 1008 classes, where every average pool of the
// mixed blocks excludes the padding from its divisor and the last block (Mixed_7c) max-pools its
// pool branch. Members are named as torchvision's state-dict keys, so the converted weights
// (pt_inception-2015-12-05-6726825d.pth through scripts/convert-torch-weights) load as they are.
//
// Input: images in [-1, 1], resized to 299x299 bilinearly without antialiasing (as pytorch-fid);
// grey images are repeated over three channels. Outputs: the 64-channel map after the first max
// pool (SiFID's features), the 2048-d pool features (FID, KID, precision and recall), and the
// 1008 logits without the fc bias (Inception Score, as torch-fidelity's "logits_unbiased").
#include "genlab/features/basic_conv.hpp"
#include "genlab/nn/linear.hpp"

namespace genlab::features {

namespace inception_detail {
inline const Pool2dOptions same_average{.kernel = 3, .stride = 1, .padding = 1, .count_include_pad = false};
inline const Pool2dOptions same_max{.kernel = 3, .stride = 1, .padding = 1};
inline const Pool2dOptions reduce_max{.kernel = 3, .stride = 2};
}  // namespace inception_detail

// 35x35 blocks: 64 + 64 + 96 + pool_features channels.
template <Backend B>
struct InceptionA {
  BOOST_HANA_DEFINE_STRUCT(InceptionA, (BasicConv2d<B>, branch1x1), (BasicConv2d<B>, branch5x5_1),
                           (BasicConv2d<B>, branch5x5_2), (BasicConv2d<B>, branch3x3dbl_1),
                           (BasicConv2d<B>, branch3x3dbl_2), (BasicConv2d<B>, branch3x3dbl_3),
                           (BasicConv2d<B>, branch_pool));
  InceptionA() = default;
  InceptionA(int64_t in, int64_t pool_features, Rng& r, const TensorOptions& o)
      : branch1x1(in, 64, 1, 0, 1, r, o), branch5x5_1(in, 48, 1, 0, 1, r, o), branch5x5_2(48, 64, 5, 2, 1, r, o),
        branch3x3dbl_1(in, 64, 1, 0, 1, r, o), branch3x3dbl_2(64, 96, 3, 1, 1, r, o),
        branch3x3dbl_3(96, 96, 3, 1, 1, r, o), branch_pool(in, pool_features, 1, 0, 1, r, o) {}
  Tensor<B> operator()(const Tensor<B>& x) {
    return ops::concat<B>({branch1x1(x), branch5x5_2(branch5x5_1(x)), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
                           branch_pool(ops::avg_pool2d(x, inception_detail::same_average))},
                          1);
  }
};

// 35x35 -> 17x17: 384 + 96 + in channels.
template <Backend B>
struct InceptionB {
  BOOST_HANA_DEFINE_STRUCT(InceptionB, (BasicConv2d<B>, branch3x3), (BasicConv2d<B>, branch3x3dbl_1),
                           (BasicConv2d<B>, branch3x3dbl_2), (BasicConv2d<B>, branch3x3dbl_3));
  InceptionB() = default;
  InceptionB(int64_t in, Rng& r, const TensorOptions& o)
      : branch3x3(in, 384, 3, 0, 2, r, o), branch3x3dbl_1(in, 64, 1, 0, 1, r, o), branch3x3dbl_2(64, 96, 3, 1, 1, r, o),
        branch3x3dbl_3(96, 96, 3, 0, 2, r, o) {}
  Tensor<B> operator()(const Tensor<B>& x) {
    return ops::concat<B>({branch3x3(x), branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x))),
                           ops::max_pool2d(x, inception_detail::reduce_max)},
                          1);
  }
};

// 17x17 blocks with factorised 7x7 convolutions: 768 channels.
template <Backend B>
struct InceptionC {
  BOOST_HANA_DEFINE_STRUCT(InceptionC, (BasicConv2d<B>, branch1x1), (BasicConv2d<B>, branch7x7_1),
                           (BasicConv2d<B>, branch7x7_2), (BasicConv2d<B>, branch7x7_3),
                           (BasicConv2d<B>, branch7x7dbl_1), (BasicConv2d<B>, branch7x7dbl_2),
                           (BasicConv2d<B>, branch7x7dbl_3), (BasicConv2d<B>, branch7x7dbl_4),
                           (BasicConv2d<B>, branch7x7dbl_5), (BasicConv2d<B>, branch_pool));
  InceptionC() = default;
  InceptionC(int64_t in, int64_t c7, Rng& r, const TensorOptions& o)
      : branch1x1(in, 192, 1, 0, 1, r, o), branch7x7_1(in, c7, 1, 0, 1, r, o),
        branch7x7_2(c7, c7, {1, 7}, {0, 3}, 1, r, o), branch7x7_3(c7, 192, {7, 1}, {3, 0}, 1, r, o),
        branch7x7dbl_1(in, c7, 1, 0, 1, r, o), branch7x7dbl_2(c7, c7, {7, 1}, {3, 0}, 1, r, o),
        branch7x7dbl_3(c7, c7, {1, 7}, {0, 3}, 1, r, o), branch7x7dbl_4(c7, c7, {7, 1}, {3, 0}, 1, r, o),
        branch7x7dbl_5(c7, 192, {1, 7}, {0, 3}, 1, r, o), branch_pool(in, 192, 1, 0, 1, r, o) {}
  Tensor<B> operator()(const Tensor<B>& x) {
    const auto seven = branch7x7_3(branch7x7_2(branch7x7_1(x)));
    const auto double_seven =
        branch7x7dbl_5(branch7x7dbl_4(branch7x7dbl_3(branch7x7dbl_2(branch7x7dbl_1(x)))));
    return ops::concat<B>({branch1x1(x), seven, double_seven, branch_pool(ops::avg_pool2d(x, inception_detail::same_average))},
                          1);
  }
};

// 17x17 -> 8x8: 320 + 192 + in channels.
template <Backend B>
struct InceptionD {
  BOOST_HANA_DEFINE_STRUCT(InceptionD, (BasicConv2d<B>, branch3x3_1), (BasicConv2d<B>, branch3x3_2),
                           (BasicConv2d<B>, branch7x7x3_1), (BasicConv2d<B>, branch7x7x3_2),
                           (BasicConv2d<B>, branch7x7x3_3), (BasicConv2d<B>, branch7x7x3_4));
  InceptionD() = default;
  InceptionD(int64_t in, Rng& r, const TensorOptions& o)
      : branch3x3_1(in, 192, 1, 0, 1, r, o), branch3x3_2(192, 320, 3, 0, 2, r, o), branch7x7x3_1(in, 192, 1, 0, 1, r, o),
        branch7x7x3_2(192, 192, {1, 7}, {0, 3}, 1, r, o), branch7x7x3_3(192, 192, {7, 1}, {3, 0}, 1, r, o),
        branch7x7x3_4(192, 192, 3, 0, 2, r, o) {}
  Tensor<B> operator()(const Tensor<B>& x) {
    return ops::concat<B>({branch3x3_2(branch3x3_1(x)), branch7x7x3_4(branch7x7x3_3(branch7x7x3_2(branch7x7x3_1(x)))),
                           ops::max_pool2d(x, inception_detail::reduce_max)},
                          1);
  }
};

// 8x8 blocks: 320 + 768 + 768 + 192 = 2048 channels; the pool branch averages (Mixed_7b) or, in
// FID's Mixed_7c, max-pools.
template <Backend B>
struct InceptionE {
  BOOST_HANA_DEFINE_STRUCT(InceptionE, (BasicConv2d<B>, branch1x1), (BasicConv2d<B>, branch3x3_1),
                           (BasicConv2d<B>, branch3x3_2a), (BasicConv2d<B>, branch3x3_2b),
                           (BasicConv2d<B>, branch3x3dbl_1), (BasicConv2d<B>, branch3x3dbl_2),
                           (BasicConv2d<B>, branch3x3dbl_3a), (BasicConv2d<B>, branch3x3dbl_3b),
                           (BasicConv2d<B>, branch_pool));
  bool max_pool_branch = false;

  InceptionE() = default;
  InceptionE(int64_t in, bool max_pool, Rng& r, const TensorOptions& o)
      : branch1x1(in, 320, 1, 0, 1, r, o), branch3x3_1(in, 384, 1, 0, 1, r, o),
        branch3x3_2a(384, 384, {1, 3}, {0, 1}, 1, r, o), branch3x3_2b(384, 384, {3, 1}, {1, 0}, 1, r, o),
        branch3x3dbl_1(in, 448, 1, 0, 1, r, o), branch3x3dbl_2(448, 384, 3, 1, 1, r, o),
        branch3x3dbl_3a(384, 384, {1, 3}, {0, 1}, 1, r, o), branch3x3dbl_3b(384, 384, {3, 1}, {1, 0}, 1, r, o),
        branch_pool(in, 192, 1, 0, 1, r, o), max_pool_branch(max_pool) {}
  Tensor<B> operator()(const Tensor<B>& x) {
    const auto t = branch3x3_1(x);
    const auto d = branch3x3dbl_2(branch3x3dbl_1(x));
    const auto pooled = max_pool_branch ? ops::max_pool2d(x, inception_detail::same_max)
                                        : ops::avg_pool2d(x, inception_detail::same_average);
    return ops::concat<B>({branch1x1(x), ops::concat<B>({branch3x3_2a(t), branch3x3_2b(t)}, 1),
                           ops::concat<B>({branch3x3dbl_3a(d), branch3x3dbl_3b(d)}, 1), branch_pool(pooled)},
                          1);
  }
};

template <Backend B>
struct InceptionOutputs {
  Tensor<B> first_pool;  // [N, 64, 73, 73]: SiFID's features
  Tensor<B> pool;        // [N, 2048]
  Tensor<B> logits;      // [N, 1008], without the fc bias
};

template <Backend B>
struct FidInceptionV3 {
  BOOST_HANA_DEFINE_STRUCT(FidInceptionV3, (BasicConv2d<B>, Conv2d_1a_3x3), (BasicConv2d<B>, Conv2d_2a_3x3),
                           (BasicConv2d<B>, Conv2d_2b_3x3), (BasicConv2d<B>, Conv2d_3b_1x1),
                           (BasicConv2d<B>, Conv2d_4a_3x3), (InceptionA<B>, Mixed_5b), (InceptionA<B>, Mixed_5c),
                           (InceptionA<B>, Mixed_5d), (InceptionB<B>, Mixed_6a), (InceptionC<B>, Mixed_6b),
                           (InceptionC<B>, Mixed_6c), (InceptionC<B>, Mixed_6d), (InceptionC<B>, Mixed_6e),
                           (InceptionD<B>, Mixed_7a), (InceptionE<B>, Mixed_7b), (InceptionE<B>, Mixed_7c),
                           (nn::Linear<B>, fc));

  static constexpr int64_t pool_features = 2048, classes = 1008, input_size = 299;

  // Random weights (PyTorch's initialisation); load real ones with nn::load_state_dict.
  FidInceptionV3(Rng& r, const TensorOptions& o = {})
      : Conv2d_1a_3x3(3, 32, 3, 0, 2, r, o), Conv2d_2a_3x3(32, 32, 3, 0, 1, r, o), Conv2d_2b_3x3(32, 64, 3, 1, 1, r, o),
        Conv2d_3b_1x1(64, 80, 1, 0, 1, r, o), Conv2d_4a_3x3(80, 192, 3, 0, 1, r, o), Mixed_5b(192, 32, r, o),
        Mixed_5c(256, 64, r, o), Mixed_5d(288, 64, r, o), Mixed_6a(288, r, o), Mixed_6b(768, 128, r, o),
        Mixed_6c(768, 160, r, o), Mixed_6d(768, 160, r, o), Mixed_6e(768, 192, r, o), Mixed_7a(768, r, o),
        Mixed_7b(1280, false, r, o), Mixed_7c(2048, true, r, o), fc({.in = 2048, .out = classes}, r, o) {}

  // `up_to_pool`: stop after the first max pool (SiFID) when false.
  InceptionOutputs<B> operator()(const Tensor<B>& images, bool up_to_pool = true) {
    Tensor<B> x = images.size(1) == 1 ? ops::expand(images, {images.size(0), 3, images.size(2), images.size(3)}) : images;
    if (x.size(2) != input_size || x.size(3) != input_size)
      x = ops::resize(x, Pair(input_size, input_size), ResizeMode::bilinear);
    x = Conv2d_2b_3x3(Conv2d_2a_3x3(Conv2d_1a_3x3(x)));
    InceptionOutputs<B> out;
    out.first_pool = ops::max_pool2d(x, inception_detail::reduce_max);
    if (!up_to_pool) return out;
    x = ops::max_pool2d(Conv2d_4a_3x3(Conv2d_3b_1x1(out.first_pool)), inception_detail::reduce_max);
    x = Mixed_6a(Mixed_5d(Mixed_5c(Mixed_5b(x))));
    x = Mixed_7a(Mixed_6e(Mixed_6d(Mixed_6c(Mixed_6b(x)))));
    x = Mixed_7c(Mixed_7b(x));
    out.pool = ops::mean(x, {2, 3});
    out.logits = ops::linear(out.pool, fc.weight);
    return out;
  }
};

}  // namespace genlab::features
