#pragma once
// A learned Texto model: per scale, the OT targets y, their dual weights v and the upsampling
// patches y2, and the ADSN texton of the coarsest scale. It synthesises any size and seed
// without learning again, and is stored in one HDF5 file (layout in docs/models/texto.md).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/texto/adsn.hpp"
#include "models/texto/config.hpp"

namespace genlab::texto {

inline constexpr int64_t model_format_version = 1;

struct TextoScale {
  int64_t height = 0, width = 0;  // the exemplar's size at this scale
  std::vector<float> targets;     // y: [J, w, w, C], patches of the exemplar at this scale
  std::vector<double> weights;    // v: [J]
  std::vector<float> upsampling;  // y2: [J, 2w, 2w, C], the same patches at twice the resolution; empty at s = 0

  int64_t size() const { return static_cast<int64_t>(weights.size()); }
};

struct TextoModel {
  int64_t channels = 0;          // 1 (grey) or 3 (RGB)
  int64_t patch = 0;             // w
  std::vector<TextoScale> scales;  // scales[s]: s = 0 the finest (the exemplar's resolution) to S - 1 the coarsest
  AdsnModel adsn;                // of the exemplar at the coarsest scale

  // Provenance, stored with the model.
  LearnConfig config;
  int64_t seed = 0;
  std::string exemplar;
  int64_t exemplar_width = 0, exemplar_height = 0;

  int64_t scale_count() const { return static_cast<int64_t>(scales.size()); }
  int64_t dimension() const { return patch * patch * channels; }
};

// Writes the model (a new file beside `path`, renamed over it). Throws IoError.
void save_model(const TextoModel& model, const std::filesystem::path& path);

// Reads and checks a model: a missing file, a file that is not HDF5 or not a Texto model, a newer
// format, or datasets of the wrong shape are IoErrors naming the file and what is wrong.
TextoModel load_model(const std::filesystem::path& path);

}  // namespace genlab::texto
