// DCGAN: the model is the same on both backends, from its first weights through a training step
// to a resumed run.
#include <catch2/catch.hpp>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "genlab/data/idx.hpp"
#include "models/dcgan/dcgan.hpp"
#include "models/dcgan/training.hpp"
#include "tests/support/backend_agreement.hpp"
#include "tests/support/finite_differences.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using genlab::testing::relative_error;
using genlab::testing::TemporaryDirectory;

namespace {

dcgan::DcganConfig small_config() {
  dcgan::DcganConfig c;
  c.width = 16;
  c.batch_size = 16;
  c.seed = 5;
  return c;
}

template <Backend B>
StateDict weights(dcgan::DcganTraining<B>& task) {
  StateDict all = nn::state_dict(task.generator(), "generator");
  all.merge(nn::state_dict(task.discriminator(), "discriminator"));
  return all;
}

data::Batch synthetic_batch(int64_t n) {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir.path(), static_cast<uint32_t>(n), false);
  const auto dataset = data::read_idx_directory(dir.path(), data::Split::train);
  return data::BatchSampler(dataset, n, Rng(1)).batch(0, 0);
}

}  // namespace

TEST_CASE("DCGAN: the same seed gives identical initial weights on both backends") {
  const auto config = small_config();
  dcgan::DcganTraining<OneDnn> ours(config, {});
  dcgan::DcganTraining<LibTorch> torch(config, {});
  const auto a = weights(ours), b = weights(torch);
  REQUIRE(a.size() == b.size());
  CHECK(a.size() == (4 + 3 * 4) + (4 + 2 * 4));  // convolutions and batch norms (weight, bias, 2 statistics)
  for (const auto& [name, tensor] : a) {
    INFO(name);
    REQUIRE(b.count(name) == 1);
    CHECK(tensor.shape == b.at(name).shape);
    CHECK(tensor.values == b.at(name).values);
  }
  CHECK(a.at("generator.deconv.0.weight").shape == Shape{100, 64, 4, 4});
  CHECK(a.at("discriminator.conv.3.weight").shape == Shape{1, 64, 3, 3});
}

template <Backend B>
StateDict gradients(dcgan::DcganTraining<B>& task) {
  StateDict all;
  auto collect = [&](const std::string& name, Tensor<B>& p) { all[name] = HostTensor{p.shape(), p.grad().to_host()}; };
  nn::for_each_parameter(task.generator(), collect, "generator");
  nn::for_each_parameter(task.discriminator(), collect, "discriminator");
  return all;
}

TEST_CASE("DCGAN: one training step gives the same losses, gradients and parameter updates on both backends") {
  const auto config = small_config();
  dcgan::DcganTraining<OneDnn> ours(config, {});
  dcgan::DcganTraining<LibTorch> torch(config, {});
  const auto before = weights(ours);
  const auto batch = synthetic_batch(config.batch_size);
  const auto losses_ours = ours.step(batch);
  const auto losses_torch = torch.step(batch);
  REQUIRE(losses_ours.size() == losses_torch.size());
  for (size_t i = 0; i < losses_ours.size(); ++i) {
    INFO(losses_ours[i].first);
    CHECK(losses_ours[i].second == Approx(losses_torch[i].second).epsilon(1e-3));
  }
  // After the step the generator holds the gradient of its loss, the discriminator the sum of
  // the gradients of both losses (zero_grad comes before each backward).
  const auto grads_ours = gradients(ours), grads_torch = gradients(torch);
  const auto after_ours = weights(ours), after_torch = weights(torch);
  for (const auto& [name, g] : grads_torch) {
    INFO(name);
    CHECK(relative_error(grads_ours.at(name).values, g.values) < 1e-4);
    CHECK(relative_error(after_ours.at(name).values, after_torch.at(name).values) < 1e-3);
    // Adam's first update is lr g / (|g| + eps): where |g| is near eps it magnifies float noise in
    // g, so updates are compared where the step is well conditioned, against the learning rate.
    const auto& start = before.at(name).values;
    double worst = 0;
    for (size_t i = 0; i < start.size(); ++i)
      if (std::abs(g.values[i]) >= 100 * 1e-8) {
        const double update_ours = after_ours.at(name).values[i] - start[i];
        const double update_torch = after_torch.at(name).values[i] - start[i];
        worst = std::max(worst, std::abs(update_ours - update_torch) / config.lr);
      }
    CHECK(worst < 1e-3);
  }
}

