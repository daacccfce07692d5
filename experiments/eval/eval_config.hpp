#pragma once
// The options of `genlab eval`'s metrics, as reflected configs (CLI options with defaults, TOML).
#include <string>
#include <tuple>

#include "genlab/config/config.hpp"

namespace genlab::eval {

// Every metric: where it runs.
struct RunSettings {
  std::string backend = "onednn";
  std::string device = "cpu";
  int64_t threads = 0;
  int64_t batch_size = 100;
  bool json = false;

  template <class D>
  static auto fields() {
    using config::field;
    return std::make_tuple(
        field<D, std::string>(&D::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})),
        field<D, std::string>(&D::device, "device", "device: cpu, cuda or cuda:N"),
        field<D, int64_t>(&D::threads, "threads", "CPU threads (0: all cores)", config::at_least(0)),
        field<D, int64_t>(&D::batch_size, "batch_size", "images per forward pass of the feature network",
                          config::at_least(1)),
        field<D, bool>(&D::json, "json", "print the result as one JSON object"));
  }
};

// Metrics of two distributions of images (FID, KID, precision and recall) or of one (IS).
struct DistributionConfig : RunSettings {
  std::string real, fake;
  std::string features = "classifier";
  std::string weights;
  std::string real_split = "train", fake_split = "train";
  int64_t samples = 10000;
  int64_t seed = 0;
  std::string cache_dir = "runs/cache";
  bool record = false;

  template <class D>
  static auto fields() {
    using config::field;
    return std::tuple_cat(
        std::make_tuple(
            field<D, std::string>(&D::real, "real",
                                  "real images: an image folder, an IDX directory, a run file, a features or statistics file"),
            field<D, std::string>(&D::fake, "fake", "generated images: the same kinds of source"),
            field<D, std::string>(&D::features, "features",
                                  "feature network: classifier (28x28 grey, weights shipped) or inception (needs --weights)",
                                  config::one_of({"classifier", "inception"})),
            field<D, std::string>(&D::weights, "weights", "weights of the feature network (default: the shipped classifier)"),
            field<D, std::string>(&D::real_split, "real_split", "which part of an IDX data set --real is",
                                  config::one_of({"train", "test"})),
            field<D, std::string>(&D::fake_split, "fake_split", "which part of an IDX data set --fake is",
                                  config::one_of({"train", "test"})),
            field<D, int64_t>(&D::samples, "samples", "samples drawn from a run file", config::at_least(2)),
            field<D, int64_t>(&D::seed, "seed", "seed of the samples drawn from a run file (and of KID's subsets)",
                              config::at_least(0)),
            field<D, std::string>(&D::cache_dir, "cache_dir",
                                  "where features of image folders and IDX sets are kept between runs (empty: nowhere)"),
            field<D, bool>(&D::record, "record",
                           "also store the value in the --fake run file, under /metrics/<metric> at its checkpoint's step")),
        RunSettings::fields<D>());
  }
};

struct FidConfig : DistributionConfig {
  static auto fields() { return DistributionConfig::fields<FidConfig>(); }
};

struct KidConfig : DistributionConfig {
  int64_t subsets = 100;
  int64_t subset_size = 1000;
  static auto fields() {
    using config::field;
    return std::tuple_cat(DistributionConfig::fields<KidConfig>(),
                          std::make_tuple(field(&KidConfig::subsets, "subsets", "random subsets", config::at_least(1)),
                                          field(&KidConfig::subset_size, "subset_size", "samples per subset",
                                                config::at_least(2))));
  }
};

struct PrecisionRecallConfig : DistributionConfig {
  int64_t k = 3;
  static auto fields() {
    using config::field;
    return std::tuple_cat(DistributionConfig::fields<PrecisionRecallConfig>(),
                          std::make_tuple(field(&PrecisionRecallConfig::k, "k", "neighbours of the k-NN manifolds",
                                                config::at_least(1))));
  }
};

struct InceptionScoreConfig : DistributionConfig {
  int64_t splits = 10;
  static auto fields() {
    using config::field;
    return std::tuple_cat(DistributionConfig::fields<InceptionScoreConfig>(),
                          std::make_tuple(field(&InceptionScoreConfig::splits, "splits", "splits of the samples",
                                                config::at_least(1))));
  }
};

// Metrics of image pairs: PSNR, SSIM, MS-SSIM, LPIPS, DISTS, SiFID.
struct PairedConfig : RunSettings {
  std::string real, fake;
  std::string weights, extra_weights;
  static auto fields() {
    using config::field;
    return std::tuple_cat(
        std::make_tuple(
            field(&PairedConfig::real, "real", "reference image, or folder of images paired with --fake by sorted name"),
            field(&PairedConfig::fake, "fake", "distorted or generated image, or folder"),
            field(&PairedConfig::weights, "weights",
                  "LPIPS, DISTS: converted torchvision VGG16 weights; SiFID: converted Inception weights"),
            field(&PairedConfig::extra_weights, "extra_weights",
                  "LPIPS: the lpips v0.1 linear layers; DISTS: its alpha and beta")),
        RunSettings::fields<PairedConfig>());
  }
};

}  // namespace genlab::eval
