#pragma once
// The perceptual codec of "Semantic Ensemble Loss and Latent Refinement for High-Fidelity Neural
// Image Compression": HiFiC's transforms and hyperprior, ELIC's spatial-channel context model, and
// the semantic ensemble loss with MS-ILLM's rate control. Settings left at -1 (or "") take the
// preset's value (`paper`: the published widths; `lab`: small enough to train on a laptop CPU) or
// the variant's (L0, L1, L2 weigh Charbonnier and style differently), so one config serves all
// of them; resolved() fills them in.
#include <string>
#include <tuple>
#include <vector>

#include "genlab/train/common_config.hpp"

namespace genlab::codec {

struct CodecConfig : train::CommonConfig {
  std::string data = "data/photos/train";
  std::string eval_data = "data/photos/eval";
  int64_t eval_images = 0;  // at most this many evaluation images at each checkpoint (0: all)
  std::string preset = "lab";
  std::string variant = "L0";
  double target_bpp = 0.3;
  int64_t crop = -1;  // -1: lab 128, paper 256

  // Architecture (-1, "": the preset's).
  std::string transforms;         // analysis and synthesis: hific (paper) or gdn (lab)
  int64_t transform_channels = -1;  // gdn: the width N of every layer but the latents; 64
  int64_t base_channels = -1;     // hific: analysis stages base x (1, 2, 4, 8, 16); paper 60
  int64_t latent_channels = -1;   // M, the channels of y; paper 220
  int64_t hyper_channels = -1;    // the hyperprior's width and z's channels; paper 320
  int64_t residual_blocks = -1;   // hific: in the synthesis; paper 9
  std::string channel_groups;     // ELIC's uneven groups but the last, which takes the rest; paper "16,16,32,64"
  std::string context_channels;   // hidden widths of the channel context; paper "224,128"

  // The loss L = lambda* R + alpha Charbonnier + beta perceptual + gamma style.
  double lambda_a = 0.0625;       // lambda* while the image's rate is at or below the target
  double lambda_b = -1;           // above it (-1: MS-ILLM's value for the target)
  int64_t rate_warmup_steps = -1; // steps with the target x 1.429 and lambda_b halved (-1: the preset's)
  double alpha = -1;              // Charbonnier (-1: the variant's: L0 10, L1 30, L2 100)
  double beta = 1;                // perceptual
  double gamma = -1;              // style (-1: the variant's: L0 80, L1 40, L2 10)
  std::string vgg16_weights;      // torchvision VGG16, converted (docs/features.md); "": seeded random weights
  int64_t feature_stages = -1;    // VGG16 stages whose last ReLU the losses read (-1: lab 1, paper 4)
  int64_t style_patch = 16;       // Gram matrices of patch x patch blocks of each feature map

  // Optimisation: AdamW on the model, Adam on the factorised prior's quantiles.
  double lr = -1;                 // -1: lab 1e-3 (5e-4 with hific transforms), paper 1e-4
  double weight_decay = 0.0;
  double aux_lr = 1e-3;
  double clip_grad_norm = 1.0;    // 0: no clipping
  int64_t lr_drop_step = -1;      // from this step on the learning rate is a tenth (-1: lab 80 % of the steps; 0: never)

  CodecConfig() {
    epochs = 1000000;  // runs end by --steps (the preset's) or --time-limit
    batch_size = 8;  // HiFiC's
    checkpoint_every = 500;
  }

  // The config with the preset's and the variant's values in place of every -1 and "".
  CodecConfig resolved() const;

