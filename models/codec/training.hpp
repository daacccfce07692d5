#pragma once
// One training step of the codec, as the paper's first stage takes it:
//
//   L = mean_n lambda*_n R_n + D,   R_n = (bits of y_n + bits of z_n) / pixels   (noised latents)
//
// with lambda*_n from the rate control on image n's rounded-latent rate (rate_control.hpp) and D
// the semantic distortion (semantic_loss.hpp). AdamW (0.9, 0.999) with gradient-norm clipping
// updates every parameter but the factorised prior's quantiles, which Adam trains on their own
// auxiliary loss (CompressAI's aux_loss), after the main update.
//
// At each checkpoint the task compresses its held-out photographs to real files and records their
// bits per pixel, PSNR and MS-SSIM in the run file's /metrics; the sample grid shows crops of them
// above their decoded versions.
#include <algorithm>
#include <numbers>
#include <optional>
#include <string>

#include "genlab/data/photo_crops.hpp"
#include "genlab/metrics/ms_ssim.hpp"
#include "genlab/metrics/psnr.hpp"
#include "genlab/optim/adam.hpp"
#include "genlab/optim/clip_grad_norm.hpp"
#include "genlab/train/checkpoint.hpp"
#include "genlab/train/fit.hpp"
#include "models/codec/image_coder.hpp"
#include "models/codec/rate_control.hpp"
#include "models/codec/semantic_loss.hpp"

namespace genlab::codec {

inline constexpr int snapshot_tiles = 4;
inline constexpr int64_t snapshot_crop = 128;

// 8-bit images as a [1, C, H, W] tensor with values 0..255 (for PSNR and MS-SSIM at data range 255).
template <Backend B>
Tensor<B> pixel_tensor(const io::Image& image, const TensorOptions& o) {
  const int64_t plane = int64_t{image.width} * image.height;
  std::vector<float> values(image.channels * plane);
  for (int64_t q = 0; q < plane; ++q)
    for (int c = 0; c < image.channels; ++c) values[c * plane + q] = image.pixels[q * image.channels + c];
  return ops::from_host<B>(std::span<const float>(values), {1, image.channels, image.height, image.width}, o);
}

template <Backend B>
class CodecTraining {
 public:
  // `evaluation` (may be null) is measured at checkpoints; the snapshots show crops of it, or of
  // `training` when there is none.
  CodecTraining(const CodecConfig& resolved, const TensorOptions& options, const data::PhotoSet& training,
                const data::PhotoSet* evaluation)
      : config_(resolved),
        options_(options),
        weights_rng_(Rng(config_.seed).fork(streams::weights)),
        model_(architecture_of(config_), weights_rng_, options),
        distortion_({config_.alpha, config_.beta, config_.gamma}, config_.feature_stages, config_.style_patch,
                    config_.vgg16_weights, static_cast<uint64_t>(config_.seed) + 1, options),
        main_parameters_(main_parameters(model_)),
        optimizer_(main_parameters_, {.lr = config_.lr, .weight_decay = config_.weight_decay, .decoupled_weight_decay = true}),
        aux_optimizer_({{"hyper_prior.quantiles", model_.hyper_prior.quantiles}}, {.lr = config_.aux_lr}),
        rate_control_{config_.target_bpp, config_.lambda_a,
                      config_.lambda_b >= 0 ? config_.lambda_b : ms_illm_lambda(config_.target_bpp),
                      config_.rate_warmup_steps},
        noise_rng_(Rng(config_.seed).fork(streams::noise)),
        training_(training),
        evaluation_(evaluation) {}

