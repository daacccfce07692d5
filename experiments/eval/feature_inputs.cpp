// What the feature networks of `genlab eval` read: backend-free, so compiled once (features.cpp is
// compiled per backend).
#include <cstdlib>

#include "experiments/eval/features.hpp"
#include "genlab/core/error.hpp"

namespace genlab::eval {

std::filesystem::path shipped_classifier_weights() {
  const char* dir = std::getenv("GENLAB_DATA_DIR");
  return std::filesystem::path(dir ? dir : GENLAB_SOURCE_DATA_DIR) / "classifier" / "fashion-mnist-classifier.safetensors";
}

data::ImageFolderOptions network_input(const Extractor& extractor) {
  if (extractor.network == "classifier") return {.height = 28, .width = 28, .channels = 1};
  if (extractor.network == "inception") return {.height = 299, .width = 299, .channels = 3};
  throw ConfigError("unknown features '" + extractor.network + "' (expected classifier or inception)");
}

}  // namespace genlab::eval
