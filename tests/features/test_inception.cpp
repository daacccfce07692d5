// The FID Inception-v3 against an independent PyTorch implementation of pytorch-fid's network
// (tests/features/make-inception-vectors.py), on weights and images from a closed formula, on both
// backends; and weights loaded by their torchvision names.
#include <catch2/catch.hpp>

#include "genlab/features/inception.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/formula_weights.hpp"

using namespace genlab;
using genlab::testing::formula_values;
using genlab::testing::relative_error;

namespace {

// The formula weights for every tensor of the network, by the script's rules.
template <Backend B>
StateDict formula_state(features::FidInceptionV3<B>& net) {
  StateDict state = nn::state_dict(net);
  uint64_t ordinal = 0;
  for (auto& [name, t] : state) {
    const int64_t count = numel(t.shape);
    auto ends_with = [&](const char* suffix) { return name.ends_with(suffix); };
    if (ends_with("conv.weight") || name == "fc.weight")
      t.values = formula_values(count, ordinal, std::sqrt(6.0 / static_cast<double>(count / t.shape[0])));
    else if (ends_with("running_var"))
      t.values = formula_values(count, ordinal, 0.5, 1.0);
    else if (ends_with("bn.weight"))
      t.values = formula_values(count, ordinal, 0.2, 1.0);
    else
      t.values = formula_values(count, ordinal, 0.1);
    ++ordinal;
  }
  return state;
}

std::vector<float> as_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

}  // namespace

TEMPLATE_TEST_CASE("the FID Inception-v3 matches pytorch-fid's network computed independently in PyTorch", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  const auto expected = genlab::testing::read_vectors(GENLAB_SOURCE_DIR "/tests/features/vectors/inception.txt");
  Rng rng(1);
  features::FidInceptionV3<B> net(rng);
  CHECK(nn::parameter_count(net) == static_cast<int64_t>(expected.at("parameter_count").at(0)));
  nn::load_state_dict(net, formula_state(net));
  const auto pixels = formula_values(2 * 3 * 64 * 48, 0, 0.9);
  NoGradGuard<B> no_grad;
  const auto out = net(ops::from_host<B>(std::span<const float>(pixels), {2, 3, 64, 48}));
  CHECK(out.first_pool.shape() == Shape{2, 64, 73, 73});
  CHECK(out.pool.shape() == Shape{2, 2048});
  CHECK(out.logits.shape() == Shape{2, 1008});
  const auto first = out.first_pool.to_host();
  std::vector<float> samples;
  for (size_t i = 0; i < first.size(); i += 9973) samples.push_back(first[i]);
  CHECK(relative_error(samples, as_float(expected.at("first_pool_samples"))) < 1e-5);
  CHECK(relative_error(out.pool.to_host(), as_float(expected.at("pool"))) < 1e-4);
  CHECK(relative_error(out.logits.to_host(), as_float(expected.at("logits"))) < 1e-4);
}
