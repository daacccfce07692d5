// PGA: each loss term against a hand computation, the Jacobian estimate against the true
// log-determinant, the gradient routing of the encoder/decoder split and of VPGA's vrec, the two
// backends against each other, and a short run that learns.
#include <catch2/catch.hpp>

#include <cmath>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/data/batches.hpp"
#include "genlab/data/idx.hpp"
#include "models/pga/training.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::TemporaryDirectory;

namespace {

template <Backend B>
Tensor<B> tensor(std::vector<float> values, const Shape& shape) {
  return ops::from_host<B>(std::span<const float>(values), shape, TensorOptions{});
}

pga::PgaConfig tiny_config(const std::string& variant) {
  pga::PgaConfig c;
  c.variant = variant;
  c.width = 8;
  c.latent_dim = 3;
  c.seed = 11;
  c.warmup_steps = 0;
  c.lr = 0.01;
  return c;
}

data::Batch synthetic_batch(int64_t n, int64_t first = 0) {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir.path(), static_cast<uint32_t>(first + n), false);
  const auto dataset = data::read_idx_directory(dir.path(), data::Split::train);
  return data::BatchSampler(dataset, n, Rng(1)).batch(0, 0);
}

template <Backend B>
std::vector<std::vector<float>> values_of(const std::vector<nn::NamedTensor<B>>& parameters) {
  std::vector<std::vector<float>> out;
  for (const auto& p : parameters) out.push_back(p.tensor.to_host());
  return out;
}

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, std::abs(static_cast<double>(x)));
  return m;
}

template <Backend B>
void check_hand_computed_terms() {
  // nll_enc = mean_n(|h_n|^2 / 2) / d + log(2 pi) / 2 with |h|^2 = 5 and 1, d = 2.
  const auto h = tensor<B>({1, 2, 0, -1}, {2, 2});
  CHECK(pga::nll_encoder(h).item() == Approx((2.5 + 0.5) / 2 / 2 + 0.5 * std::log(2 * M_PI)).epsilon(1e-6));

  // mean_kl: the element-wise mean of (mu^2 + e^lv - lv - 1) / 2.
  const std::vector<float> mu{0.5f, -1.f, 0.f, 2.f}, lv{0.f, -1.f, 0.5f, 0.2f};
  double expected = 0;
  for (int i = 0; i < 4; ++i) expected += 0.5 * (mu[i] * mu[i] + std::exp(lv[i]) - lv[i] - 1);
  CHECK(pga::mean_kl(tensor<B>(mu, {2, 2}), tensor<B>(lv, {2, 2})).item() == Approx(expected / 4).epsilon(1e-6));

  // nll_dec of f(z) = 3 z on d = 2 with directions (3, 4) and (0, -2): every |J u|^2 = 9, so each
  // term is d/2 log 9 and the mean divided by d is log(9) / 2 = log 3, whatever eps.
  const auto f = [](const Tensor<B>& z) { return z * 3.0; };
  const auto directions = tensor<B>({3, 4, 0, -2}, {2, 2});
  for (double eps : {1e-1, pga::jacobian_step(2)})
    CHECK(pga::nll_decoder(f, h, directions, eps).item() == Approx(std::log(3.0)).epsilon(1e-4));
}

}  // namespace

TEST_CASE("PGA's loss terms match hand computations on both backends") {
  SECTION("oneDNN") { check_hand_computed_terms<OneDnn>(); }
  SECTION("LibTorch") { check_hand_computed_terms<LibTorch>(); }
}

