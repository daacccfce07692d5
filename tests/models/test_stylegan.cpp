// StyleGAN: both backends agree on the generator, the discriminator, R1 and training steps for
// one seed; style mixing, truncation, w_avg, the noise inputs, the equalised scales and the
// minibatch standard deviation each against a direct computation.
#include <catch2/catch.hpp>

#include <cmath>

#include "genlab/data/batches.hpp"
#include "genlab/data/idx.hpp"
#include "genlab/losses/gradient_penalty.hpp"
#include "models/stylegan/discriminator.hpp"
#include "models/stylegan/generator.hpp"
#include "models/stylegan/stylegan.hpp"
#include "models/stylegan/training.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::relative_error;
using genlab::testing::TemporaryDirectory;

namespace {

// Every layer of the 32x32 networks, at widths that run in milliseconds: 16, 16, 8, 4 channels
// at 4, 8, 16, 32 pixels.
stylegan::Architecture tiny_architecture(int64_t resolution = 32, int64_t channels = 1) {
  stylegan::Architecture a;
  a.resolution = resolution;
  a.channels = channels;
  a.latent_dim = 16;
  a.fmap_base = 64;
  a.fmap_max = 16;
  return a;
}

// A training config of tiny_architecture's sizes.
stylegan::StyleganConfig tiny_config() {
  const auto a = tiny_architecture();
  stylegan::StyleganConfig config;
  config.latent_dim = a.latent_dim;
  config.fmap_base = a.fmap_base;
  config.fmap_max = a.fmap_max;
  return config;
}

}  // namespace

TEST_CASE("StyleGAN's networks have the layers of networks_stylegan.py at 32x32 and 64x64") {
  using B = OneDnn;
  for (const auto& [resolution, layers, blocks] : std::vector<std::tuple<int64_t, int64_t, size_t>>{{32, 8, 3}, {64, 10, 4}}) {
    INFO(resolution << "x" << resolution);
    const auto a = tiny_architecture(resolution, 3);
    Rng rng(1);
    stylegan::Generator<B> g(a, rng, {});
    stylegan::Discriminator<B> d(a, rng, {});
    CHECK(a.synthesis_layers() == layers);
    CHECK(g.synthesis.layers.size() == static_cast<size_t>(layers));
    CHECK(!g.synthesis.layers[0].conv.has_value());  // the constant feeds the first epilogue directly
    CHECK(g.synthesis.layers[1].conv.has_value());
    CHECK(!g.synthesis.layers[1].upsample);
    CHECK(g.synthesis.layers[2].upsample);        // each resolution starts by upsampling
    CHECK(!g.synthesis.layers[3].upsample);
    CHECK(d.blocks.size() == blocks);
    Rng draw(2);
    const auto z = ops::randn<B>({4, a.latent_dim}, draw);
    const auto images = g.synthesis(g.broadcast(g.mapping(z)), stylegan::draw_noise<B>(a, 4, draw));
    CHECK(images.shape() == Shape{4, 3, resolution, resolution});
    CHECK(d(images).shape() == Shape{4});
  }
}