  train::Values step(const data::Batch& batch) {
    const int64_t step = optimizer_.steps();
    optimizer_.options().lr = config_.lr * (config_.lr_drop_step > 0 && step >= config_.lr_drop_step ? 0.1 : 1.0);
    const Tensor<B> x = ops::from_host<B>(std::span<const float>(batch.images), batch.shape, options_);
    const double pixels = static_cast<double>(x.size(2) * x.size(3));
    const auto out = model_.train_forward(x, noise_rng_);
    const Tensor<B> bpp = (out.y_bits + out.z_bits) / pixels;
    const std::vector<float> rounded = ((out.y_bits_rounded + out.z_bits_rounded) / pixels).to_host();
    std::vector<float> lambdas(rounded.size());
    for (size_t n = 0; n < rounded.size(); ++n) lambdas[n] = static_cast<float>(rate_control_.lambda(rounded[n], step));
    const Tensor<B> lambda = ops::from_host<B>(std::span<const float>(lambdas), {x.size(0)}, options_);
    const auto d = distortion_(out.x_hat, x);
    const Tensor<B> loss = ops::mean(lambda * bpp) + d.total;

    optimizer_.zero_grad();
    loss.backward();
    const double grad_norm = config_.clip_grad_norm > 0 ? optim::clip_grad_norm(main_parameters_, config_.clip_grad_norm) : 0.0;
    optimizer_.step();
    aux_optimizer_.zero_grad();
    const Tensor<B> aux = model_.hyper_prior.quantile_loss();
    aux.backward();
    aux_optimizer_.step();

    NoGradGuard<B> no_grad;
    double mean_rounded = 0, mean_lambda = 0;
    for (size_t n = 0; n < rounded.size(); ++n) {
      mean_rounded += rounded[n] / static_cast<double>(rounded.size());
      mean_lambda += lambdas[n] / static_cast<double>(rounded.size());
    }
    train::Values v{{"loss", loss.item()},
                    {"bpp", ops::mean(bpp).item()},
                    {"bpp_rounded", mean_rounded},
                    {"psnr", metrics::mean_psnr(ops::clamp(out.x_hat, -1.0, 1.0), x, 2.0).item()},
                    {"charbonnier", d.charbonnier.item()}};
    if (d.perceptual.defined()) v.emplace_back("perceptual", d.perceptual.item());
    if (d.style.defined()) v.emplace_back("style", d.style.item());
    v.emplace_back("lambda", mean_lambda);
    v.emplace_back("aux", aux.item());
    if (config_.clip_grad_norm > 0) v.emplace_back("grad_norm", grad_norm);
    return v;
  }

  void save(io::Checkpoint& checkpoint) {
    checkpoint.groups["codec"] = nn::state_dict(model_);
    train::save_optimizer(checkpoint, "adamw", optimizer_.state());
    train::save_optimizer(checkpoint, "aux", aux_optimizer_.state());
    train::save_rng(checkpoint, "noise", noise_rng_);
  }

  void load(const io::Checkpoint& checkpoint) {
    nn::load_state_dict(model_, train::group(checkpoint, "codec"));
    optimizer_.load_state(train::load_optimizer(checkpoint, "adamw"));
    aux_optimizer_.load_state(train::load_optimizer(checkpoint, "aux"));
    train::load_rng(checkpoint, "noise", noise_rng_);
  }

  // The held-out photographs compressed to real files: mean bits per pixel (from the bytes), PSNR,
  // MS-SSIM (of images large enough for it) and the model's own rate estimate.
  train::Values evaluate() {
    if (!evaluation_) return {};
    const ImageCoder<B> coder(model_, static_cast<int>(config_.threads));
    const size_t count = config_.eval_images > 0 ? std::min<size_t>(config_.eval_images, evaluation_->images.size())
                                                 : evaluation_->images.size();
    double bpp = 0, estimated = 0, psnr = 0, ms_ssim = 0;
    int64_t ms_ssim_count = 0;
    for (size_t i = 0; i < count; ++i) {
      const io::Image& image = evaluation_->images[i];
      const auto encoded = coder.encode(image);
      const double pixels = static_cast<double>(image.width) * image.height;
      bpp += 8.0 * static_cast<double>(entropy::serialize(encoded.bitstream).size()) / pixels;
      estimated += coder.estimated_bits(encoded.latents) / pixels;
      const io::Image decoded = coder.synthesize(encoded.latents.y_hat, image.height, image.width, image.channels);
      NoGradGuard<B> no_grad;
      const Tensor<B> a = pixel_tensor<B>(image, options_), b = pixel_tensor<B>(decoded, options_);
      psnr += metrics::psnr(a, b, 255.0).item();
      if (std::min(image.height, image.width) >= metrics::ms_ssim_minimum_size()) {
        ms_ssim += metrics::ms_ssim(a, b, 255.0).item();
        ++ms_ssim_count;
      }
    }
    const double n = static_cast<double>(count);
    train::Values v{{"eval_bpp", bpp / n}, {"eval_estimated_bpp", estimated / n}, {"eval_psnr", psnr / n}};
    if (ms_ssim_count > 0) v.emplace_back("eval_ms_ssim", ms_ssim / static_cast<double>(ms_ssim_count));
    return v;
  }

