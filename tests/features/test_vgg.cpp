// VGG16/VGG19 trunks, LPIPS and DISTS against an independent PyTorch implementation
// (tests/features/make-vgg-vectors.py) on formula weights, on both backends.
#include <catch2/catch.hpp>

#include "genlab/features/vgg.hpp"
#include "genlab/metrics/dists.hpp"
#include "genlab/metrics/lpips.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/formula_weights.hpp"

using namespace genlab;
using genlab::testing::formula_values;
using genlab::testing::relative_error;

namespace {

// Formula weights for every tensor of `module` whose name starts with `prefix` (or is one of
// `names`), ordinals counted over their sorted names; `rule` gives (amplitude, offset) for a name
// and shape.
template <class Module, class Rule>
void fill_with_formula(Module& module, const std::string& prefix, Rule rule, const std::vector<std::string>& names = {}) {
  StateDict state = nn::state_dict(module);
  uint64_t ordinal = 0;
  for (auto& [name, t] : state) {
    const bool selected = names.empty() ? name.starts_with(prefix) : std::ranges::find(names, name) != names.end();
    if (!selected) continue;
    const auto [amplitude, offset] = rule(name.substr(prefix.size()), t.shape);
    t.values = formula_values(numel(t.shape), ordinal++, amplitude, offset);
  }
  nn::load_state_dict(module, state);
}

std::pair<double, double> vgg_rule(const std::string& name, const Shape& shape) {
  if (name.ends_with("weight")) return {std::sqrt(6.0 / static_cast<double>(numel(shape) / shape[0])), 0.0};
  return {0.1, 0.0};
}

std::vector<float> every(const std::vector<float>& v, size_t step) {
  std::vector<float> out;
  for (size_t i = 0; i < v.size(); i += step) out.push_back(v[i]);
  return out;
}

std::vector<float> as_float(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

template <Backend B>
Tensor<B> formula_images(uint64_t ordinal) {
  const auto pixels = formula_values(2 * 3 * 40 * 36, ordinal, 0.9);
  return ops::from_host<B>(std::span<const float>(pixels), {2, 3, 40, 36});
}

const auto expected = [] { return genlab::testing::read_vectors(GENLAB_SOURCE_DIR "/tests/features/vectors/vgg.txt"); };

}  // namespace

TEMPLATE_TEST_CASE("VGG16 and VGG19 trunks match torchvision's layers computed independently in PyTorch", "", OneDnn,
                   LibTorch) {
  using B = TestType;
  const auto vectors = expected();
  for (auto [depth, tag] : {std::pair{features::VggDepth::vgg16, "vgg16"}, std::pair{features::VggDepth::vgg19, "vgg19"}}) {
    Rng rng(1);
    features::Vgg<B> vgg(depth, rng);
    fill_with_formula(vgg, "", vgg_rule);
    NoGradGuard<B> no_grad;
    const auto taps = vgg(features::imagenet_normalize(formula_images<B>(0)));
    REQUIRE(taps.size() == 5);
    for (size_t k = 0; k < taps.size(); ++k) {
      const std::string name = std::string(tag) + "_tap" + std::to_string(k);
      INFO(name);
      const auto& shape = vectors.at(name + "_shape");
      CHECK(taps[k].shape() == Shape(shape.begin(), shape.end()));
      CHECK(relative_error(every(taps[k].to_host(), 997), as_float(vectors.at(name))) < 1e-5);
    }
  }
  // torchvision's names: features.0 ... features.28 for VGG16's thirteen convolutions.
  Rng rng(1);
  features::Vgg<B> vgg16(features::VggDepth::vgg16, rng);
  const auto names = nn::state_dict(vgg16);
  CHECK(names.size() == 26);
  CHECK(names.contains("features.0.weight"));
  CHECK(names.contains("features.28.bias"));
}

TEMPLATE_TEST_CASE("LPIPS and DISTS match their definitions computed independently in PyTorch", "", OneDnn, LibTorch) {
  using B = TestType;
  const auto vectors = expected();
  Rng rng(1);
  metrics::Lpips<B> lpips(rng);
  fill_with_formula(lpips, "net.", vgg_rule);
  fill_with_formula(lpips, "lin", [](const std::string&, const Shape&) { return std::pair{0.05, 0.05}; });
  metrics::Dists<B> dists(rng);
  fill_with_formula(dists, "vgg.", vgg_rule);
  fill_with_formula(dists, "", [](const std::string&, const Shape&) { return std::pair{0.05, 0.1}; }, {"alpha", "beta"});
  NoGradGuard<B> no_grad;
  const auto x0 = formula_images<B>(0), x1 = formula_images<B>(1);
  CHECK(relative_error(lpips(x0, x1).to_host(), as_float(vectors.at("lpips"))) < 1e-5);
  CHECK(relative_error(dists(x0, x1).to_host(), as_float(vectors.at("dists"))) < 1e-4);
  for (float v : dists(x0, x0).to_host()) CHECK(v == Approx(0.0).margin(1e-6));
  for (float v : lpips(x0, x0).to_host()) CHECK(v == 0.0);
}
