#pragma once
// The factorised prior ("EntropyBottleneck"; Ballé et al. 2018, "Variational image compression
// with a scale hyperprior", appendix 6.1; CompressAI's EntropyBottleneck): a learned,
// non-parametric density per channel for latents whose values do not depend on anything else
// (the hyper-latents z).
//
// Life cycle (docs/entropy.md): train with operator()(y, rng) (noise) and quantile_loss() (the
// auxiliary loss); call update() to build the CDF tables; then compress() and decompress(). A
// compress or decompress before update(), or after the parameters changed, is an error that says
// so (coding_tables.hpp).
#include <cmath>
#include <span>
#include <vector>

#include "genlab/entropy/coding_tables.hpp"
#include "genlab/entropy/factorized_tables.hpp"
#include "genlab/entropy/quantization.hpp"
#include "genlab/entropy/rans.hpp"
#include "genlab/nn/module.hpp"
#include "genlab/nn/parameter.hpp"

namespace genlab::entropy {

struct FactorizedPriorSpec {
  int64_t channels = 0;
  std::vector<int64_t> filters = {3, 3, 3, 3};  // hidden widths of the cumulative network
  double init_scale = 10.0;                      // the initial density spreads over about +-init_scale
  double tail_mass = 1e-9;                       // mass left outside the quantiles (escape-coded)
  double likelihood_bound = 1e-9;
};

template <Backend B>
struct FactorizedPrior {
  // Layer k of the cumulative network: matrices[k] [C, w_{k+1}, w_k], biases[k] [C, w_{k+1}, 1],
  // factors[k] [C, w_{k+1}, 1] (all but the last layer). quantiles [C, 1, 3]: per channel the
  // values where the CDF is tail_mass / 2, 1/2 and 1 - tail_mass / 2; the middle one is the
  // median the latents are quantised around.
  BOOST_HANA_DEFINE_STRUCT(FactorizedPrior, (std::vector<Tensor<B>>, matrices), (std::vector<Tensor<B>>, biases),
                           (std::vector<Tensor<B>>, factors), (Tensor<B>, quantiles));

  std::vector<int64_t> widths;  // 1, filters..., 1
  double tail_mass = 1e-9;
  double likelihood_bound = 1e-9;

  struct Output {
    Tensor<B> values;       // quantised (or noised) latents
    Tensor<B> likelihoods;  // p of each, at least likelihood_bound
  };

  FactorizedPrior() = default;
  FactorizedPrior(const FactorizedPriorSpec& spec, Rng& rng, const TensorOptions& options = {})
      : tail_mass(spec.tail_mass), likelihood_bound(spec.likelihood_bound) {
    if (spec.channels < 1) throw ConfigError("FactorizedPrior: channels must be at least 1");
    widths = {1};
    widths.insert(widths.end(), spec.filters.begin(), spec.filters.end());
    widths.push_back(1);
    const int64_t c = spec.channels;
    const size_t layers = widths.size() - 1;
    // H_k = log(expm1(1 / scale / w_{k+1})) with scale = init_scale^(1 / K): the initial network
    // maps +-init_scale to about +-1 logit per unit (CompressAI's initialisation).
    const double scale = std::pow(spec.init_scale, 1.0 / static_cast<double>(layers));
    for (size_t k = 0; k < layers; ++k) {
      const int64_t out = widths[k + 1], in = widths[k];
      const double h = std::log(std::expm1(1.0 / scale / static_cast<double>(out)));
      matrices.push_back(nn::make_parameter<B>({c, out, in}, nn::init::constant(h), {}, rng, options));
      biases.push_back(nn::make_parameter<B>({c, out, 1}, nn::init::uniform(-0.5, 0.5), {}, rng, options));
      if (k + 1 < layers) factors.push_back(nn::make_parameter<B>({c, out, 1}, nn::init::constant(0.0), {}, rng, options));
    }
    std::vector<float> initial;
    for (int64_t i = 0; i < c; ++i)
      initial.insert(initial.end(), {static_cast<float>(-spec.init_scale), 0.f, static_cast<float>(spec.init_scale)});
    quantiles = ops::from_host<B>(std::span<const float>(initial), {c, 1, 3}, options).requires_grad_();
  }

