#pragma once
// The full-reference metrics of `genlab eval psnr|ssim|ms-ssim|lpips|dists`: the mean over image
// pairs, on one backend (instantiated per backend in paired_metrics.cpp).
#include <filesystem>
#include <span>
#include <string>
#include <utility>

#include "backends/instantiated_backend.hpp"
#include "experiments/eval/eval_config.hpp"

namespace genlab::eval {

using ImagePair = std::pair<std::filesystem::path, std::filesystem::path>;

// `metric` is psnr, ssim, ms-ssim, lpips or dists; images are compared as RGB in [-1, 1]. Throws
// ShapeError naming both files when a pair differs in size, ConfigError for missing weights.
template <Backend B>
double mean_paired_metric(const std::string& metric, const PairedConfig& config, std::span<const ImagePair> pairs);

}  // namespace genlab::eval