TEST_CASE("StyleGAN's generator, discriminator and R1 penalty agree across backends for one seed") {
  const auto a = tiny_architecture();
  auto run = [&]<Backend B>() {
    Rng rng(7);
    stylegan::Generator<B> g(a, rng, {});
    stylegan::Discriminator<B> d(a, rng, {});
    // Non-zero noise weights, so the noise inputs take part.
    for (auto& layer : g.synthesis.layers) layer.noise.weight.copy_(ops::full<B>(layer.noise.weight.shape(), 0.3));
    Rng draw(3);
    const auto z1 = ops::randn<B>({4, a.latent_dim}, draw), z2 = ops::randn<B>({4, a.latent_dim}, draw);
    const auto ws = stylegan::mix_styles(g.broadcast(g.mapping(z1)), g.broadcast(g.mapping(z2)), 3);
    const auto images = g.synthesis(ws, stylegan::draw_noise<B>(a, 4, draw));
    const auto logits = d(images);
    ops::sum(ops::softplus(-logits)).backward();  // the non-saturating generator loss
    std::vector<std::vector<float>> values{images.to_host(), logits.to_host()};
    std::vector<std::pair<std::string, std::vector<float>>> gradients;
    // A gradient that is identically zero may be left undefined (R1's in a bias before leaky ReLU).
    auto values_of = [](const Tensor<B>& p) {
      const Tensor<B> grad = p.grad();
      return grad.defined() ? grad.to_host() : std::vector<float>(p.numel(), 0.f);
    };
    for (const auto& p : nn::parameters<B>(g)) gradients.emplace_back("G " + p.name, values_of(p.tensor));
    for (auto& p : nn::parameters<B>(d)) {
      gradients.emplace_back("D " + p.name, values_of(p.tensor));
      p.tensor.zero_grad();
    }
    // R1 on "real" images differentiates the discriminator twice.
    const auto real = ops::randn<B>({4, 1, 32, 32}, draw);
    const auto r1 = losses::r1_penalty<B>(d, real, 10.0);
    r1.backward();
    values.push_back({static_cast<float>(r1.item())});
    for (const auto& p : nn::parameters<B>(d)) gradients.emplace_back("R1 " + p.name, values_of(p.tensor));
    return std::make_pair(values, gradients);
  };
  const auto [ours, our_gradients] = run.operator()<OneDnn>();
  const auto [theirs, their_gradients] = run.operator()<LibTorch>();
  for (size_t i = 0; i < ours.size(); ++i) {
    INFO("output " << i);
    CHECK(relative_error(ours[i], theirs[i]) < 1e-4);
  }
  REQUIRE(our_gradients.size() == their_gradients.size());
  // Errors are measured against the largest gradient of the network too: the first layer's bias
  // and noise weight have a true gradient of 0 (instance norm removes a constant shift and the
  // noise's scale), so both backends give float noise there.
  float largest = 0.f;
  for (const auto& [name, g] : their_gradients)
    for (float v : g) largest = std::max(largest, std::abs(v));
  for (size_t i = 0; i < our_gradients.size(); ++i) {
    INFO(our_gradients[i].first);
    const auto& mine = our_gradients[i].second;
    const auto& reference = their_gradients[i].second;
    REQUIRE(mine.size() == reference.size());
    float diff = 0.f, scale = 1e-3f * largest;
    for (size_t j = 0; j < mine.size(); ++j) {
      diff = std::max(diff, std::abs(mine[j] - reference[j]));
      scale = std::max(scale, std::abs(reference[j]));
    }
    CHECK(diff / scale < 1e-4);
  }
}