TEST_CASE("DCGAN 64x64 RGB: the paper's layer table, identical weights and one matching step on both backends") {
  auto config = small_config();
  config.image_size = 64;
  config.channels = 3;
  config.width = 8;
  config.batch_size = 4;
  dcgan::DcganTraining<OneDnn> ours(config, {});
  dcgan::DcganTraining<LibTorch> torch(config, {});
  const auto a = weights(ours), b = weights(torch);
  CHECK(a.at("generator.deconv.0.weight").shape == Shape{100, 64, 4, 4});
  CHECK(a.at("generator.deconv.4.weight").shape == Shape{8, 3, 4, 4});
  CHECK(a.at("discriminator.conv.4.weight").shape == Shape{1, 64, 4, 4});
  for (const auto& [name, tensor] : a) CHECK(tensor.values == b.at(name).values);
  data::Batch batch;
  batch.shape = {4, 3, 64, 64};
  batch.images.resize(4 * 3 * 64 * 64);
  Rng(2).fill_uniform(std::span<float>(batch.images), -1.0, 1.0);
  const auto l1 = ours.step(batch), l2 = torch.step(batch);
  for (size_t i = 0; i < l1.size(); ++i) CHECK(l1[i].second == Approx(l2[i].second).epsilon(1e-3));
}

TEST_CASE("DCGAN: discriminator gradients agree with finite differences (LibTorch, float64)") {
  auto discriminator = []<class B>(std::vector<Tensor<B>>& in) {
    dcgan::DcganConfig c;
    c.width = 2;
    Rng rng(3);
    dcgan::Discriminator<B> d(c, rng, in[0].options());
    return d(in[0]);
  };
  genlab::testing::check_gradients_by_finite_differences({{2, 1, 28, 28}}, discriminator, 1e-5);
}

TEST_CASE("DCGAN: a resumed run continues with the same losses as an uninterrupted one") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 48, true);
  auto config = small_config();
  config.data = (dir / "data").string();
  config.log_every = 1;
  config.checkpoint_every = 3;
  config.steps = 7;  // crosses an epoch boundary (3 batches of 16 per epoch)

  dcgan::train<OneDnn>(config, {dir / "whole.h5"});
  config.steps = 3;
  dcgan::train<OneDnn>(config, {dir / "resumed.h5"});
  config.steps = 7;
  const auto summary = dcgan::train<OneDnn>(config, {dir / "resumed.h5", /*resume=*/true});
  CHECK(summary.end.step == 7);
  CHECK(summary.end.epoch == 2);

  const auto whole = io::RunFile::open(dir / "whole.h5");
  const auto resumed = io::RunFile::open(dir / "resumed.h5");
  for (const std::string name : {"loss_d", "loss_g", "d_real", "d_fake"}) {
    const auto a = whole.scalars(name), b = resumed.scalars(name);
    REQUIRE(a.size() == 7);
    REQUIRE(b.size() == 7);
    for (size_t i = 0; i < a.size(); ++i) {
      INFO(name << " at step " << a[i].step);
      CHECK(b[i].step == a[i].step);
      CHECK(b[i].value == Approx(a[i].value).epsilon(1e-5));
    }
  }
}

TEST_CASE("DCGAN: sampling writes a grid from a run file, also as interpolation rows") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 32, false);
  auto config = small_config();
  config.data = (dir / "data").string();
  config.steps = 2;
  dcgan::train<OneDnn>(config, {dir / "run.h5"});
  dcgan::SampleConfig sample;
  sample.checkpoint = (dir / "run.h5").string();
  sample.grid = "3x5";
  sample.interpolate = true;
  sample.out = (dir / "grid.png").string();
  dcgan::sample<OneDnn>(sample);
  const auto image = io::read_image(dir / "grid.png");
  CHECK(image.width == 5 * 28 + 6 * 2);
  CHECK(image.height == 3 * 28 + 4 * 2);
  sample.backend = "libtorch";
  sample.out = (dir / "grid-torch.png").string();
  dcgan::sample<LibTorch>(sample);
  const auto torch_image = io::read_image(dir / "grid-torch.png");
  int differing = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i) differing += std::abs(image.pixels[i] - torch_image.pixels[i]) > 1;
  CHECK(differing == 0);  // the same checkpoint and seed give the same picture on both backends
}
