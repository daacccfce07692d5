#pragma once
// Adversarial losses on discriminator logits (scores), as a choice of formulation:
//   non-saturating (Goodfellow et al. 2014): D: -log s(r) - log(1 - s(f)),  G: -log s(f)
//   hinge (Lim & Ye 2017; Miyato et al. 2018): D: relu(1 - r) + relu(1 + f),  G: -f
//   least squares (Mao et al. 2017, a-b-c = 0-1-1): D: (r - 1)^2/2 + f^2/2,  G: (f - 1)^2/2
//   Wasserstein (Arjovsky et al. 2017; pair with a gradient penalty): D: f - r,  G: -f
// with s the logistic function, r = D(real), f = D(fake), each averaged over its elements.
// MS-ILLM's non-binary K+1-class loss, whose discriminator predicts a class per location, is
// nonbinary_*_loss below.
#include "genlab/core/tensor.hpp"
#include "genlab/losses/binary_cross_entropy.hpp"
#include "genlab/losses/cross_entropy.hpp"

namespace genlab::losses {

enum class Adversarial { non_saturating, hinge, least_squares, wasserstein };

template <Backend B>
Tensor<B> discriminator_loss(Adversarial kind, const Tensor<B>& real, const Tensor<B>& fake) {
  switch (kind) {
    case Adversarial::non_saturating:
      return binary_cross_entropy_with_logits(real, ops::ones_like(real)) +
             binary_cross_entropy_with_logits(fake, ops::zeros_like(fake));
    case Adversarial::hinge: return ops::mean(ops::relu(1.0 - real)) + ops::mean(ops::relu(1.0 + fake));
    case Adversarial::least_squares: return (ops::mean(ops::square(real - 1.0)) + ops::mean(ops::square(fake))) * 0.5;
    case Adversarial::wasserstein: return ops::mean(fake) - ops::mean(real);
  }
  throw Error("discriminator_loss: unknown adversarial loss");
}

template <Backend B>
Tensor<B> generator_loss(Adversarial kind, const Tensor<B>& fake) {
  switch (kind) {
    case Adversarial::non_saturating: return binary_cross_entropy_with_logits(fake, ops::ones_like(fake));
    case Adversarial::hinge:
    case Adversarial::wasserstein: return -ops::mean(fake);
    case Adversarial::least_squares: return ops::mean(ops::square(fake - 1.0)) * 0.5;
  }
  throw Error("generator_loss: unknown adversarial loss");
}

// MS-ILLM (Muckley et al. 2023): the discriminator classifies each location into K+1 classes,
// class 0 "fake" and class 1 + k "real with codebook label k". With per-location labels of the
// real image, logits [N, K + 1, h, w] and labels [N, h, w]:
//   D: 0.5 [CE(D(x), label + 1) + CE(D(x_hat), 0)],   G: CE(D(x_hat), label + 1).
template <Backend B>
Tensor<B> nonbinary_discriminator_loss(const Tensor<B>& real_logits, const Tensor<B>& fake_logits,
                                       const IndexTensor& labels) {
  IndexTensor real_classes = labels, fake_classes{labels.shape, std::vector<int64_t>(labels.values.size(), 0)};
  for (auto& c : real_classes.values) ++c;
  return (cross_entropy(real_logits, real_classes) + cross_entropy(fake_logits, fake_classes)) * 0.5;
}

template <Backend B>
Tensor<B> nonbinary_generator_loss(const Tensor<B>& fake_logits, const IndexTensor& labels) {
  IndexTensor real_classes = labels;
  for (auto& c : real_classes.values) ++c;
  return cross_entropy(fake_logits, real_classes);
}

}  // namespace genlab::losses