TEST_CASE("R1 on StyleGAN's discriminator matches central differences of D in the images and of R1 in the weights") {
  // The reference needs only forward passes: along each sample's own gradient direction u_i, the
  // directional difference of sum D is |grad_i|, so R1 = gamma/2 mean_i (D'(u_i))^2; random
  // directions check the rest of the gradient, and a random weight direction R1's own gradient.
  // LibTorch in float64 (tight), the oneDNN backend in float32 (differences at eps = 1e-2) for the
  // image gradient only: R1 steps where a weight change flips a leaky ReLU, so a difference in the
  // weights large enough to stand above float32's rounding is not a derivative (the oneDNN
  // backend's R1 weight gradients are compared with LibTorch's above).
  const auto a = tiny_architecture();
  auto check = [&]<Backend B>(DType dtype, double eps, double tolerance, bool weights) {
    const TensorOptions o{dtype, Device::cpu()};
    Rng rng(7);
    stylegan::Discriminator<B> d(a, rng, o);
    Rng draw(5);
    const Tensor<B> real = ops::randn<B>({4, 1, 32, 32}, draw, o);
    auto score = [&](const Tensor<B>& x) { return ops::sum(d(x)).item(); };
    auto along = [&](const Tensor<B>& v) { return (score(real + v * eps) - score(real - v * eps)) / (2 * eps); };

    Tensor<B> x = real.detach();
    x.requires_grad_();
    const Tensor<B> grad = ops::gradients<B>({ops::sum(d(x))}, {x})[0];
    const std::vector<double> g = grad.to_host_f64();
    const size_t per_sample = g.size() / 4;
    double expected_r1 = 0;
    for (size_t i = 0; i < 4; ++i) {
      std::vector<double> u(g.size(), 0.0);
      double norm = 0;
      for (size_t j = i * per_sample; j < (i + 1) * per_sample; ++j) norm += g[j] * g[j];
      norm = std::sqrt(norm);
      for (size_t j = i * per_sample; j < (i + 1) * per_sample; ++j) u[j] = g[j] / norm;
      const double slope = along(ops::from_host<B>(std::span<const double>(u), real.shape(), o));
      INFO("sample " << i);
      CHECK(slope == Approx(norm).epsilon(tolerance));
      expected_r1 += (10.0 / 2) * slope * slope / 4;  // gamma / 2 x the mean over the 4 samples
    }
    for (int k = 0; k < 3; ++k) {
      const Tensor<B> v = ops::randn<B>(real.shape(), draw, o);
      CHECK(along(v) == Approx(ops::sum(grad * v).item()).epsilon(tolerance).margin(tolerance * std::sqrt(g.size())));
    }

    const Tensor<B> r1 = losses::r1_penalty<B>(d, real, 10.0);
    CHECK(r1.item() == Approx(expected_r1).epsilon(2 * tolerance));
    if (!weights) return;
    auto parameters = nn::parameters<B>(d);
    for (auto& p : parameters) p.tensor.zero_grad();
    r1.backward();
    // R1's gradient in the weights against a central difference of R1 along a random direction.
    std::vector<Tensor<B>> start, direction;
    double predicted = 0;
    for (auto& p : parameters) {
      start.push_back(p.tensor.detach() * 1.0);  // a copy, not a view of the weights
      direction.push_back(ops::randn<B>(p.tensor.shape(), draw, o));
      if (p.tensor.grad().defined()) predicted += ops::sum(p.tensor.grad() * direction.back()).item();
    }
    auto r1_moved = [&](double step) {
      for (size_t i = 0; i < parameters.size(); ++i) parameters[i].tensor.copy_(start[i] + direction[i] * step);
      return losses::r1_penalty<B>(d, real, 10.0).item();
    };
    const double numeric = (r1_moved(eps) - r1_moved(-eps)) / (2 * eps);
    CHECK(predicted == Approx(numeric).epsilon(tolerance));
  };
  SECTION("LibTorch, float64") { check.operator()<LibTorch>(DType::f64, 1e-6, 1e-6, /*weights=*/true); }
  SECTION("oneDNN, float32") { check.operator()<OneDnn>(DType::f32, 1e-2, 2e-2, /*weights=*/false); }
}

TEST_CASE("a style-mixing crossover at layer k leaves the layers before k as they were and changes every layer from k on") {
  using B = OneDnn;
  const auto a = tiny_architecture();
  Rng rng(4);
  stylegan::Generator<B> g(a, rng, {});
  Rng draw(5);
  const auto ws_a = g.broadcast(g.mapping(ops::randn<B>({2, a.latent_dim}, draw)));
  const auto ws_b = g.broadcast(g.mapping(ops::randn<B>({2, a.latent_dim}, draw)));
  const auto noise = stylegan::draw_noise<B>(a, 2, draw);
  std::vector<Tensor<B>> unmixed;
  g.synthesis(ws_a, noise, &unmixed);
  for (int64_t k : {1, 4, 7}) {
    INFO("crossover " << k);
    std::vector<Tensor<B>> mixed;
    g.synthesis(stylegan::mix_styles(ws_a, ws_b, k), noise, &mixed);
    REQUIRE(mixed.size() == unmixed.size());
    for (int64_t i = 0; i < static_cast<int64_t>(mixed.size()); ++i) {
      INFO("layer " << i);
      CHECK((mixed[i].to_host() == unmixed[i].to_host()) == (i < k));
    }
  }
}

