#include "genlab/data/idx.hpp"

#include <zlib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"

namespace genlab::data {
namespace {

// The whole file, decompressed when it is gzip (zlib reads plain files unchanged).
std::vector<uint8_t> read_maybe_gzip(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw IoError("cannot read " + quoted(path) + ": no such file");
  gzFile file = gzopen(path.c_str(), "rb");
  if (!file) throw IoError("cannot open " + quoted(path));
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    if (n == 0) break;
  }
  int status = Z_OK;
  const char* message = gzerror(file, &status);
  const std::string reason = message ? message : "";
  gzclose(file);
  if (status != Z_OK && status != Z_STREAM_END)
    throw IoError("cannot read " + quoted(path) + ": corrupt or truncated gzip data (" + reason + ")");
  return bytes;
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

// An unsigned-byte IDX array of the expected rank, with every size checked against the header.
IdxArray parse_idx(const std::filesystem::path& path, size_t expected_rank, const char* what) {
  std::vector<uint8_t> bytes = read_maybe_gzip(path);
  auto fail = [&](const std::string& reason) -> IoError {
    return IoError("cannot read " + quoted(path) + " as IDX " + what + ": " + reason);
  };
  if (bytes.size() < 4) throw fail("the file has only " + std::to_string(bytes.size()) + " bytes");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw fail("not an IDX file (the magic number must start with two zero bytes)");
  if (bytes[2] != 0x08) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", bytes[2]);
    throw fail(std::string("element type ") + type + " is not unsigned bytes (0x08)");
  }
  const size_t rank = bytes[3];
  if (rank != expected_rank)
    throw fail("rank " + std::to_string(rank) + ", expected " + std::to_string(expected_rank));
  const size_t header = 4 + 4 * rank;
  if (bytes.size() < header) throw fail("truncated header");
  IdxArray array;
  uint64_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    array.dims.push_back(big_endian_u32(bytes.data() + 4 + 4 * i));
    count *= static_cast<uint64_t>(array.dims.back());
  }
  const uint64_t present = bytes.size() - header;
  if (present != count)
    throw fail("the header promises " + std::to_string(count) + " bytes of data but the file holds " +
               std::to_string(present) + (present < count ? " (truncated?)" : ""));
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

// DIR/stem or DIR/stem.gz, whichever exists.
std::filesystem::path find_file(const std::filesystem::path& directory, const std::string& stem) {
  for (const auto& candidate : {directory / stem, directory / (stem + ".gz")})
    if (std::filesystem::exists(candidate)) return candidate;
  throw IoError("data directory " + quoted(directory) + " has no " + stem + " or " + stem +
                ".gz (expected the MNIST layout: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)");
}

}  // namespace

ImageDataset read_idx(const std::filesystem::path& images, const std::optional<std::filesystem::path>& labels) {
  IdxArray pixels = parse_idx(images, 3, "images");
  ImageDataset dataset;
  dataset.count = pixels.dims[0];
  dataset.channels = 1;
  dataset.height = pixels.dims[1];
  dataset.width = pixels.dims[2];
  dataset.pixels = std::move(pixels.data);
  dataset.source = images.string();
  if (labels) {
    IdxArray classes = parse_idx(*labels, 1, "labels");
    if (classes.dims[0] != dataset.count)
      throw IoError("cannot read " + quoted(*labels) + ": " + std::to_string(classes.dims[0]) + " labels for " +
                    std::to_string(dataset.count) + " images in " + quoted(images));
    dataset.labels.assign(classes.data.begin(), classes.data.end());
  }
  return dataset;
}

ImageDataset read_idx_directory(const std::filesystem::path& directory, Split split) {
  if (!std::filesystem::is_directory(directory)) {
    std::string hint = directory == fashion_mnist_directory
                           ? " (install Debian's dataset-fashion-mnist package: apt-get install dataset-fashion-mnist)"
                           : " (pass --data with a directory in the MNIST IDX layout)";
    throw IoError("data directory " + quoted(directory) + " does not exist" + hint);
  }
  const std::string prefix = split == Split::train ? "train" : "t10k";
  return read_idx(find_file(directory, prefix + "-images-idx3-ubyte"),
                  find_file(directory, prefix + "-labels-idx1-ubyte"));
}

}  // namespace genlab::data