  // Central crops of the first held-out photographs (or of the first training batch's crops when
  // there are none) above their reconstructions through real coding.
  io::Image snapshot() {
    if (snapshot_images_.empty()) snapshot_images_ = snapshot_sources();
    const ImageCoder<B> coder(model_, static_cast<int>(config_.threads));
    std::vector<float> tiles;
    const int64_t tile = snapshot_crop * snapshot_crop * 3;
    std::vector<float> originals, decoded;
    for (const io::Image& image : snapshot_images_) {
      const auto a = data::to_batch(image).images;
      const auto b = data::to_batch(coder.reconstruct(image).image).images;
      originals.insert(originals.end(), a.begin(), a.end());
      decoded.insert(decoded.end(), b.begin(), b.end());
    }
    tiles.insert(tiles.end(), originals.begin(), originals.end());
    tiles.insert(tiles.end(), decoded.begin(), decoded.end());
    const int cols = static_cast<int>(snapshot_images_.size());
    return io::make_grid(tiles, {static_cast<int64_t>(tiles.size()) / tile, 3, snapshot_crop, snapshot_crop}, 2, cols);
  }

  Codec<B>& model() { return model_; }
  const SemanticDistortion<B>& distortion() const { return distortion_; }

 private:
  // Every parameter but the quantiles, which have their own optimiser.
  static std::vector<nn::NamedTensor<B>> main_parameters(Codec<B>& model) {
    std::vector<nn::NamedTensor<B>> out;
    for (auto& p : nn::parameters<B>(model))
      if (p.name != "hyper_prior.quantiles") out.push_back(p);
    return out;
  }

  std::vector<io::Image> snapshot_sources() const {
    std::vector<const io::Image*> candidates;
    if (evaluation_)
      for (const io::Image& image : evaluation_->images) candidates.push_back(&image);
    for (const io::Image& image : training_.images) candidates.push_back(&image);
    std::vector<io::Image> out;
    for (const io::Image* source : candidates) {
      const io::Image& image = *source;
      if (static_cast<int>(out.size()) == snapshot_tiles) break;
      const int64_t x0 = (image.width - snapshot_crop) / 2, y0 = (image.height - snapshot_crop) / 2;
      if (x0 < 0 || y0 < 0) continue;
      io::Image crop{static_cast<int>(snapshot_crop), static_cast<int>(snapshot_crop), 3, {}};
      for (int64_t y = 0; y < snapshot_crop; ++y) {
        const uint8_t* row = image.pixels.data() + ((y0 + y) * image.width + x0) * 3;
        crop.pixels.insert(crop.pixels.end(), row, row + snapshot_crop * 3);
      }
      out.push_back(std::move(crop));
    }
    return out;
  }

  CodecConfig config_;
  TensorOptions options_;
  Rng weights_rng_;
  Codec<B> model_;
  SemanticDistortion<B> distortion_;
  std::vector<nn::NamedTensor<B>> main_parameters_;
  optim::Adam<B> optimizer_;
  optim::Adam<B> aux_optimizer_;
  RateControl rate_control_;
  Rng noise_rng_;
  const data::PhotoSet& training_;
  const data::PhotoSet* evaluation_;
  std::vector<io::Image> snapshot_images_;
};

}  // namespace genlab::codec