TEST_CASE("truncation moves the first layers' styles to w_avg + psi (w - w_avg), and psi = 0 gives w_avg for every z") {
  using B = OneDnn;
  const auto a = tiny_architecture();
  Rng rng(6);
  stylegan::Generator<B> g(a, rng, {});
  Rng draw(8);
  g.track_w_avg(g.mapping(ops::randn<B>({64, a.latent_dim}, draw)), 0.0);
  const auto w_avg = g.w_avg.value.to_host();
  const auto ws = g.broadcast(g.mapping(ops::randn<B>({3, a.latent_dim}, draw)));
  const auto original = ws.to_host();
  const int64_t L = a.synthesis_layers(), D = a.latent_dim;
  for (const auto& [psi, cutoff] : std::vector<std::pair<double, int64_t>>{{0.0, L}, {0.0, 3}, {0.7, 8}, {-1.0, 2}}) {
    INFO("psi " << psi << ", cutoff " << cutoff);
    const auto t = stylegan::truncate(ws, g.w_avg.value, psi, cutoff).to_host();
    for (int64_t n = 0; n < 3; ++n)
      for (int64_t l = 0; l < L; ++l)
        for (int64_t d = 0; d < D; ++d) {
          const size_t i = static_cast<size_t>((n * L + l) * D + d);
          const double expected = l < cutoff ? w_avg[d] + psi * (original[i] - w_avg[d]) : original[i];
          CHECK(t[i] == Approx(expected).margin(1e-6));
        }
  }
}

TEST_CASE("w_avg is the exponential moving average of the batch means of w") {
  using B = OneDnn;
  const auto a = tiny_architecture();
  Rng rng(9);
  stylegan::Generator<B> g(a, rng, {});
  Rng draw(10);
  const auto w1 = ops::randn<B>({5, a.latent_dim}, draw), w2 = ops::randn<B>({5, a.latent_dim}, draw);
  g.track_w_avg(w1, 0.995);
  g.track_w_avg(w2, 0.995);
  const auto m1 = ops::mean(w1, {0}).to_host(), m2 = ops::mean(w2, {0}).to_host(), w_avg = g.w_avg.value.to_host();
  for (int64_t d = 0; d < a.latent_dim; ++d) {
    const double first = m1[d] + (0.0 - m1[d]) * 0.995;  // from zeros
    CHECK(w_avg[d] == Approx(m2[d] + (first - m2[d]) * 0.995).margin(1e-6));
  }
}

TEST_CASE("every synthesis layer draws its own noise for every sample, and weighs it per channel") {
  using B = OneDnn;
  const auto a = tiny_architecture();
  Rng rng(11), draw(12);
  stylegan::Generator<B> g(a, rng, {});
  const auto noise = stylegan::draw_noise<B>(a, 2, draw);
  REQUIRE(noise.size() == g.synthesis.layers.size());
  auto correlation = [](std::span<const float> x, std::span<const float> y) {
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = 0; i < x.size(); ++i) xy += x[i] * y[i], xx += x[i] * x[i], yy += y[i] * y[i];
    return xy / std::sqrt(xx * yy);
  };
  // Pixels pooled over all layers, so that the bound below is tight even where a layer has 16:
  // sample 0 against sample 1, and each layer against the other layer of its resolution.
  std::vector<float> first_sample, second_sample, odd_layers, even_layers;
  for (size_t i = 0; i < noise.size(); ++i) {
    const int64_t side = a.layer_resolution(static_cast<int64_t>(i));
    CHECK(noise[i].shape() == Shape{2, 1, side, side});
    CHECK(g.synthesis.layers[i].noise.weight.shape() == Shape{g.synthesis.layers[i].bias.size(0)});
    const auto v = noise[i].to_host();
    const size_t plane = v.size() / 2;
    first_sample.insert(first_sample.end(), v.begin(), v.begin() + plane);
    second_sample.insert(second_sample.end(), v.begin() + plane, v.end());
    std::vector<float>& layers = i % 2 == 1 ? odd_layers : even_layers;
    layers.insert(layers.end(), v.begin(), v.end());
  }
  // Independent N(0, 1) draws: the correlation is within 4 standard errors (1/sqrt(pixels)) of 0.
  const double bound = 4.0 / std::sqrt(static_cast<double>(first_sample.size()));
  CHECK(std::abs(correlation(first_sample, second_sample)) < bound);
  CHECK(std::abs(correlation(odd_layers, even_layers)) < bound / std::sqrt(2.0));
}

