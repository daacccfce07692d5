// Synthesis from a learned model, coarsest scale first (docs/models/texto.md, "Synthesis").
#include <chrono>
#include <string>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/ot/biased_nearest_neighbour.hpp"
#include "genlab/ot/patches.hpp"
#include "models/texto/pyramid.hpp"
#include "models/texto/texto.hpp"

namespace genlab::texto {

TransportedScale transport_scale(const TextoScale& scale, int64_t patch, const ot::FloatImage& before,
                                 int64_t next_height, int64_t next_width) {
  const ot::PatchGrid grid = ot::patch_grid(before, patch);
  const ot::BiasedTargets targets(scale.targets, grid.dimension(), scale.weights);
  std::vector<int32_t, ot::HugePageAllocator<int32_t>> choice(static_cast<size_t>(grid.count()));
  ot::biased_nearest_neighbour(before, patch, targets, choice);  // eq. (4)
  TransportedScale out;
  out.after = ot::average_patches(grid, scale.targets, choice);  // eq. (7)
  if (next_height > 0) {
    // Eq. (8): patch p's twice-larger exemplar patch, pasted at twice its position.
    const ot::PatchGrid fine = ot::patch_grid(before.channels, 2 * before.height, 2 * before.width, 2 * patch, 2);
    out.upsampled = ot::average_patches(fine, scale.upsampling, choice, next_height, next_width);
  }
  return out;
}

ot::FloatImage synthesise(const TextoModel& model, int64_t width, int64_t height, uint64_t seed,
                          std::vector<ScaleImages>* trace) {
  const int64_t S = model.scale_count(), needed = minimum_side(S, model.patch);
  if (width < needed || height < needed)
    throw ConfigError("texto: cannot synthesise " + std::to_string(width) + "x" + std::to_string(height) +
                      " pixels with " + std::to_string(S) + " scales of " + std::to_string(model.patch) + "x" +
                      std::to_string(model.patch) + " patches (needs at least " + std::to_string(needed) + "x" +
                      std::to_string(needed) + ")");
  using clock = std::chrono::steady_clock;
  ot::FloatImage before;
  for (int64_t s = S - 1; s >= 0; --s) {
    const auto start = clock::now();
    if (s == S - 1) {
      Rng noise = Rng(seed).fork(streams::gaussian_start);
      before = adsn(model.adsn, scale_side(height, s), scale_side(width, s), noise);  // eq. (2)
    }
    const int64_t next_height = s > 0 ? scale_side(height, s - 1) : 0, next_width = s > 0 ? scale_side(width, s - 1) : 0;
    TransportedScale step = transport_scale(model.scales[s], model.patch, before, next_height, next_width);
    if (trace)
      trace->push_back({s, before, step.after, std::chrono::duration<double>(clock::now() - start).count()});
    if (s == 0) return std::move(step.after);
    before = std::move(step.upsampled);
  }
  return before;
}

}  // namespace genlab::texto