TEST_CASE("LPGA's Jacobian term gives log |det J| for a scaled rotation and approaches d/2 log |J u|^2 as eps -> 0") {
  using B = LibTorch;
  const int64_t d = 4;
  // f(z) = c Q z with Q the rotation by 0.7 rad in the planes (0, 1) and (2, 3): log |det| = d log c.
  const double c = 1.7, co = std::cos(0.7), si = std::sin(0.7);
  const auto q = ops::from_host<B>(std::span<const double>(std::vector<double>{co, -si, 0, 0, si, co, 0, 0, 0, 0, co, -si, 0, 0, si, co}),
                                   {d, d}, {DType::f64});
  const auto z = ops::from_host<B>(std::span<const double>(std::vector<double>{0.3, -1.2, 0.5, 2.0}), {1, d}, {DType::f64});
  const auto u = ops::from_host<B>(std::span<const double>(std::vector<double>{0.1, 0.7, -0.4, 0.2}), {1, d}, {DType::f64});
  const auto linear = [&](const Tensor<B>& x) { return ops::matmul(x, q) * c; };
  CHECK(pga::nll_decoder(linear, z, u, pga::jacobian_step(d)).item() * d == Approx(d * std::log(c)).epsilon(1e-12));

  // A nonlinear map f(z) = tanh(c Q z): the estimate converges to d/2 log |J u|^2 / d with
  // J = diag(1 - tanh^2(c Q z)) c Q, with an error that falls like eps.
  const auto nonlinear = [&](const Tensor<B>& x) { return ops::tanh(ops::matmul(x, q) * c); };
  const auto y = ops::matmul(z, q) * c;
  const auto unit = u / ops::sqrt(ops::sum(ops::square(u), {1}, true));
  const auto ju = (1.0 - ops::square(ops::tanh(y))) * ops::matmul(unit, q) * c;
  const double exact = 0.5 * std::log(ops::sum(ops::square(ju)).item());
  double previous_error = 1e9;
  for (double eps : {1e-1, 1e-2, 1e-3, 1e-4}) {
    const double error = std::abs(pga::nll_decoder(nonlinear, z, u, eps).item() - exact);
    INFO("eps " << eps << " error " << error);
    CHECK(error < previous_error / 5);
    previous_error = error;
  }
  CHECK(previous_error < 1e-4);
}

TEST_CASE("PGA's encoder receives exactly the gradient of enc_loss and its decoder that of dec_loss") {
  const auto batch = synthetic_batch(8);
  for (const std::string variant : {"lpga", "vpga"}) {
    INFO(variant);
    auto config = tiny_config(variant);
    config.lr = 1;  // large moves, so that (before - after) / lr keeps float32's precision
    const auto x = ops::from_host<OneDnn>(std::span<const float>(batch.images), batch.shape, TensorOptions{});
    // One SGD step from zero momentum moves each parameter by -lr times its gradient.
    pga::PgaTraining<OneDnn> stepped(config, {});
    const auto encoder_before = values_of(nn::parameters<OneDnn>(stepped.encoder()));
    const auto decoder_before = values_of(nn::parameters<OneDnn>(stepped.decoder()));
    stepped.step(batch);
    const auto encoder_after = values_of(nn::parameters<OneDnn>(stepped.encoder()));
    const auto decoder_after = values_of(nn::parameters<OneDnn>(stepped.decoder()));

    // The same seed draws the same noise: each loss alone, by backward(), on fresh copies.
    auto gradients_of = [&](bool encoder_loss, bool of_encoder) {
      pga::PgaTraining<OneDnn> fresh(config, {});
      const auto losses = fresh.losses(x);
      (encoder_loss ? losses.encoder : losses.decoder).backward();
      std::vector<std::vector<float>> out;
      for (const auto& p : of_encoder ? nn::parameters<OneDnn>(fresh.encoder()) : nn::parameters<OneDnn>(fresh.decoder()))
        out.push_back(p.tensor.grad().defined() ? p.tensor.grad().to_host() : std::vector<float>(numel(p.tensor.shape()), 0.f));
      return out;
    };
    const auto encoder_gradients = gradients_of(true, true), decoder_gradients = gradients_of(false, false);
    const auto decoder_from_encoder_loss = gradients_of(true, false);
    auto check_moves = [&](const auto& before, const auto& after, const auto& gradients) {
      double worst = 0;
      for (size_t i = 0; i < before.size(); ++i) {
        const double scale = 1e-3 + max_abs(gradients[i]);
        for (size_t k = 0; k < before[i].size(); ++k) {
          const double moved = (before[i][k] - after[i][k]) / config.lr;
          worst = std::max(worst, std::abs(moved - gradients[i][k]) / scale);
        }
      }
      CHECK(worst < 1e-3);
    };
    check_moves(encoder_before, encoder_after, encoder_gradients);
    check_moves(decoder_before, decoder_after, decoder_gradients);
    // And the split matters: enc_loss would move the decoder differently from dec_loss.
    double gap = 0;
    for (size_t i = 0; i < decoder_gradients.size(); ++i)
      for (size_t k = 0; k < decoder_gradients[i].size(); ++k)
        gap = std::max(gap, static_cast<double>(std::abs(decoder_gradients[i][k] - decoder_from_encoder_loss[i][k])));
    CHECK(gap > 1e-4);
  }
}