TEST_CASE("every equalised layer is scaled by gain / sqrt(fan_in) x its learning-rate multiplier") {
  using B = OneDnn;
  const auto a = tiny_architecture();
  Rng rng(13);
  stylegan::Generator<B> g(a, rng, {});
  stylegan::Discriminator<B> d(a, rng, {});
  const double root2 = std::sqrt(2.0);
  for (const auto& dense : g.mapping.dense) {
    CHECK(dense.weight_scale == Approx(root2 / std::sqrt(16.0) * 0.01));
    CHECK(dense.bias_scale == Approx(0.01));
  }
  for (const auto& layer : g.synthesis.layers) {
    if (layer.conv) {
      const int64_t in = layer.conv->weight.size(1);
      CHECK(layer.conv->weight_scale == Approx(root2 / std::sqrt(in * 9.0)));
      CHECK(!layer.conv->bias.has_value());  // the bias comes after the noise
    }
    CHECK(layer.style.style.weight_scale == Approx(1.0 / std::sqrt(16.0)));  // style dense: gain 1
  }
  CHECK(g.synthesis.to_rgb.weight_scale == Approx(1.0 / std::sqrt(4.0)));  // 1x1 from 4 channels, gain 1
  CHECK(d.from_rgb.weight_scale == Approx(root2 / std::sqrt(1.0)));
  CHECK(d.conv.weight_scale == Approx(root2 / std::sqrt(17.0 * 9)));  // 16 channels and the stddev one
  CHECK(d.dense.weight_scale == Approx(root2 / std::sqrt(16.0 * 16)));
  CHECK(d.logit.weight_scale == Approx(1.0 / std::sqrt(16.0)));
}

TEST_CASE("the minibatch standard deviation appends each group's mean feature deviation as a channel") {
  using B = OneDnn;
  Rng rng(14);
  constexpr int64_t N = 8, C = 3, H = 2, W = 2, G = 4, M = N / G;
  const auto x = ops::randn<B>({N, C, H, W}, rng);
  const auto v = x.to_host();
  const auto y = stylegan::minibatch_stddev(x, G);
  REQUIRE(y.shape() == Shape{N, C + 1, H, W});
  const auto out = y.to_host();
  for (int64_t m = 0; m < M; ++m) {
    // Samples m, m + M, m + 2M, ... form group m (networks_stylegan.py reshapes to [G, M, ...]).
    double mean_deviation = 0;
    for (int64_t f = 0; f < C * H * W; ++f) {
      double mean = 0, square = 0;
      for (int64_t g = 0; g < G; ++g) mean += v[(g * M + m) * C * H * W + f] / G;
      for (int64_t g = 0; g < G; ++g) square += std::pow(v[(g * M + m) * C * H * W + f] - mean, 2) / G;
      mean_deviation += std::sqrt(square + 1e-8) / (C * H * W);
    }
    for (int64_t g = 0; g < G; ++g)
      for (int64_t p = 0; p < H * W; ++p) CHECK(out[((g * M + m) * (C + 1) + C) * H * W + p] == Approx(mean_deviation).epsilon(1e-5));
  }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < C * H * W; ++f) CHECK(out[n * (C + 1) * H * W + f] == v[n * C * H * W + f]);
  CHECK_THROWS_WITH(stylegan::minibatch_stddev(ops::randn<B>({6, C, H, W}, rng), 4),
                    Catch::Contains("6 samples does not split into groups of 4"));
}

