#pragma once
// The IDX format of MNIST and Fashion-MNIST (LeCun et al.): a magic number giving the element
// type and rank, big-endian 32-bit dimensions, then the data. Files may be gzip-compressed.
#include <filesystem>
#include <optional>

#include "genlab/data/image_dataset.hpp"

namespace genlab::data {

inline const std::filesystem::path fashion_mnist_directory = "/usr/share/datasets/fashion-mnist";

enum class Split { train, test };

// Reads images (rank 3: N x H x W, unsigned bytes) and, when given, labels (rank 1: N). Throws
// IoError naming the file for a missing file, a corrupt gzip stream, a wrong magic number, or a
// size that does not match the header (a truncated download).
ImageDataset read_idx(const std::filesystem::path& images, const std::optional<std::filesystem::path>& labels);

// The MNIST layout: DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
ImageDataset read_idx_directory(const std::filesystem::path& directory, Split split);

}  // namespace genlab::data
