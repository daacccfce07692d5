// PSNR, SSIM and MS-SSIM on both backends: skimage, the MATLAB reference shipped with skimage and a
// port of msssim.m (vectors/image-metrics.txt); agreement across backends; gradients against
// finite differences; degenerate images.
#include <catch2/catch.hpp>
#include <cmath>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/io/image.hpp"
#include "genlab/metrics/ms_ssim.hpp"
#include "genlab/metrics/psnr.hpp"
#include "genlab/metrics/ssim.hpp"
#include "tests/metrics/deterministic_inputs.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"

using namespace genlab;
using namespace genlab::metrics;
using Catch::Matchers::Contains;

namespace {

const TensorOptions f64{DType::f64, Device::cpu()};

template <Backend B>
Tensor<B> images(const std::vector<double>& values, const Shape& shape, const TensorOptions& options = {}) {
  return ops::from_host<B>(std::span<const double>(values), shape, options);
}

std::vector<double> scaled(std::vector<double> v, double factor) {
  for (auto& x : v) x *= factor;
  return v;
}

std::vector<double> camera(const std::string& file) {
  const io::Image image = io::read_image(genlab::testing::vector_path(file));
  REQUIRE(image.width == 512);
  REQUIRE(image.channels == 1);
  return std::vector<double>(image.pixels.begin(), image.pixels.end());
}

// The metric on LibTorch in float64 (to the reference's precision) and on both backends in float32.
template <class Metric>
void check_value(const std::vector<double>& x, const std::vector<double>& y, const Shape& shape, double expected,
                 Metric metric) {
  CHECK(metric(images<LibTorch>(x, shape, f64), images<LibTorch>(y, shape, f64)).item() ==
        Approx(expected).epsilon(1e-10));
  CHECK(metric(images<LibTorch>(x, shape), images<LibTorch>(y, shape)).item() == Approx(expected).epsilon(2e-5));
  CHECK(metric(images<OneDnn>(x, shape), images<OneDnn>(y, shape)).item() == Approx(expected).epsilon(2e-5));
}

}  // namespace

TEST_CASE("PSNR matches skimage's peak_signal_noise_ratio on both backends") {
  const auto vectors = genlab::testing::read_vectors("image-metrics.txt");
  const auto gray_x = genlab::testing::image(11, 1, 37, 45), gray_y = genlab::testing::noisy(12, gray_x, 0.3);
  check_value(gray_x, gray_y, {1, 1, 37, 45}, vectors.at("psnr_gray_37x45_range1")[0],
              [](auto x, auto y) { return psnr(x, y, 1.0); });
  const auto rgb_x = genlab::testing::image(13, 3, 40, 33), rgb_y = genlab::testing::noisy(14, rgb_x, 0.5);
  check_value(scaled(rgb_x, 255), scaled(rgb_y, 255), {1, 3, 40, 33}, vectors.at("psnr_rgb_40x33_range255")[0],
              [](auto x, auto y) { return psnr(x, y, 255.0); });
  check_value(camera("camera.png"), camera("camera-noisy.png"), {1, 1, 512, 512}, vectors.at("camera_psnr")[0],
              [](auto x, auto y) { return psnr(x, y, 255.0); });
}

TEST_CASE("SSIM matches skimage's Gaussian SSIM and the authors' MATLAB ssim_index.m on the cameraman") {
  const auto vectors = genlab::testing::read_vectors("image-metrics.txt");
  const auto gray_x = genlab::testing::image(11, 1, 37, 45), gray_y = genlab::testing::noisy(12, gray_x, 0.3);
  check_value(gray_x, gray_y, {1, 1, 37, 45}, vectors.at("ssim_gray_37x45_range1")[0],
              [](auto x, auto y) { return ssim(x, y, 1.0); });
  const auto rgb_x = genlab::testing::image(13, 3, 40, 33), rgb_y = genlab::testing::noisy(14, rgb_x, 0.5);
  check_value(rgb_x, rgb_y, {1, 3, 40, 33}, vectors.at("ssim_rgb_40x33_range1")[0],
              [](auto x, auto y) { return ssim(x, y, 1.0); });
  check_value(scaled(rgb_x, 255), scaled(rgb_y, 255), {1, 3, 40, 33}, vectors.at("ssim_rgb_40x33_range255")[0],
              [](auto x, auto y) { return ssim(x, y, 255.0); });
  // mssim_matlab_output.npz: 0.327314295673357 by ssim_index.m (valid filtering, as ours).
  check_value(camera("camera.png"), camera("camera-noisy.png"), {1, 1, 512, 512}, vectors.at("camera_ssim_matlab")[0],
              [](auto x, auto y) { return ssim(x, y, 255.0); });
}