TEST_CASE("StyleGAN training steps give the same losses on both backends, R1 and mixing included, and move the EMA generator") {
  const auto a = tiny_architecture();
  stylegan::StyleganConfig config = tiny_config();
  config.batch_size = 4;
  config.style_mixing = 1.0;
  config.r1_interval = 2;  // R1 on the first step, not on the second
  config.ema_kimg = 0.01;  // an EMA that moves visibly in two steps
  config.seed = 3;
  // 28x28 images, as Fashion-MNIST's, which the step pads to 32x32.
  data::Batch batch;
  batch.shape = {4, 1, 28, 28};
  batch.images.resize(4 * 28 * 28);
  Rng pixels(1);
  for (float& v : batch.images) v = static_cast<float>(2 * pixels.uniform() - 1);
  auto run = [&]<Backend B>() {
    stylegan::StyleganTraining<B> task(config, {});
    return std::vector<train::Values>{task.step(batch), task.step(batch)};
  };
  const auto ours = run.operator()<OneDnn>();
  const auto theirs = run.operator()<LibTorch>();
  for (size_t s = 0; s < ours.size(); ++s) {
    REQUIRE(ours[s].size() == theirs[s].size());
    for (size_t i = 0; i < ours[s].size(); ++i) {
      INFO("step " << s << ": " << ours[s][i].first);
      CHECK(ours[s][i].first == theirs[s][i].first);
      CHECK(ours[s][i].second == Approx(theirs[s][i].second).epsilon(1e-4).margin(1e-6));
    }
  }
  CHECK(ours[0].back().first == "r1");
  CHECK(ours[1].back().first != "r1");

  // After a step the EMA generator is decay x its first weights + (1 - decay) x the trained ones,
  // decay = 0.5^(batch / (ema_kimg x 1000)); its w_avg is the trained generator's buffer, copied.
  // (Its weights are not compared across backends: Adam with beta1 = 0 moves a parameter whose
  // gradient is float noise, a bias before instance norm, by lr in the noise's direction.)
  stylegan::StyleganTraining<OneDnn> task(config, {});
  const StateDict first = nn::state_dict(task.ema());
  task.step(batch);
  const StateDict trained = nn::state_dict(task.generator()), ema = nn::state_dict(task.ema());
  const double decay = std::pow(0.5, 4.0 / 10.0);
  for (const auto& [name, tensor] : ema) {
    INFO(name);
    const auto& start = first.at(name).values;
    const auto& live = trained.at(name).values;
    for (size_t i = 0; i < tensor.values.size(); ++i) {
      const double expected = name == "w_avg" ? live[i] : decay * start[i] + (1 - decay) * live[i];
      CHECK(tensor.values[i] == Approx(expected).margin(1e-6));
    }
  }
}

