#pragma once
// Feature networks for `genlab eval`: genlab's Fashion-MNIST classifier (128-d features, 10
// logits; its weights ship in data/classifier/) or the FID Inception-v3 (2048-d pool features,
// 1008 bias-free logits; weights converted as docs/features.md says), run in batches with a
// progress display.
#include <filesystem>
#include <string>

#include "experiments/eval/sources.hpp"
#include "genlab/core/backend.hpp"

namespace genlab::eval {

struct Extractor {
  std::string network = "classifier";  // "classifier" or "inception"
  std::filesystem::path weights;       // empty: the shipped classifier weights
};

// The input the network reads (28x28 grey, or 299x299 RGB); ConfigError for an unknown network.
data::ImageFolderOptions network_input(const Extractor& extractor);

// The shipped classifier: $GENLAB_DATA_DIR or the source tree's data/, classifier/....
std::filesystem::path shipped_classifier_weights();

template <Backend B>
FeatureSet extract_features(const data::ImageDataset& images, const Extractor& extractor, int64_t batch_size,
                            const std::string& device, const std::string& label);

// SiFID's features of one image: Inception's map after the first max pool, [1, 64, H, W].
template <Backend B>
HostTensor inception_first_pool(const data::ImageDataset& image, const std::filesystem::path& weights,
                                const std::string& device);

}  // namespace genlab::eval