TEST_CASE("the gradient of SSIM matches the MATLAB reference (Avanaki's ssim_sens.m) away from the borders") {
  // grad_matlab divides by the 512² pixels where the mean runs over the 502² valid positions: from
  // 10 pixels in, it is our gradient times (502 / 512)².
  std::ifstream file(genlab::testing::vector_path("camera-ssim-gradient-matlab.txt"));
  std::vector<double> expected;
  for (std::string line; std::getline(file, line);)
    if (!line.empty() && line[0] != '#') {
      std::istringstream values(line);
      for (double v; values >> v;) expected.push_back(v);
    }
  REQUIRE(expected.size() == 32 * 32);
  const auto x = images<LibTorch>(camera("camera.png"), {1, 1, 512, 512}, f64);
  auto y = images<LibTorch>(camera("camera-noisy.png"), {1, 1, 512, 512}, f64).requires_grad_();
  ssim(x, y, 255.0).backward();
  const std::vector<double> gradient = y.grad().to_host_f64();
  const double scale = (502.0 * 502.0) / (512.0 * 512.0);
  double largest_error = 0, largest = 0;
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 32; ++c) {
      const double ours = scale * gradient[(10 + r) * 512 + 10 + c], theirs = expected[r * 32 + c];
      largest_error = std::max(largest_error, std::abs(ours - theirs));
      largest = std::max(largest, std::abs(theirs));
    }
  CHECK(largest > 1e-7);
  CHECK(largest_error < 1e-12 * largest);
}

TEST_CASE("MS-SSIM matches a port of the authors' msssim.m, odd sizes included") {
  const auto vectors = genlab::testing::read_vectors("image-metrics.txt");
  const auto x = genlab::testing::image(15, 3, 171, 197), y = genlab::testing::noisy(16, x, 0.4);
  check_value(x, y, {1, 3, 171, 197}, vectors.at("ms_ssim_rgb_171x197_range1")[0],
              [](auto a, auto b) { return ms_ssim(a, b, 1.0); });
  check_value(camera("camera.png"), camera("camera-noisy.png"), {1, 1, 512, 512}, vectors.at("camera_ms_ssim")[0],
              [](auto a, auto b) { return ms_ssim(a, b, 255.0); });
}

TEST_CASE("MS-SSIM clamps negative terms: anti-correlated images score 0 with finite gradients") {
  const auto vectors = genlab::testing::read_vectors("image-metrics.txt");
  REQUIRE(vectors.at("ms_ssim_inverted_161x161_range1")[0] == 0.0);
  const auto x = genlab::testing::image(17, 1, 161, 161);
  auto check = [&]<class B>(const TensorOptions& options) {
    auto a = images<B>(x, {1, 1, 161, 161}, options).requires_grad_();
    const Tensor<B> score = ms_ssim(a, 1.0 - a, 1.0);
    CHECK(score.item() == 0.0);
    score.backward();
    for (double g : a.grad().to_host_f64()) REQUIRE(std::isfinite(g));
  };
  check.operator()<OneDnn>({});
  check.operator()<LibTorch>({});
  check.operator()<LibTorch>(f64);
}

TEST_CASE("image metrics of identical and constant images are defined: PSNR +inf, SSIM and MS-SSIM 1") {
  const auto x = genlab::testing::image(18, 2, 170, 165);
  auto check = [&]<class B>() {
    const auto a = images<B>(x, {1, 2, 170, 165});
    const double p = psnr(a, a, 1.0).item();
    CHECK(std::isinf(p));
    CHECK(p > 0);
    CHECK(ssim(a, a, 1.0).item() == Approx(1.0).epsilon(1e-6));
    CHECK(ms_ssim(a, a, 1.0).item() == Approx(1.0).epsilon(1e-6));
    // Constant images: σ = 0, so SSIM is the luminance term (2ab + C1) / (a² + b² + C1).
    const auto gray = ops::full<B>({1, 1, 20, 20}, 0.25), white = ops::full<B>({1, 1, 20, 20}, 1.0);
    const double c1 = 0.01 * 0.01;
    CHECK(ssim(gray, white, 1.0).item() == Approx((2 * 0.25 + c1) / (0.0625 + 1 + c1)).epsilon(1e-6));
    CHECK(ssim(gray, gray, 1.0).item() == Approx(1.0).epsilon(1e-6));
    CHECK(psnr(gray, white, 1.0).item() == Approx(10 * std::log10(1 / 0.5625)).epsilon(2e-5));
  };
  check.operator()<OneDnn>();
  check.operator()<LibTorch>();
}