TEST_CASE("a short StyleGAN training narrows the logistic loss gap of a fresh discriminator between data and samples") {
  // The gap is 2 ln 2 - L, L the held-out logistic loss of a probe: a discriminator trained from
  // scratch for a few steps to tell the data from the EMA generator's images. A first generator's
  // images are easy to tell apart; after training they should be harder.
  using B = OneDnn;
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir.path(), 512, false);
  const auto train_set = data::read_idx_directory(dir.path(), data::Split::train);
  const auto test_set = data::read_idx_directory(dir.path(), data::Split::test);
  const data::BatchSampler train_batches(train_set, 16, Rng(2)), test_batches(test_set, 16, Rng(3));
  const auto a = tiny_architecture();
  stylegan::StyleganConfig config = tiny_config();
  config.batch_size = 16;
  config.r1_interval = 4;
  config.ema_kimg = 0.1;  // the EMA generator follows within a few steps
  config.seed = 5;
  stylegan::StyleganTraining<B> task(config, {});

  auto probe_gap = [&] {
    Rng rng(11);
    stylegan::Discriminator<B> probe(a, rng, {});
    optim::Adam<B> adam(nn::parameters<B>(probe), {.lr = 2e-3, .beta1 = 0.0, .beta2 = 0.99, .eps = 1e-8});
    Rng draw(13);
    auto fakes = [&] {
      NoGradGuard<B> no_grad;
      auto& g = task.ema();
      const auto z = ops::randn<B>({16, a.latent_dim}, draw);
      return g.synthesis(g.broadcast(g.mapping(z)), stylegan::draw_noise<B>(a, 16, draw));
    };
    auto real = [&](const data::BatchSampler& batches, int64_t index) {
      const data::Batch batch = batches.batch(0, index);
      return stylegan::at_resolution(ops::from_host<B>(std::span<const float>(batch.images), batch.shape), 32);
    };
    auto loss = [&](const Tensor<B>& data, const Tensor<B>& samples) {
      return ops::mean(ops::softplus(probe(samples))) + ops::mean(ops::softplus(-probe(data)));
    };
    for (int64_t step = 0; step < 40; ++step) {
      const Tensor<B> l = loss(real(train_batches, step % 32), fakes());
      adam.zero_grad();
      l.backward();
      adam.step();
    }
    NoGradGuard<B> no_grad;
    double held_out = 0;
    for (int64_t k = 0; k < 4; ++k) held_out += loss(real(test_batches, k), fakes()).item() / 4;
    return 2 * std::log(2.0) - held_out;
  };

  const double before = probe_gap();
  for (int64_t step = 0; step < 400; ++step) task.step(train_batches.batch(step / 32, step % 32));
  const double after = probe_gap();
  INFO("gap " << before << " -> " << after);
  CHECK(after < 0.7 * before);  // measured: 1.36 -> 0.63
}

TEST_CASE("StyleGAN's samples for evaluation are the central 28x28 of a network trained on padded 28x28 images") {
  using B = OneDnn;
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir.path() / "data", 16, false);
  stylegan::StyleganConfig config;
  config.data = (dir.path() / "data").string();
  config.latent_dim = 8;
  config.fmap_base = 16;
  config.fmap_max = 8;
  config.batch_size = 8;
  config.steps = 1;
  config.threads = 1;
  const auto run = dir.path() / "run.h5";
  train::RunOptions options;
  options.out = run;
  stylegan::train<B>(config, options);
  const data::Batch samples = stylegan::generate<B>(run, 3, 7, "cpu");
  CHECK(samples.shape == Shape{3, 1, 28, 28});
  // The same latents and noise (the sampling stream of seed 7) through the 32x32 EMA generator.
  const train::TrainedRun trained = train::read_trained_run(run, "stylegan", "StyleGAN");
  Rng unused(0);
  stylegan::Generator<B> g(config.architecture(), unused, {});
  nn::load_state_dict(g, train::group(trained.checkpoint, "generator_ema"));
  Rng rng = Rng(7).fork(streams::sample_noise);
  NoGradGuard<B> no_grad;
  const auto z = ops::randn<B>({3, config.latent_dim}, rng);
  const auto full = g.synthesis(g.broadcast(g.mapping(z)), stylegan::draw_noise<B>(config.architecture(), 3, rng)).to_host();
  float largest_difference = 0.f;
  for (int n = 0; n < 3; ++n)
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x)
        largest_difference = std::max(largest_difference, std::abs(samples.images[(n * 28 + y) * 28 + x] -
                                                                   full[(n * 32 + y + 2) * 32 + x + 2]));
  CHECK(largest_difference == 0.f);
}

TEST_CASE("StyleGAN refuses images of another size and batches that do not split into stddev groups") {
  using B = OneDnn;
  CHECK_THROWS_WITH(stylegan::at_resolution(ops::zeros<B>({1, 1, 20, 20}), 32),
                    Catch::Contains("set up for 32x32 images, not 20x20"));
  CHECK(stylegan::at_resolution(ops::zeros<B>({1, 1, 28, 28}), 32).shape() == Shape{1, 1, 32, 32});
  stylegan::StyleganConfig config;
  config.batch_size = 6;
  config.latent_dim = 8;
  config.fmap_base = 16;
  config.fmap_max = 8;
  CHECK_THROWS_WITH(stylegan::StyleganTraining<B>(config, {}), Catch::Contains("--mbstd-group"));
}
