#pragma once
#include <filesystem>

#include "genlab/data/idx.hpp"
#include "genlab/data/image_folder.hpp"

namespace genlab::data {

// A training set from `directory`: the MNIST IDX layout when its files are there (then at its
// own size), an image folder otherwise (converted and resized as `folder` says).
inline ImageDataset load_images(const std::filesystem::path& directory, Split split, const ImageFolderOptions& folder) {
  const std::string prefix = split == Split::train ? "train" : "t10k";
  for (const char* suffix : {"", ".gz"})
    if (std::filesystem::exists(directory / (prefix + "-images-idx3-ubyte" + suffix)))
      return read_idx_directory(directory, split);
  if (directory == fashion_mnist_directory && !std::filesystem::exists(directory))
    return read_idx_directory(directory, split);  // its error says which package to install
  return read_image_folder(directory, folder);
}

}  // namespace genlab::data
