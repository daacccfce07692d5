#include "genlab/data/image_folder.hpp"

#include <algorithm>

#include "genlab/core/error.hpp"
#include "genlab/io/image.hpp"

namespace genlab::data {
namespace fs = std::filesystem;

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".tga", ".gif", ".ppm", ".pgm", ".pnm"})
    if (ext == known) return true;
  return false;
}

namespace {

std::vector<fs::path> images_in(const fs::path& directory) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory))
    if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> image_folder_classes(const fs::path& directory) {
  std::vector<std::string> classes;
  for (const auto& entry : fs::directory_iterator(directory))
    if (entry.is_directory() && !images_in(entry.path()).empty()) classes.push_back(entry.path().filename().string());
  std::sort(classes.begin(), classes.end());
  return classes;
}

ImageDataset read_image_folder(const fs::path& directory, const ImageFolderOptions& options) {
  if (!fs::is_directory(directory))
    throw IoError("image folder '" + directory.string() + "' does not exist or is not a directory");
  std::vector<std::pair<fs::path, int32_t>> files;
  const auto classes = image_folder_classes(directory);
  for (size_t c = 0; c < classes.size(); ++c)
    for (const auto& f : images_in(directory / classes[c])) files.emplace_back(f, static_cast<int32_t>(c));
  for (const auto& f : images_in(directory)) files.emplace_back(f, -1);
  if (files.empty())
    throw IoError("image folder '" + directory.string() +
                  "' holds no images (PNG, JPEG, BMP, TGA, GIF or PNM files, directly or in class folders)");

  ImageDataset d;
  d.count = static_cast<int64_t>(files.size());
  d.channels = options.channels;
  d.height = options.height;
  d.width = options.width;
  d.source = directory.string();
  const size_t image_size = static_cast<size_t>(d.channels * d.height * d.width);
  d.pixels.resize(image_size * files.size());
  const bool labelled = !classes.empty() && std::all_of(files.begin(), files.end(), [](const auto& f) { return f.second >= 0; });
  for (size_t i = 0; i < files.size(); ++i) {
    const io::Image image = io::crop_and_resize(io::convert_channels(io::read_image(files[i].first),
                                                                     static_cast<int>(options.channels)),
                                                static_cast<int>(options.width), static_cast<int>(options.height));
    // Interleaved HWC to planar CHW.
    uint8_t* out = d.pixels.data() + i * image_size;
    for (int64_t c = 0; c < d.channels; ++c)
      for (int64_t p = 0; p < d.height * d.width; ++p) out[c * d.height * d.width + p] = image.pixels[p * d.channels + c];
    if (labelled) d.labels.push_back(files[i].second);
  }
  return d;
}

}  // namespace genlab::data