  static auto fields() {
    using config::field;
    return std::tuple_cat(
        CommonConfig::fields<CodecConfig>(),
        std::make_tuple(
            field(&CodecConfig::data, "data", "folder of training photographs (PNG, JPEG; data/prepare-codec-photos)"),
            field(&CodecConfig::eval_data, "eval_data",
                  "folder of held-out photographs, compressed to real files at each checkpoint (\"\": none)"),
            field(&CodecConfig::eval_images, "eval_images", "evaluate at most this many of them (0: all)",
                  config::at_least(0)),
            field(&CodecConfig::preset, "preset", "paper (the published widths) or lab (trains on 2 CPU cores)",
                  config::one_of({"lab", "paper"})),
            field(&CodecConfig::variant, "variant", "loss weights: L0 (alpha 10, gamma 80), L1 (30, 40), L2 (100, 10)",
                  config::one_of({"L0", "L1", "L2"})),
            field(&CodecConfig::target_bpp, "target_bpp", "the rate control's target, bits per pixel",
                  config::greater_than(0)),
            field(&CodecConfig::crop, "crop",
                  "side of the square training crops, a multiple of 64 (-1: paper 256, lab 128)", config::at_least(-1)),
            field(&CodecConfig::transforms, "transforms",
                  "analysis and synthesis: hific (HiFiC's, ChannelNorm and residual blocks) or gdn (Balle et al.'s) "
                  "(\"\": paper hific, lab gdn)",
                  config::one_of({"", "hific", "gdn"})),
            field(&CodecConfig::transform_channels, "transform_channels",
                  "gdn transforms: the width of every layer but the latents (-1: 64)", config::at_least(-1)),
            field(&CodecConfig::base_channels, "base_channels",
                  "hific transforms: analysis widths base x (1, 2, 4, 8, 16) (-1: paper 60, lab 16)",
                  config::at_least(-1)),
            field(&CodecConfig::latent_channels, "latent_channels", "channels M of the latents y (-1: paper 220, lab 128)",
                  config::at_least(-1)),
            field(&CodecConfig::hyper_channels, "hyper_channels",
                  "width of the hyperprior and channels of z (-1: paper 320, lab 96)", config::at_least(-1)),
            field(&CodecConfig::residual_blocks, "residual_blocks",
                  "hific transforms: residual blocks of the synthesis (-1: paper 9, lab 3)",
                  config::at_least(-1)),
            field(&CodecConfig::channel_groups, "channel_groups",
                  "sizes of ELIC's channel groups but the last, which takes the rest (\"\": paper 16,16,32,64, lab 8,8,16,32)"),
            field(&CodecConfig::context_channels, "context_channels",
                  "hidden widths of the channel context networks (\"\": paper 224,128, lab 96,64)"),
            field(&CodecConfig::lambda_a, "lambda_a", "rate weight while an image is at or below the target",
                  config::at_least(0)),
            field(&CodecConfig::lambda_b, "lambda_b", "rate weight above the target (-1: MS-ILLM's for the target)",
                  config::at_least(-1)),
            field(&CodecConfig::rate_warmup_steps, "rate_warmup_steps",
                  "first steps with the target x 1.429 and lambda_b halved (-1: paper 50000, lab 10 % of the steps)",
                  config::at_least(-1)),
            field(&CodecConfig::alpha, "alpha", "weight of the Charbonnier term (-1: the variant's)", config::at_least(-1)),
            field(&CodecConfig::beta, "beta", "weight of the perceptual term", config::at_least(0)),
            field(&CodecConfig::gamma, "gamma", "weight of the style term (-1: the variant's)", config::at_least(-1)),
            field(&CodecConfig::vgg16_weights, "vgg16_weights",
                  "converted torchvision VGG16 for the perceptual and style terms (\"\": VGG16 with seeded random weights)"),
            field(&CodecConfig::feature_stages, "feature_stages",
                  "VGG16 stages the feature terms read, relu1_2 .. relu5_3 (-1: paper 4, lab 1)", config::between(-1, 5)),
            field(&CodecConfig::style_patch, "style_patch", "side of the feature patches of the style term",
                  config::at_least(1)),
            field(&CodecConfig::lr, "lr", "AdamW learning rate (-1: paper 1e-4, lab 1e-3, lab with hific transforms 5e-4)",
                  config::at_least(-1)),
            field(&CodecConfig::weight_decay, "weight_decay", "AdamW's decoupled weight decay", config::at_least(0)),
            field(&CodecConfig::aux_lr, "aux_lr", "Adam learning rate of the factorised prior's quantiles",
                  config::greater_than(0)),
            field(&CodecConfig::clip_grad_norm, "clip_grad_norm", "largest gradient norm (0: no clipping)",
                  config::at_least(0)),
            field(&CodecConfig::lr_drop_step, "lr_drop_step",
                  "the learning rate is a tenth from this step on (-1: lab at 80 % of the steps, paper never; 0: never)",
                  config::at_least(-1))));
  }
};

enum class Transforms { hific, gdn };

// Every width of the networks, with the presets resolved: what the networks are built from.
struct Architecture {
  Transforms transforms = Transforms::hific;
  int64_t transform_channels = 0;          // gdn: N
  std::vector<int64_t> analysis_channels;  // hific: the stem's and the four downsampling convolutions' outputs
  int64_t latent_channels = 0;
  int64_t hyper_channels = 0;
  int64_t residual_blocks = 0;
  std::vector<int64_t> groups;             // ELIC's channel groups, summing to latent_channels
  std::vector<int64_t> context_channels;   // hidden widths of each channel context network
};

// Throws ConfigError naming the setting when the widths do not make a codec (groups that do not
// fit into the latents, a crop that is not a multiple of 64, ...). Expects a resolved() config.
Architecture architecture_of(const CodecConfig& resolved);

}  // namespace genlab::codec
