#pragma once
// Datasets of image files, in torchvision's ImageFolder layouts: DIR/*.png (no labels) or
// DIR/<class>/*.png (one label per class folder, classes in sorted order).
#include <filesystem>
#include <string>
#include <vector>

#include "genlab/data/image_dataset.hpp"

namespace genlab::data {

// The image files genlab reads (PNG, JPEG, BMP, TGA, GIF, PNM), by extension.
bool is_image_file(const std::filesystem::path& path);

struct ImageFolderOptions {
  int64_t height = 64, width = 64;
  int64_t channels = 3;  // 1: grey (BT.601 luma), 3: RGB
};

// Every image converted to `channels`, centre-cropped to the target aspect and resized. Throws
// IoError naming the directory when it is missing or holds no images, and naming the file when
// one cannot be read.
ImageDataset read_image_folder(const std::filesystem::path& directory, const ImageFolderOptions& options);

// The class folders of DIR/<class>/ in label order (empty for a flat folder).
std::vector<std::string> image_folder_classes(const std::filesystem::path& directory);

}  // namespace genlab::data
