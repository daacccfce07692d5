#pragma once
// Training and evaluating genlab's own domain classifier (features/domain_classifier.hpp).
#include <filesystem>
#include <string>
#include <tuple>

#include "genlab/core/backend.hpp"
#include "genlab/data/idx.hpp"
#include "genlab/train/common_config.hpp"
#include "genlab/train/fit.hpp"
#include "genlab/train/run.hpp"

namespace genlab::classifier {

// The weights genlab ships, made by the command in docs/features.md.
inline std::filesystem::path shipped_weights(const std::filesystem::path& source_dir) {
  return source_dir / "data" / "classifier" / "fashion-mnist-classifier.safetensors";
}

struct ClassifierConfig : train::CommonConfig {
  std::string data = data::fashion_mnist_directory.string();
  double lr = 1e-3;
  std::string export_weights;  // safetensors file to write the trained weights to

  ClassifierConfig() {
    epochs = 15;
    batch_size = 128;
    checkpoint_every = 2000;
  }

  static auto fields() {
    using config::field;
    return std::tuple_cat(
        CommonConfig::fields<ClassifierConfig>(),
        std::make_tuple(field(&ClassifierConfig::data, "data", "IDX directory (MNIST layout) with train and t10k sets"),
                        field(&ClassifierConfig::lr, "lr", "Adam learning rate", config::greater_than(0)),
                        field(&ClassifierConfig::export_weights, "export_weights",
                              "also write the trained weights to this safetensors file")));
  }
};

struct TrainResult {
  train::FitSummary summary;
  double test_accuracy = 0;
};

template <Backend B>
TrainResult train(const ClassifierConfig& config, const train::RunOptions& run);

// Accuracy of weights (a safetensors/HDF5 weights file or a run file) on a labelled IDX test set.
template <Backend B>
double test_accuracy(const std::filesystem::path& weights, const std::filesystem::path& data, const std::string& device);

}  // namespace genlab::classifier