  int64_t channels() const { return quantiles.size(0); }

  // L(x) for x [C, 1, M]: the logits of each channel's CDF (factorized_tables.hpp has the
  // equations). With detach_density the network's parameters get no gradient (for the quantiles).
  Tensor<B> logits_cumulative(const Tensor<B>& x, bool detach_density = false) const {
    Tensor<B> logits = x;
    for (size_t k = 0; k < matrices.size(); ++k) {
      auto maybe_detached = [&](const Tensor<B>& p) { return detach_density ? p.detach() : p; };
      logits = ops::matmul(ops::softplus(maybe_detached(matrices[k])), logits) + maybe_detached(biases[k]);
      if (k < factors.size()) logits = logits + ops::tanh(maybe_detached(factors[k])) * ops::tanh(logits);
    }
    return logits;
  }

  // p(v) = sigmoid(L(v + 1/2)) - sigmoid(L(v - 1/2)) for values [N, C, ...], bounded below by
  // likelihood_bound. The difference is evaluated as sigmoid(u) sigmoid(-l) - sigmoid(l)
  // sigmoid(-u), which keeps its precision in both tails (factorized_tables.hpp).
  Tensor<B> likelihood(const Tensor<B>& values) const {
    check_latents(values.shape(), "likelihood");
    std::vector<int64_t> channel_first(values.dim());
    for (int64_t d = 0; d < values.dim(); ++d) channel_first[d] = d;
    std::swap(channel_first[0], channel_first[1]);
    const Tensor<B> v = ops::permute(values, channel_first);
    const Shape permuted = v.shape();
    const Tensor<B> flat = v.reshape({channels(), 1, -1});
    const Tensor<B> lower = logits_cumulative(flat - 0.5), upper = logits_cumulative(flat + 0.5);
    const Tensor<B> p = ops::sigmoid(upper) * ops::sigmoid(-lower) - ops::sigmoid(lower) * ops::sigmoid(-upper);
    return ops::permute(ops::lower_bound(p, likelihood_bound).reshape(permuted), channel_first);
  }

  // Training: y + u, u ~ U(-1/2, 1/2).
  Output operator()(const Tensor<B>& y, Rng& noise) const {
    const Tensor<B> values = add_quantization_noise(y, noise);
    return {values, likelihood(values)};
  }

  // Evaluation: round(y - m) + m around the channel medians m.
  Output operator()(const Tensor<B>& y, Rounding rounding = Rounding::dequantize) const {
    check_latents(y.shape(), "operator()");
    const Tensor<B> values = round_around(y, medians_like(y), rounding);
    return {values, likelihood(values)};
  }

  // The medians, [C].
  Tensor<B> medians() const { return ops::slice(quantiles, 2, 1, 2).reshape({channels()}); }

  // The auxiliary loss that trains the quantiles: sum |L(q) - target| with the targets
  // logit(tail_mass / 2), 0, logit(1 - tail_mass / 2) and the density detached (CompressAI's
  // EntropyBottleneck.loss()). Minimise it alongside (not inside) the rate-distortion loss.
  Tensor<B> quantile_loss() const {
    const double t = std::log(2.0 / tail_mass - 1.0);
    const std::vector<double> target{-t, 0.0, t};
    const Tensor<B> logits = logits_cumulative(quantiles, /*detach_density=*/true);
    return ops::sum(ops::abs(logits - ops::from_host<B>(std::span<const double>(target), {3}, quantiles.options())));
  }

  // Builds the CDF tables from the current parameters, on the host in float64
  // (factorized_tables.hpp), so that every machine builds the same tables.
  void update() {
    const HostValues host = host_values();
    std::vector<std::vector<double>> m, b, f;
    for (size_t k = 0; k < matrices.size(); ++k) {
      m.push_back(host.tensors[k]);
      b.push_back(host.tensors[matrices.size() + k]);
      if (k < factors.size()) f.push_back(host.tensors[2 * matrices.size() + k]);
    }
    const CumulativeDensity density(channels(), widths, m, b, f);
    coding_.set(factorized_tables(density, host.tensors.back()), host.fingerprint);
  }

