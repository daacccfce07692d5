// The operating point of coded images on one backend: measure() of rate_quality.hpp, instantiated
// once per backend (backends/instantiated_backend.hpp) and reached through backend::commands().
#include "experiments/codec/rate_quality_measure.hpp"

#include <functional>
#include <map>
#include <memory>

#include "genlab/core/error.hpp"
#include "genlab/features/inception.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/metrics/dists.hpp"
#include "genlab/metrics/feature_matrix.hpp"
#include "genlab/metrics/frechet_distance.hpp"
#include "genlab/metrics/kernel_inception_distance.hpp"
#include "genlab/metrics/lpips.hpp"
#include "genlab/metrics/ms_ssim.hpp"
#include "genlab/metrics/psnr.hpp"

namespace genlab::codec_eval {
namespace {

// ---- Measuring.

io::Image as_rgb(const io::Image& image) { return image.channels == 3 ? image : io::convert_channels(image, 3); }

// The checks of one coded image; the RGB original and decoded image.
std::pair<io::Image, io::Image> checked_rgb_pair(const CodedImage& image) {
  const std::string what = "cannot measure image '" + image.name + "': ";
  const io::Image& o = image.original;
  if (o.width <= 0 || o.height <= 0) throw ShapeError(what + "the original is empty");
  if (o.width != image.width || o.height != image.height)
    throw ShapeError(what + "it is recorded as " + std::to_string(image.width) + " x " + std::to_string(image.height) +
                     " but the original is " + std::to_string(o.width) + " x " + std::to_string(o.height));
  if (image.decoded.width != o.width || image.decoded.height != o.height)
    throw ShapeError(what + "the decoded image is " + std::to_string(image.decoded.width) + " x " +
                     std::to_string(image.decoded.height) + ", the original " + std::to_string(o.width) + " x " +
                     std::to_string(o.height));
  if (image.bytes < 0) throw ConfigError(what + "a negative size of " + std::to_string(image.bytes) + " bytes");
  return {as_rgb(o), as_rgb(image.decoded)};
}

// [1, 3, H, W] of an interleaved RGB image: 0..255 (`to_unit` false) or [-1, 1].
template <Backend B>
Tensor<B> image_tensor(const io::Image& rgb, const TensorOptions& options, bool to_unit) {
  const size_t plane = size_t(rgb.width) * size_t(rgb.height);
  std::vector<float> values(plane * 3);
  for (size_t q = 0; q < plane; ++q)
    for (size_t c = 0; c < 3; ++c) {
      const float v = rgb.pixels[q * 3 + c];
      values[c * plane + q] = to_unit ? v / 127.5f - 1.f : v;
    }
  return ops::from_host<B>(std::span<const float>(values), {1, 3, rgb.height, rgb.width}, options);
}

// HiFiC's patches: tiles on the grid and on the grid shifted by half a tile, as [-1, 1] CHW floats.
void append_tiles(const io::Image& rgb, int64_t patch, std::vector<float>& out, int64_t& count) {
  for (const int64_t offset : {int64_t{0}, patch / 2})
    for (int64_t top = offset; top + patch <= rgb.height; top += patch)
      for (int64_t left = offset; left + patch <= rgb.width; left += patch) {
        const size_t base = out.size();
        out.resize(base + size_t(3 * patch * patch));
        for (int64_t c = 0; c < 3; ++c)
          for (int64_t y = 0; y < patch; ++y)
            for (int64_t x = 0; x < patch; ++x)
              out[base + size_t((c * patch + y) * patch + x)] =
                  rgb.pixels[size_t(((top + y) * rgb.width + left + x) * 3 + c)] / 127.5f - 1.f;
        ++count;
      }
}

StateDict weights(const std::string& path) { return io::read_weights(path); }

// The networks of LPIPS, DISTS and Inception are loaded once per backend, device and files: a
// baseline measures one operating point per quality with the same networks. The cache is never
// destroyed: a backend's tensors must not outlive the backend's own static state at exit.
template <class Network>
std::shared_ptr<Network> cached(const std::string& key, const std::function<std::shared_ptr<Network>()>& load) {
  static auto* networks = new std::map<std::string, std::shared_ptr<Network>>;
  auto& network = (*networks)[key];
  if (!network) network = load();
  return network;
}

}  // namespace

template <Backend B>
OperatingPoint measure_on(const std::string& codec, const std::string& setting, std::span<const CodedImage> images,
                          const QualityOptions& o, std::vector<ImageResult>* per_image) {
  B::set_num_threads(static_cast<int>(o.threads));
  const Device device = Device::parse(o.device);
  if (!B::is_available(device))
    throw BackendError("device " + to_string(device) + " is not available on the " + std::string(B::name) + " backend");
  const TensorOptions options{DType::f32, device};
  const std::string where = std::string(B::name) + "|" + o.device + "|";
  NoGradGuard<B> no_grad;

  std::shared_ptr<metrics::Lpips<B>> lpips;
  if (o.lpips)
    lpips = cached<metrics::Lpips<B>>(where + o.vgg_weights + "|" + o.lpips_weights, [&] {
      Rng unused(0);
      auto net = std::make_shared<metrics::Lpips<B>>(unused, options);
      nn::load_state_dict(*net, metrics::lpips_state(weights(o.vgg_weights),
                                                     weights(o.lpips_weights)));
      return net;
    });
  std::shared_ptr<metrics::Dists<B>> dists;
  if (o.dists)
    dists = cached<metrics::Dists<B>>(where + o.vgg_weights + "|" + o.dists_weights, [&] {
      Rng unused(0);
      auto net = std::make_shared<metrics::Dists<B>>(unused, options);
      nn::load_state_dict(*net, metrics::dists_state(weights(o.vgg_weights),
                                                     weights(o.dists_weights)));
      return net;
    });
  std::shared_ptr<features::FidInceptionV3<B>> inception;
  if (o.fid) {
    inception = cached<features::FidInceptionV3<B>>(where + o.inception_weights, [&] {
      Rng unused(0);
      auto net = std::make_shared<features::FidInceptionV3<B>>(unused, options);
      nn::load_state_dict(*net, weights(o.inception_weights));
      nn::set_training(*net, false);
      return net;
    });
  }

  OperatingPoint point;
  point.codec = codec;
  point.setting = setting;
  point.images = static_cast<int64_t>(images.size());
  double bytes = 0, pixels = 0, psnr_sum = 0, ms_ssim_sum = 0, lpips_sum = 0, dists_sum = 0;
  std::vector<float> real_features, fake_features;
  int64_t real_rows = 0, fake_rows = 0;
  // Tiles go through Inception in batches, so that memory stays bounded by a batch.
  std::vector<float> real_tiles, fake_tiles;
  int64_t real_count = 0, fake_count = 0;
  auto flush_tiles = [&](bool all) {
    const int64_t batch = std::max<int64_t>(1, o.batch_size);
    const int64_t tile = 3 * o.patch * o.patch;
    auto run = [&](std::vector<float>& tiles, int64_t& count, std::vector<float>& features, int64_t& rows) {
      int64_t done = 0;
      while (count - done >= batch || (all && count > done)) {
        const int64_t n = std::min(batch, count - done);
        const auto x = ops::from_host<B>(std::span<const float>(tiles.data() + done * tile, size_t(n * tile)),
                                         {n, 3, o.patch, o.patch}, options);
        const auto pool = (*inception)(x).pool.to_host();
        features.insert(features.end(), pool.begin(), pool.end());
        rows += n;
        done += n;
      }
      tiles.erase(tiles.begin(), tiles.begin() + done * tile);
      count -= done;
    };
    run(real_tiles, real_count, real_features, real_rows);
    run(fake_tiles, fake_count, fake_features, fake_rows);
  };

  for (const CodedImage& image : images) {
    const auto [original, decoded] = checked_rgb_pair(image);
    const double image_pixels = double(image.width) * double(image.height);
    ImageResult r;
    r.codec = codec;
    r.setting = setting;
    r.name = image.name;
    r.width = image.width;
    r.height = image.height;
    r.bytes = image.bytes;
    r.bpp = 8.0 * double(image.bytes) / image_pixels;
    const auto x = image_tensor<B>(original, options, false), y = image_tensor<B>(decoded, options, false);
    r.psnr = metrics::psnr(x, y, 255.0).item();
    r.ms_ssim = std::min(image.width, image.height) >= metrics::ms_ssim_minimum_size()
                    ? metrics::ms_ssim(x, y, 255.0).item()
                    : std::numeric_limits<double>::quiet_NaN();
    if (lpips || dists) {
      const auto xu = image_tensor<B>(original, options, true), yu = image_tensor<B>(decoded, options, true);
      if (lpips) r.lpips = (*lpips)(xu, yu).item();
      if (dists) r.dists = (*dists)(xu, yu).item();
    }
    if (inception) {
      append_tiles(original, o.patch, real_tiles, real_count);
      append_tiles(decoded, o.patch, fake_tiles, fake_count);
      flush_tiles(false);
    }

    bytes += double(image.bytes);
    pixels += image_pixels;
    psnr_sum += r.psnr;
    if (!std::isnan(r.ms_ssim)) {
      ms_ssim_sum += r.ms_ssim;
      ++point.ms_ssim_images;
    }
    lpips_sum += r.lpips.value_or(0);
    dists_sum += r.dists.value_or(0);
    if (per_image) per_image->push_back(r);
  }

  const double n = static_cast<double>(images.size());
  point.bpp = 8.0 * bytes / pixels;
  point.psnr = psnr_sum / n;
  point.ms_ssim = point.ms_ssim_images ? ms_ssim_sum / double(point.ms_ssim_images) : std::numeric_limits<double>::quiet_NaN();
  point.ms_ssim_db = -10.0 * std::log10(1.0 - point.ms_ssim);
  if (lpips) point.lpips = lpips_sum / n;
  if (dists) point.dists = dists_sum / n;
  if (inception) {
    flush_tiles(true);
    if (real_rows < 2)
      throw ConfigError("patch FID needs at least 2 tiles of " + std::to_string(o.patch) + " x " + std::to_string(o.patch) +
                        " pixels; the images give " + std::to_string(real_rows) + " (a smaller --patch gives more)");
    const int64_t d = features::FidInceptionV3<B>::pool_features;
    const metrics::FeatureMatrix real(std::span<const float>(real_features), real_rows, d, "original tiles' features");
    const metrics::FeatureMatrix fake(std::span<const float>(fake_features), fake_rows, d, "decoded tiles' features");
    point.fid = metrics::frechet_distance(real, fake);
    point.kid = metrics::kernel_inception_distance(real, fake, {.subsets = 100, .subset_size = std::min<int64_t>(1000, real_rows)}).mean;
  }
  return point;
}

template OperatingPoint measure_on<InstantiatedBackend>(const std::string&, const std::string&, std::span<const CodedImage>,
                                                        const QualityOptions&, std::vector<ImageResult>*);

}  // namespace genlab::codec_eval
