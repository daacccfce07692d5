#pragma once
// The Gaussian start at the coarsest scale: asymptotic discrete spot noise (ADSN, Galerne,
// Gousseau and Morel 2011), eqs. (1) and (2) of docs/models/texto.md. From an exemplar u of
// M x N pixels, the mean colour m and the texton t = (u - m) / sqrt(M N); a sample is
//
//   U = m + t * W,
//
// W a white noise shared by all channels and * the (non-periodic) convolution, so U has the
// exemplar's mean and autocorrelation.
#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "genlab/core/rng.hpp"
#include "genlab/ot/float_image.hpp"

namespace genlab::texto {

struct AdsnModel {
  ot::FloatImage texton;    // t
  std::vector<float> mean;  // m, one value per channel
};

// Eq. (1).
AdsnModel estimate_adsn(const ot::FloatImage& exemplar);

// Eq. (2): a height x width sample. The convolution is a circular one by FFT on a zero-padded
// grid at least (height + h - 1) x (width + w - 1) (h x w the texton), which wraps nothing
// around, then cropped.
ot::FloatImage adsn(const AdsnModel& model, int64_t height, int64_t width, Rng& rng);

// The exact law of one w x w patch of an ADSN, N(m, Gamma), eq. (3), in the patch order of
// ot/patches.hpp: the covariance of components (dy, dx, c) and (dy', dx', c') is the texton's
// autocorrelation sum_z t_c(z) t_c'(z + (dy' - dy, dx' - dx)). The source of the coarsest
// scale's averaged SGD samples it.
class AdsnPatchLaw {
 public:
  AdsnPatchLaw(const AdsnModel& model, int64_t patch);

  int64_t dimension() const { return static_cast<int64_t>(mean_.size()); }
  const Eigen::MatrixXd& covariance() const { return covariance_; }

  // samples.size() / D independent patches, one per row.
  void sample(Rng& rng, std::span<float> samples) const;

 private:
  Eigen::VectorXd mean_;
  Eigen::MatrixXd covariance_, root_;  // root root^T = covariance
};

}  // namespace genlab::texto