  // Whether update() ran since the parameters last changed.
  bool updated() const { return coding_.current(host_values().fingerprint); }

  const CdfTables& tables() const { return coding_.require(host_values().fingerprint, "FactorizedPrior", "tables"); }

  // Appends round(y - m) for y [N, C, ...] to `encoder`, channel c under table row c.
  void compress(const Tensor<B>& y, RansEncoder& encoder) const {
    const CdfTables& t = coding_.require(host_values().fingerprint, "FactorizedPrior", "compress");
    check_latents(y.shape(), "compress");
    const auto symbols = integer_symbols(y, medians_like(y), "FactorizedPrior");
    encoder.encode(symbols, channel_indexes(y.shape()), t);
  }

  // The next numel(shape) latents from `decoder`, as values symbol + m of the given shape.
  Tensor<B> decompress(RansDecoder& decoder, const Shape& shape) const {
    const CdfTables& t = coding_.require(host_values().fingerprint, "FactorizedPrior", "decompress");
    check_latents(shape, "decompress");
    std::vector<int32_t> symbols(static_cast<size_t>(numel(shape)));
    decoder.decode(symbols, channel_indexes(shape), t);
    const std::vector<double> values(symbols.begin(), symbols.end());
    NoGradGuard<B> no_grad;
    const Tensor<B> decoded = ops::from_host<B>(std::span<const double>(values), shape, quantiles.options());
    return decoded + medians_like(decoded);
  }

  // One stream holding y alone.
  std::vector<uint8_t> compress(const Tensor<B>& y) const {
    RansEncoder encoder;
    compress(y, encoder);
    return encoder.finish();
  }

  Tensor<B> decompress(std::span<const uint8_t> stream, const Shape& shape) const {
    coding_.require(host_values().fingerprint, "FactorizedPrior", "decompress");
    RansDecoder decoder(stream);
    Tensor<B> y = decompress(decoder, shape);
    decoder.finish();
    return y;
  }

 private:
  struct HostValues {
    std::vector<std::vector<double>> tensors;  // matrices, biases, factors, quantiles
    uint64_t fingerprint = 0;
  };

  // Every parameter on the host, and the fingerprint of them all.
  HostValues host_values() const {
    HostValues out;
    uint64_t hash = fingerprint(std::span<const double>(std::vector<double>(widths.begin(), widths.end())));
    auto add = [&](const Tensor<B>& t) {
      out.tensors.push_back(t.to_host_f64());
      hash = fingerprint(out.tensors.back(), hash);
    };
    for (const auto& t : matrices) add(t);
    for (const auto& t : biases) add(t);
    for (const auto& t : factors) add(t);
    add(quantiles);
    const double settings[] = {tail_mass};
    out.fingerprint = fingerprint(settings, hash);
    return out;
  }

  void check_latents(const Shape& shape, const char* op) const {
    if (shape.size() < 2 || shape[1] != channels())
      throw ShapeError("FactorizedPrior::" + std::string(op) + ": latents of shape " + to_string(shape) +
                       "; expected [N, " + std::to_string(channels()) + ", ...]");
  }

  // The medians shaped [1, C, 1, ...] to broadcast against x, without gradient.
  Tensor<B> medians_like(const Tensor<B>& x) const {
    Shape shape(x.dim(), 1);
    shape[1] = channels();
    return medians().detach().reshape(shape);
  }

  // The table row of each element of [N, C, ...] in row-major order: its channel.
  std::vector<int32_t> channel_indexes(const Shape& shape) const {
    const int64_t inner = numel(shape) / std::max<int64_t>(shape[0] * shape[1], 1);
    std::vector<int32_t> indexes(static_cast<size_t>(numel(shape)));
    for (size_t i = 0; i < indexes.size(); ++i)
      indexes[i] = static_cast<int32_t>((static_cast<int64_t>(i) / inner) % shape[1]);
    return indexes;
  }

  CodingTables coding_;
};

}  // namespace genlab::entropy
