#include "experiments/eval/features.hpp"

#include "backends/instantiated_backend.hpp"
#include "genlab/core/error.hpp"
#include "genlab/features/domain_classifier.hpp"
#include "genlab/features/inception.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/train/progress.hpp"

namespace genlab::eval {
namespace {

template <Backend B>
TensorOptions options_for(const std::string& device_name) {
  const Device device = Device::parse(device_name);
  if (!B::is_available(device))
    throw BackendError("device " + to_string(device) + " is not available on the " + std::string(B::name) + " backend");
  return {DType::f32, device};
}

// Images [n, C, H, W] of `images` from `start`, scaled from 8 bits to [-1, 1].
template <Backend B>
Tensor<B> batch_of(const data::ImageDataset& images, int64_t start, int64_t n, const TensorOptions& options) {
  const int64_t size = images.channels * images.height * images.width;
  std::vector<float> values(n * size);
  for (int64_t i = 0; i < n * size; ++i) values[i] = static_cast<float>(images.pixels[start * size + i]) / 127.5f - 1.f;
  return ops::from_host<B>(std::span<const float>(values), {n, images.channels, images.height, images.width}, options);
}

StateDict weights_or_explain(const std::filesystem::path& path, const char* network) {
  if (path.empty())
    throw ConfigError(std::string("the ") + network +
                      " features need --weights: genlab cannot download them; convert them once as docs/features.md says");
  return io::read_weights(path);
}

template <Backend B>
void append(HostTensor& to, const Tensor<B>& rows) {
  const auto values = rows.to_host();
  to.values.insert(to.values.end(), values.begin(), values.end());
  to.shape = {to.shape.empty() ? rows.size(0) : to.shape[0] + rows.size(0), rows.size(1)};
}

// Runs `network(batch) -> {features, logits}` over all images.
template <Backend B, class Network>
FeatureSet run_network(const data::ImageDataset& images, Network&& network, int64_t batch_size,
                       const TensorOptions& options, const std::string& label) {
  FeatureSet set{{}, HostTensor{}};
  train::Progress progress(label, 0, images.count, 0);
  NoGradGuard<B> no_grad;
  for (int64_t start = 0; start < images.count; start += batch_size) {
    const int64_t n = std::min(batch_size, images.count - start);
    const auto [features, logits] = network(batch_of<B>(images, start, n, options));
    append(set.features, features);
    append(*set.logits, logits);
    progress.update(start + n, {});
  }
  progress.finish(images.count, {});
  return set;
}

}  // namespace

template <Backend B>
FeatureSet extract_features(const data::ImageDataset& images, const Extractor& extractor, int64_t batch_size,
                            const std::string& device, const std::string& label) {
  const TensorOptions options = options_for<B>(device);
  if (images.image_shape() != Shape{network_input(extractor).channels, network_input(extractor).height,
                                    network_input(extractor).width})
    throw ShapeError("extract_features: images " + to_string(images.image_shape()) + " are not the " + extractor.network +
                     "'s input");
  Rng unused(0);
  if (extractor.network == "classifier") {
    features::DomainClassifier<B> net(unused, options);
    nn::load_state_dict(net, io::read_weights(extractor.weights.empty() ? shipped_classifier_weights() : extractor.weights));
    nn::set_training(net, false);
    return run_network<B>(images, [&](const Tensor<B>& x) {
      auto out = net(x);
      return std::pair{out.features, out.logits};
    }, batch_size, options, label);
  }
  features::FidInceptionV3<B> net(unused, options);
  nn::load_state_dict(net, weights_or_explain(extractor.weights, "inception"));
  nn::set_training(net, false);
  return run_network<B>(images, [&](const Tensor<B>& x) {
    auto out = net(x);
    return std::pair{out.pool, out.logits};
  }, batch_size, options, label);
}

template <Backend B>
HostTensor inception_first_pool(const data::ImageDataset& image, const std::filesystem::path& weights,
                                const std::string& device) {
  const TensorOptions options = options_for<B>(device);
  Rng unused(0);
  features::FidInceptionV3<B> net(unused, options);
  nn::load_state_dict(net, weights_or_explain(weights, "inception"));
  nn::set_training(net, false);
  NoGradGuard<B> no_grad;
  const auto map = net(batch_of<B>(image, 0, 1, options), /*up_to_pool=*/false).first_pool;
  return {map.shape(), map.to_host()};
}

template FeatureSet extract_features<InstantiatedBackend>(const data::ImageDataset&, const Extractor&, int64_t, const std::string&,
                                             const std::string&);
template HostTensor inception_first_pool<InstantiatedBackend>(const data::ImageDataset&, const std::filesystem::path&, const std::string&);

}  // namespace genlab::eval
