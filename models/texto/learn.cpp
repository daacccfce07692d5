// Learning a model from one exemplar, coarsest scale first (docs/models/texto.md, "Learning"):
// at each scale the same steps as synthesis, with the transport map learned on the way.
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/ot/asgd.hpp"
#include "genlab/ot/patches.hpp"
#include "genlab/train/progress.hpp"
#include "models/texto/pyramid.hpp"
#include "models/texto/texto.hpp"

namespace genlab::texto {
namespace {

// The first `count` entries of a uniformly random permutation of 0..n-1: a partial Fisher-Yates
// shuffle that keeps only the swapped entries, since n (the exemplar's patches) can be large.
std::vector<int64_t> random_positions(int64_t n, int64_t count, Rng& rng) {
  std::unordered_map<int64_t, int64_t> swapped;
  auto entry = [&](int64_t i) {
    const auto found = swapped.find(i);
    return found == swapped.end() ? i : found->second;
  };
  std::vector<int64_t> positions;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng.below(static_cast<uint64_t>(n - i)));
    positions.push_back(entry(j));
    swapped[j] = entry(i);
  }
  return positions;
}

std::string side_text(int64_t width, int64_t height) { return std::to_string(width) + "x" + std::to_string(height); }

}  // namespace

TextoModel learn(const ot::FloatImage& exemplar, const LearnConfig& config, uint64_t seed, const std::string& name,
                 const LearnOptions& options) {
  config::validate(config);
  if (exemplar.channels != 1 && exemplar.channels != 3)
    throw ConfigError("texto: exemplar '" + name + "' has " + std::to_string(exemplar.channels) +
                      " channels; Texto models are grey (1) or RGB (3)");
  const int64_t S = config.scales, w = config.patch, needed = minimum_side(S, w);
  if (exemplar.width < needed || exemplar.height < needed)
    throw ConfigError("texto: exemplar '" + name + "' is " + side_text(exemplar.width, exemplar.height) +
                      " pixels, too small for " + std::to_string(S) + " scales of " + side_text(w, w) +
                      " patches (needs at least " + side_text(needed, needed) + ")");
  using clock = std::chrono::steady_clock;
  const Rng root(seed);
  TextoModel model;
  model.channels = exemplar.channels;
  model.patch = w;
  model.scales.resize(static_cast<size_t>(S));
  model.config = config;
  model.seed = static_cast<int64_t>(seed);
  model.exemplar = name;
  model.exemplar_width = exemplar.width;
  model.exemplar_height = exemplar.height;
  const int64_t D = model.dimension();

  ot::FloatImage before;
  for (int64_t s = S - 1; s >= 0; --s) {
    const auto start = clock::now();
    TextoScale& scale = model.scales[s];
    scale.height = scale_side(exemplar.height, s);
    scale.width = scale_side(exemplar.width, s);
    const ot::FloatImage u = bicubic_resize(exemplar, scale.height, scale.width);

    // The source: the ADSN's exact patch law at the coarsest scale (eq. (3)); at finer scales the
    // patches of the upsampled synthesis, drawn uniformly (the authors fit a Gaussian mixture to
    // them instead; sampling them directly is simpler and reported slightly better).
    Rng samples = root.fork(streams::sgd_samples + 16 * static_cast<uint64_t>(s));
    std::unique_ptr<AdsnPatchLaw> gaussian;
    if (s == S - 1) {
      model.adsn = estimate_adsn(u);
      Rng noise = root.fork(streams::gaussian_start);
      before = adsn(model.adsn, scale.height, scale.width, noise);
      gaussian = std::make_unique<AdsnPatchLaw>(model.adsn, w);
    }
    const ot::PatchGrid source_grid = ot::patch_grid(before, w);
    const ot::SourceSampler sample = [&](std::span<float> out) {
      if (gaussian) return gaussian->sample(samples, out);
      for (size_t row = 0; row < out.size() / static_cast<size_t>(D); ++row)
        ot::extract_patch(before, source_grid, static_cast<int64_t>(samples.below(source_grid.count())),
                          out.data() + row * D);
    };

    // The targets: J random patches of the exemplar at this scale, with uniform weights 1/J, and
    // the same positions in the exemplar at twice the resolution for the upsampling.
    const ot::PatchGrid grid = ot::patch_grid(u, w);
    const int64_t J = std::min(grid.count(), config.targets);
    Rng draw = root.fork(streams::targets + 16 * static_cast<uint64_t>(s));
    const std::vector<int64_t> positions = random_positions(grid.count(), J, draw);
    scale.targets = ot::extract_patches(u, grid, positions);
    if (s > 0) {
      const ot::FloatImage u2 = bicubic_resize(exemplar, 2 * scale.height, 2 * scale.width);
      scale.upsampling = ot::extract_patches(u2, ot::patch_grid(u2, 2 * w, 2), positions);
    }

    // The dual weights, eq. (6).
    const auto sgd_start = clock::now();
    std::unique_ptr<train::Progress> progress;
    if (options.show_progress)
      progress = std::make_unique<train::Progress>("texto learn scale " + std::to_string(s), 0, config.iters, 0.0);
    scale.weights = ot::asgd(scale.targets, D, sample, {config.iters, config.step}, [&](int64_t k) {
      if (progress) progress->update(k, {});
    });
    const double sgd_seconds = std::chrono::duration<double>(clock::now() - sgd_start).count();

    TransportedScale step = transport_scale(scale, w, before, s > 0 ? scale_side(exemplar.height, s - 1) : 0,
                                            s > 0 ? scale_side(exemplar.width, s - 1) : 0);
    const double seconds = std::chrono::duration<double>(clock::now() - start).count();
    if (progress)
      progress->finish(config.iters, {},
                       side_text(scale.width, scale.height) + ", J = " + std::to_string(J) + ", " +
                           std::to_string(static_cast<int>(seconds * 1000 + 0.5)) + " ms");
    if (options.report) options.report->push_back({s, J, sgd_seconds, seconds});
    if (options.trace) options.trace->push_back({s, before, step.after, seconds});
    before = std::move(step.upsampled);
  }
  return model;
}

}  // namespace genlab::texto