TEST_CASE("image metrics score each image of a batch on its own") {
  const auto x = genlab::testing::image(19, 6, 24, 26), y = genlab::testing::noisy(20, x, 0.6);
  const auto batch = ssim(images<OneDnn>(x, {2, 3, 24, 26}), images<OneDnn>(y, {2, 3, 24, 26}), 1.0).to_host();
  const auto second = ssim(images<OneDnn>(std::vector<double>(x.begin() + 3 * 24 * 26, x.end()), {1, 3, 24, 26}),
                           images<OneDnn>(std::vector<double>(y.begin() + 3 * 24 * 26, y.end()), {1, 3, 24, 26}), 1.0);
  REQUIRE(batch.size() == 2);
  CHECK(batch[1] == Approx(second.item()).epsilon(1e-6));
  CHECK(batch[0] != Approx(batch[1]));
}

TEST_CASE("image metrics reject inputs they cannot score, naming the shapes and the minimum size") {
  const auto small = ops::zeros<OneDnn>({1, 1, 160, 200}), other = ops::zeros<OneDnn>({1, 1, 160, 199});
  CHECK_THROWS_WITH(ms_ssim(small, small, 1.0), Contains("[1, 1, 160, 200]") && Contains("at least 161"));
  CHECK_NOTHROW(ms_ssim(ops::zeros<OneDnn>({1, 1, 161, 161}), ops::zeros<OneDnn>({1, 1, 161, 161}), 1.0));
  CHECK_THROWS_WITH(ssim(ops::zeros<OneDnn>({1, 1, 10, 30}), ops::zeros<OneDnn>({1, 1, 10, 30}), 1.0),
                    Contains("at least 11"));
  CHECK_THROWS_WITH(psnr(small, other, 1.0), Contains("[1, 1, 160, 199]"));
  CHECK_THROWS_WITH(psnr(ops::zeros<OneDnn>({4, 4}), ops::zeros<OneDnn>({4, 4}), 1.0), Contains("[N, C, H, W]"));
  CHECK_THROWS_AS(ssim(small, small, 0.0), ConfigError);
  CHECK_THROWS_AS(ssim(small, small, 1.0, {.window_size = 4}), ConfigError);
  CHECK(ms_ssim_minimum_size() == 161);
}

TEST_CASE("PSNR, SSIM and MS-SSIM gradients agree with finite differences (LibTorch, float64) and across backends") {
  // Correlated pairs (y = x + noise / 3) keep every MS-SSIM term away from the clamp at 0.
  auto psnr_op = []<class B>(std::vector<Tensor<B>>& in) { return psnr(in[0], in[0] + in[1] / 3.0, 8.0); };
  auto ssim_op = []<class B>(std::vector<Tensor<B>>& in) { return ssim(in[0], in[0] + in[1] / 3.0, 8.0); };
  const MsSsimOptions small{.ssim = {.window_size = 3}, .weights = {0.3, 0.3, 0.4}};  // 9 x 9 and up
  auto small_ms_ssim_op = [&]<class B>(std::vector<Tensor<B>>& in) {
    return ms_ssim(in[0], in[0] + in[1] / 3.0, 8.0, small);
  };
  auto ms_ssim_op = []<class B>(std::vector<Tensor<B>>& in) { return ms_ssim(in[0], in[0] + in[1] / 3.0, 8.0); };
  genlab::testing::check_gradients_by_finite_differences({{2, 1, 5, 4}, {2, 1, 5, 4}}, psnr_op);
  genlab::testing::check_gradients_by_finite_differences({{1, 2, 12, 13}, {1, 2, 12, 13}}, ssim_op);
  genlab::testing::check_gradients_by_finite_differences({{1, 1, 10, 11}, {1, 1, 10, 11}}, small_ms_ssim_op);
  genlab::testing::check_backends_agree({{{2, 3, 7, 6}}, {{2, 3, 7, 6}}}, psnr_op);
  genlab::testing::check_backends_agree({{{2, 3, 19, 23}}, {{2, 3, 19, 23}}}, ssim_op);
  genlab::testing::check_backends_agree({{{2, 1, 23, 18}}, {{2, 1, 23, 18}}}, small_ms_ssim_op);
  genlab::testing::check_backends_agree({{{1, 2, 163, 170}}, {{1, 2, 163, 170}}}, ms_ssim_op);
}