TEST_CASE("VPGA's vrec gives the encoder's weights no gradient but reaches the decoder through the encoder") {
  using B = OneDnn;
  const auto config = tiny_config("vpga").resolved();
  Rng rng(3);
  pga::Encoder<B> encoder(config, true, rng, {});
  pga::Decoder<B> decoder(config, rng, {});
  const auto mu = ops::randn<B>({6, config.latent_dim}, rng);
  const auto noise = ops::randn<B>({6, config.latent_dim}, rng) * 0.3;
  auto largest_gradients = [&](const Tensor<B>& loss) {
    for (auto p : nn::parameters<B>(encoder)) p.tensor.zero_grad();
    for (auto p : nn::parameters<B>(decoder)) p.tensor.zero_grad();
    loss.backward();
    std::pair<double, double> largest{0, 0};
    for (const auto& p : nn::parameters<B>(encoder))
      if (p.tensor.grad().defined()) largest.first = std::max(largest.first, max_abs(p.tensor.grad().to_host()));
    for (const auto& p : nn::parameters<B>(decoder))
      if (p.tensor.grad().defined()) largest.second = std::max(largest.second, max_abs(p.tensor.grad().to_host()));
    return largest;
  };
  const auto vrec = pga::perturbed_reconstruction(encoder, decoder, mu, noise);
  CHECK(vrec.item() > 0);
  const auto [encoder_gradient, decoder_gradient] = largest_gradients(vrec);
  INFO("vrec: encoder " << encoder_gradient << " decoder " << decoder_gradient);
  CHECK(decoder_gradient > 0);
  CHECK(encoder_gradient <= 1e-6 * decoder_gradient);
  // The same comparison through the plain round trip does reach the encoder's weights.
  const auto plain = losses::mse(pga::round_trip(encoder, decoder, mu.detach()), pga::round_trip(encoder, decoder, mu.detach() + noise));
  const auto [plain_encoder, plain_decoder] = largest_gradients(plain);
  INFO("plain: encoder " << plain_encoder << " decoder " << plain_decoder);
  CHECK(plain_encoder > 1e-3 * plain_decoder);
}

TEST_CASE("PGA's variants agree between the backends for their first steps") {
  const auto batch = synthetic_batch(8);
  for (const std::string variant : {"lpga", "vpga", "vae"}) {
    INFO(variant);
    const auto config = tiny_config(variant);
    pga::PgaTraining<OneDnn> ours(config, {});
    pga::PgaTraining<LibTorch> torch(config, {});
    for (int step = 0; step < 3; ++step) {
      const auto a = ours.step(batch), b = torch.step(batch);
      REQUIRE(a.size() == b.size());
      for (size_t i = 0; i < a.size(); ++i) {
        INFO("step " << step << " " << a[i].first << " " << a[i].second << " vs " << b[i].second);
        CHECK(a[i].first == b[i].first);
        CHECK(std::abs(a[i].second - b[i].second) <= 1e-3 * std::abs(b[i].second) + 1e-6);
      }
    }
  }
}

TEST_CASE("A short PGA run lowers the reconstruction loss on both backends") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir.path(), 256, false);
  const auto dataset = data::read_idx_directory(dir.path(), data::Split::train);
  const data::BatchSampler batches(dataset, 32, Rng(2));
  auto rec_losses = [&]<Backend B>() {
    pga::PgaTraining<B> task(tiny_config("lpga"), {});
    std::vector<double> rec;
    for (int64_t step = 0; step < 40; ++step) rec.push_back(task.step(batches.batch(0, step % 8)).front().second);
    return rec;
  };
  const auto ours = rec_losses.operator()<OneDnn>(), torch = rec_losses.operator()<LibTorch>();
  for (const auto& rec : {ours, torch}) {
    const double first = (rec[0] + rec[1]) / 2, last = (rec[38] + rec[39]) / 2;
    INFO("rec " << first << " -> " << last);
    CHECK(last < 0.5 * first);
  }
}
