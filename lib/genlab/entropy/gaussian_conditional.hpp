#pragma once
// The Gaussian conditional (Ballé et al. 2018, "Variational image compression with a scale
// hyperprior", eq. 9; Minnen et al. 2018 for the means; CompressAI's GaussianConditional): latents
// modelled as y ~ N(mu, sigma^2) convolved with U(-1/2, 1/2), with mu and sigma predicted per
// element by a hyperprior or context model,
//
//   p(y | mu, sigma) = Phi((1/2 - v) / sigma) - Phi((-1/2 - v) / sigma),   v = |y - mu|,
//
// both terms taken at -|.| so that they are small, and accurate, in the far tails (normal_cdf.hpp).
// For coding, sigma is mapped to the smallest of a fixed table of scales (64 log-spaced from 0.11
// to 256) at least as large, each with its CDF table (gaussian_tables.hpp).
//
// Life cycle: as FactorizedPrior's. update() builds the tables from the scale table, which is a
// buffer (saved in checkpoints), so a checkpoint with another table cannot be coded with stale ones.
#include <span>
#include <vector>

#include "genlab/entropy/coding_tables.hpp"
#include "genlab/entropy/gaussian_tables.hpp"
#include "genlab/entropy/normal_cdf.hpp"
#include "genlab/entropy/quantization.hpp"
#include "genlab/entropy/rans.hpp"
#include "genlab/nn/module.hpp"

namespace genlab::entropy {

struct GaussianConditionalSpec {
  std::vector<float> scale_table = default_scale_table();
  double tail_mass = default_tail_mass;
  double scale_bound = default_scale_min;  // scales below it act as it (through lower_bound)
  double likelihood_bound = 1e-9;
};

template <Backend B>
struct GaussianConditional {
  BOOST_HANA_DEFINE_STRUCT(GaussianConditional, (nn::Buffer<B>, scale_table));

  double tail_mass = default_tail_mass;
  double scale_bound = default_scale_min;
  double likelihood_bound = 1e-9;

  struct Output {
    Tensor<B> values;
    Tensor<B> likelihoods;
  };

  explicit GaussianConditional(const GaussianConditionalSpec& spec = {}, const TensorOptions& options = {})
      : scale_table{ops::from_host<B>(std::span<const float>(spec.scale_table),
                                      {static_cast<int64_t>(spec.scale_table.size())}, options)},
        tail_mass(spec.tail_mass),
        scale_bound(spec.scale_bound),
        likelihood_bound(spec.likelihood_bound) {}

  // p(values | means, scales), bounded below by likelihood_bound; means may be undefined (zero).
  Tensor<B> likelihood(const Tensor<B>& values, const Tensor<B>& scales, const Tensor<B>& means = {}) const {
    const Tensor<B> sigma = ops::lower_bound(scales, scale_bound);
    const Tensor<B> v = ops::abs(means.defined() ? values - means : values);
    const Tensor<B> upper = normal_cdf((0.5 - v) / sigma);
    const Tensor<B> lower = normal_cdf((-0.5 - v) / sigma);
    return ops::lower_bound(upper - lower, likelihood_bound);
  }

  // Training: y + u, u ~ U(-1/2, 1/2).
  Output operator()(const Tensor<B>& y, const Tensor<B>& scales, const Tensor<B>& means, Rng& noise) const {
    const Tensor<B> values = add_quantization_noise(y, noise);
    return {values, likelihood(values, scales, means)};
  }

  // Evaluation: round(y - mu) + mu.
  Output operator()(const Tensor<B>& y, const Tensor<B>& scales, const Tensor<B>& means = {},
                    Rounding rounding = Rounding::dequantize) const {
    const Tensor<B> values = round_around(y, means, rounding);
    return {values, likelihood(values, scales, means)};
  }

  // Builds one CDF table per scale of the scale table, on the host in float64.
  void update() {
    const HostValues host = host_values();
    coding_.set(gaussian_tables(host.scale_table, tail_mass), host.fingerprint);
    indexed_table_ = host.scale_table;
  }

  bool updated() const { return coding_.current(host_values().fingerprint); }

  const CdfTables& tables() const { return coding_.require(host_values().fingerprint, "GaussianConditional", "tables"); }

  // The table row of each scale, in row-major order.
  std::vector<int32_t> indexes(const Tensor<B>& scales) const {
    coding_.require(host_values().fingerprint, "GaussianConditional", "indexes");
    return scale_indexes(scales.to_host(), indexed_table_);
  }

  // Appends round(y - mu) to `encoder`, each under the table of its scale.
  void compress(const Tensor<B>& y, const Tensor<B>& scales, const Tensor<B>& means, RansEncoder& encoder) const {
    const CdfTables& t = coding_.require(host_values().fingerprint, "GaussianConditional", "compress");
    check_shapes(y.shape(), scales, means, "compress");
    encoder.encode(integer_symbols(y, means, "GaussianConditional"), scale_indexes(scales.to_host(), indexed_table_), t);
  }

  // The next scales.numel() latents from `decoder`, as symbol + mu with the shape of `scales`.
  // Called once per step, it decodes one stream in steps (a context model's groups).
  Tensor<B> decompress(RansDecoder& decoder, const Tensor<B>& scales, const Tensor<B>& means = {}) const {
    const CdfTables& t = coding_.require(host_values().fingerprint, "GaussianConditional", "decompress");
    check_shapes(scales.shape(), scales, means, "decompress");
    std::vector<int32_t> symbols(static_cast<size_t>(scales.numel()));
    decoder.decode(symbols, scale_indexes(scales.to_host(), indexed_table_), t);
    const std::vector<double> values(symbols.begin(), symbols.end());
    NoGradGuard<B> no_grad;
    const Tensor<B> decoded = ops::from_host<B>(std::span<const double>(values), scales.shape(), scales.options());
    return means.defined() ? decoded + means.detach() : decoded;
  }

  std::vector<uint8_t> compress(const Tensor<B>& y, const Tensor<B>& scales, const Tensor<B>& means = {}) const {
    RansEncoder encoder;
    compress(y, scales, means, encoder);
    return encoder.finish();
  }

  Tensor<B> decompress(std::span<const uint8_t> stream, const Tensor<B>& scales, const Tensor<B>& means = {}) const {
    coding_.require(host_values().fingerprint, "GaussianConditional", "decompress");
    RansDecoder decoder(stream);
    Tensor<B> y = decompress(decoder, scales, means);
    decoder.finish();
    return y;
  }

 private:
  struct HostValues {
    std::vector<float> scale_table;
    uint64_t fingerprint = 0;
  };

  HostValues host_values() const {
    HostValues out{scale_table.value.to_host(), 0};
    const std::vector<double> values(out.scale_table.begin(), out.scale_table.end());
    const double settings[] = {tail_mass};
    out.fingerprint = fingerprint(settings, fingerprint(values));
    return out;
  }

  static void check_shapes(const Shape& y, const Tensor<B>& scales, const Tensor<B>& means, const char* op) {
    if (scales.shape() != y || (means.defined() && means.shape() != y))
      throw ShapeError("GaussianConditional::" + std::string(op) + ": latents " + to_string(y) + ", scales " +
                       to_string(scales.shape()) + (means.defined() ? ", means " + to_string(means.shape()) : "") +
                       "; all must have the same shape");
  }

  CodingTables coding_;
  std::vector<float> indexed_table_;  // the scale table the tables were built from
};

}  // namespace genlab::entropy
