#pragma once
// Texto (Galerne, Leclaire and Rabin, "A texture synthesis model based on semi-discrete optimal
// transport in patch space", SIAM J. Imaging Sciences 11(4), 2018): learn a multiscale patch
// model from one exemplar, then synthesise textures of any size. The equations cited here and
// in the other files of this folder are numbered in docs/models/texto.md.
#include <cstdint>
#include <string>
#include <vector>

#include "genlab/ot/float_image.hpp"
#include "models/texto/config.hpp"
#include "models/texto/model.hpp"

namespace genlab::texto {

// Independent random streams, all forked from Rng(seed).
namespace streams {
inline constexpr uint64_t targets = 1;         // which exemplar patches become targets
inline constexpr uint64_t sgd_samples = 2;     // the averaged SGD's source samples
inline constexpr uint64_t gaussian_start = 3;  // the ADSN white noise
}  // namespace streams

// One scale of a synthesis: what went into the transport map and what came out.
struct ScaleImages {
  int64_t scale = 0;
  ot::FloatImage before;  // the ADSN start (coarsest) or the upsampled coarser scale
  ot::FloatImage after;   // the recomposed transported patches
  double seconds = 0;
};

// One scale of learning.
struct ScaleLearning {
  int64_t scale = 0, targets = 0;
  double sgd_seconds = 0, seconds = 0;
};

struct LearnOptions {
  bool show_progress = false;                  // a progress display per scale on standard error
  std::vector<ScaleLearning>* report = nullptr;  // filled when given
  std::vector<ScaleImages>* trace = nullptr;     // the learning synthesis (at the exemplar's size)
};

// Learns a model from `exemplar` (values in [0, 1], 1 or 3 channels; `name` for messages).
// Throws ConfigError for a bad config or an exemplar too small for its scales.
TextoModel learn(const ot::FloatImage& exemplar, const LearnConfig& config, uint64_t seed, const std::string& name,
                 const LearnOptions& options = {});

// A width x height synthesis; the same model, size and seed give the same image, whatever the
// number of threads. `trace`, when given, receives every scale's images and time.
// Throws ConfigError for a size too small for the model's scales.
ot::FloatImage synthesise(const TextoModel& model, int64_t width, int64_t height, uint64_t seed,
                          std::vector<ScaleImages>* trace = nullptr);

// One scale, shared by learning and synthesis: the map T of eq. (4) on every patch of `before`,
// the recomposition of eq. (7), and, for a finer scale of next_height x next_width (at most twice
// the size of `before`), its start by eq. (8); next_height = 0 at the finest scale.
struct TransportedScale {
  ot::FloatImage after, upsampled;
};
TransportedScale transport_scale(const TextoScale& scale, int64_t patch, const ot::FloatImage& before,
                                 int64_t next_height = 0, int64_t next_width = 0);

}  // namespace genlab::texto
