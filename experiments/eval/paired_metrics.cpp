#include "experiments/eval/paired_metrics.hpp"

#include <functional>
#include <memory>

#include "genlab/core/error.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/metrics/dists.hpp"
#include "genlab/metrics/lpips.hpp"
#include "genlab/metrics/ms_ssim.hpp"
#include "genlab/metrics/psnr.hpp"
#include "genlab/metrics/ssim.hpp"
#include "genlab/nn/module.hpp"

namespace genlab::eval {
namespace {

// One image [1, 3, H, W] in [-1, 1].
template <Backend B>
Tensor<B> image_tensor(const std::filesystem::path& path, const TensorOptions& options) {
  const io::Image image = io::convert_channels(io::read_image(path), 3);
  std::vector<float> v(image.pixels.size());
  const int64_t plane = static_cast<int64_t>(image.width) * image.height;
  for (int64_t q = 0; q < plane; ++q)
    for (int c = 0; c < 3; ++c) v[c * plane + q] = static_cast<float>(image.pixels[q * 3 + c]) / 127.5f - 1.f;
  return ops::from_host<B>(std::span<const float>(v), {1, 3, image.height, image.width}, options);
}

// Weights of LPIPS or DISTS: a torchvision VGG16 file and the metric's own.
StateDict combined_weights(const PairedConfig& c, const std::string& metric) {
  if (c.weights.empty() || c.extra_weights.empty())
    throw ConfigError(metric + " needs --weights (torchvision VGG16) and --extra-weights (" + metric +
                      "'s own), converted as docs/features.md says");
  return metric == "lpips" ? metrics::lpips_state(io::read_weights(c.weights), io::read_weights(c.extra_weights))
                           : metrics::dists_state(io::read_weights(c.weights), io::read_weights(c.extra_weights));
}

template <Backend B>
using PairMetric = std::function<double(const Tensor<B>&, const Tensor<B>&)>;

template <Backend B>
PairMetric<B> metric_named(const std::string& metric, const PairedConfig& c, const TensorOptions& options) {
  if (metric == "psnr") return [](const Tensor<B>& x, const Tensor<B>& y) { return metrics::psnr(x, y, 2.0).item(); };
  if (metric == "ssim") return [](const Tensor<B>& x, const Tensor<B>& y) { return metrics::ssim(x, y, 2.0).item(); };
  if (metric == "ms-ssim")
    return [](const Tensor<B>& x, const Tensor<B>& y) { return metrics::ms_ssim(x, y, 2.0).item(); };
  Rng unused(0);
  if (metric == "lpips") {
    auto net = std::make_shared<metrics::Lpips<B>>(unused, options);
    nn::load_state_dict(*net, combined_weights(c, metric));
    return [net](const Tensor<B>& x, const Tensor<B>& y) { return (*net)(x, y).item(); };
  }
  if (metric == "dists") {
    auto net = std::make_shared<metrics::Dists<B>>(unused, options);
    nn::load_state_dict(*net, combined_weights(c, metric));
    return [net](const Tensor<B>& x, const Tensor<B>& y) { return (*net)(x, y).item(); };
  }
  throw ConfigError("unknown paired metric '" + metric + "' (expected psnr, ssim, ms-ssim, lpips or dists)");
}

}  // namespace

template <Backend B>
double mean_paired_metric(const std::string& metric, const PairedConfig& config, std::span<const ImagePair> pairs) {
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options{DType::f32, Device::parse(config.device)};
  const auto measure = metric_named<B>(metric, config, options);
  NoGradGuard<B> no_grad;
  double total = 0;
  for (const auto& [a, b] : pairs) {
    const auto x = image_tensor<B>(a, options), y = image_tensor<B>(b, options);
    if (x.shape() != y.shape())
      throw ShapeError(metric + ": '" + a.string() + "' is " + to_string(x.shape()) + " but '" + b.string() + "' is " +
                       to_string(y.shape()));
    total += measure(x, y);
  }
  return total / static_cast<double>(pairs.size());
}

template double mean_paired_metric<InstantiatedBackend>(const std::string&, const PairedConfig&, std::span<const ImagePair>);

}  // namespace genlab::eval
