#pragma once
// The codec's analysis E and synthesis G: HiFiC's (hific_transforms.hpp, the `paper` preset) or
// Ballé et al.'s GDN transforms (gdn_transforms.hpp, the `lab` preset), chosen by the config's
// `transforms`. Exactly one of each pair is present, so a run file holds only the weights its
// model uses; the hyperprior and the context model are the same for both.
#include <optional>

#include "models/codec/gdn_transforms.hpp"
#include "models/codec/hific_transforms.hpp"

namespace genlab::codec {

template <Backend B>
struct AnalysisTransform {
  BOOST_HANA_DEFINE_STRUCT(AnalysisTransform, (std::optional<HificAnalysis<B>>, hific),
                           (std::optional<GdnAnalysis<B>>, gdn));

  AnalysisTransform(const Architecture& a, Rng& rng, const TensorOptions& o) {
    if (a.transforms == Transforms::gdn)
      gdn.emplace(a, rng, o);
    else
      hific.emplace(a, rng, o);
  }

  Tensor<B> operator()(const Tensor<B>& x) const { return gdn ? (*gdn)(x) : (*hific)(x); }
};

template <Backend B>
struct SynthesisTransform {
  BOOST_HANA_DEFINE_STRUCT(SynthesisTransform, (std::optional<HificSynthesis<B>>, hific),
                           (std::optional<GdnSynthesis<B>>, gdn));

  SynthesisTransform(const Architecture& a, Rng& rng, const TensorOptions& o) {
    if (a.transforms == Transforms::gdn)
      gdn.emplace(a, rng, o);
    else
      hific.emplace(a, rng, o);
  }

  Tensor<B> operator()(const Tensor<B>& y_hat) const { return gdn ? (*gdn)(y_hat) : (*hific)(y_hat); }
};

}  // namespace genlab::codec
