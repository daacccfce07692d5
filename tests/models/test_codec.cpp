// The codec: the checkerboard and the coding order against direct computations, the two-pass
// training parameters against the coder's, the backends against each other on the whole model,
// exact round trips of real files at odd sizes, decoding across backends and thread counts, and
// damaged files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "backends/libtorch/libtorch_backend.hpp"
#include "backends/onednn/onednn_backend.hpp"
#include "models/codec/image_coder.hpp"
#include "models/codec/rate_control.hpp"
#include "models/codec/semantic_loss.hpp"
#include "tests/models/codec_fixtures.hpp"
#include "tests/support/backend_agreement.hpp"

using namespace genlab;
using genlab::testing::photo_like;
using genlab::testing::relative_error;
using genlab::testing::tiny_codec_architecture;

namespace {

template <Backend B>
codec::Codec<B> tiny_codec(uint64_t seed = 5, const std::string& transforms = "gdn") {
  Rng rng(seed);
  codec::Codec<B> model(tiny_codec_architecture(transforms), rng, {});
  if (model.analysis.gdn) {
    // A fresh GDN analysis gives latents of about 0.05, which all round to their means; spread
    // them over several quantisation bins, as training does, so that coding has work to do.
    NoGradGuard<B> no_grad;
    Tensor<B>& last = model.analysis.gdn->down.back().weight;
    last.copy_(last * 30.0);
  }
  return model;
}

template <Backend B>
Tensor<B> image_batch(const std::vector<io::Image>& images) {
  std::vector<float> values;
  for (const auto& image : images) {
    const int64_t plane = int64_t{image.width} * image.height;
    for (int c = 0; c < 3; ++c)
      for (int64_t q = 0; q < plane; ++q) values.push_back(image.pixels[q * 3 + c] / 127.5f - 1.f);
  }
  return ops::from_host<B>(std::span<const float>(values),
                           {static_cast<int64_t>(images.size()), 3, images[0].height, images[0].width}, {});
}

int largest_pixel_difference(const io::Image& a, const io::Image& b) {
  REQUIRE(a.pixels.size() == b.pixels.size());
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) worst = std::max(worst, std::abs(int{a.pixels[i]} - int{b.pixels[i]}));
  return worst;
}

}  // namespace

TEST_CASE("the checkerboard kernel keeps exactly the taps of the other parity, and a non-anchor's context reads only anchors") {
  const auto mask = codec::checkerboard_kernel_mask(5);
  for (int ky = 0; ky < 5; ++ky)
    for (int kx = 0; kx < 5; ++kx) CHECK(mask[ky * 5 + kx] == (std::abs(ky - 2 + kx - 2) % 2 == 1 ? 1.f : 0.f));
  CHECK(std::count(mask.begin(), mask.end(), 1.f) == 12);
  CHECK(codec::is_anchor(0, 0));
  CHECK_FALSE(codec::is_anchor(0, 1));

  using B = OneDnn;
  Rng rng(3);
  const codec::CheckerboardContext<B> context(3, rng, {});
  const int64_t h = 7, w = 6;
  std::vector<float> x(3 * h * w);
  rng.fill_normal(std::span<float>(x));
  const auto out = context(ops::from_host<B>(std::span<const float>(x), {1, 3, h, w})).to_host();
  // The definition: at a non-anchor, the bias plus the weights of the odd-offset taps times the
  // anchors they fall on.
  const auto weight = context.conv.weight.to_host(), bias = context.conv.bias->to_host();
  double worst = 0;
  for (int64_t o = 0; o < 6; ++o)
    for (int64_t r = 0; r < h; ++r)
      for (int64_t c = 0; c < w; ++c) {
        if (codec::is_anchor(r, c)) continue;
        double expected = bias[o];
        for (int64_t i = 0; i < 3; ++i)
          for (int64_t dy = -2; dy <= 2; ++dy)
            for (int64_t dx = -2; dx <= 2; ++dx) {
              const int64_t rr = r + dy, cc = c + dx;
              if (rr < 0 || rr >= h || cc < 0 || cc >= w || !codec::is_anchor(rr, cc)) continue;
              expected += weight[((o * 3 + i) * 5 + dy + 2) * 5 + dx + 2] * x[(i * h + rr) * w + cc];
            }
        worst = std::max(worst, std::abs(expected - out[(o * h + r) * w + c]));
      }
  CHECK(worst < 1e-5);
}

TEST_CASE("the coder visits the groups in order, anchors before non-anchors, and every latent exactly once") {
  auto model = tiny_codec<OneDnn>();
  const codec::ImageCoder<OneDnn> coder(model, 1);
  const int64_t h = 4, w = 5, m = model.architecture.latent_channels;
  codec::exact::FeatureMap psi(2 * m, h, w);
  std::vector<std::tuple<int64_t, codec::Pass, int64_t>> visits;
  std::set<std::tuple<int64_t, int64_t>> seen;  // (channel, position)
  coder.path().run(psi, [&](const codec::PassParameters& p) {
    visits.emplace_back(p.group, p.pass, p.first_channel);
    for (int64_t c = 0; c < p.channels; ++c)
      for (const int64_t q : p.positions) {
        CHECK(codec::is_anchor(q / w, q % w) == (p.pass == codec::Pass::anchors));
        CHECK(seen.insert({p.first_channel + c, q}).second);
      }
    CHECK(static_cast<int64_t>(p.means.size()) == p.channels * static_cast<int64_t>(p.positions.size()));
    return std::vector<float>(p.means.size(), 0.f);
  });
  const std::vector<int64_t> groups = model.architecture.groups;  // 4, 4, 8 and the rest, 8
  REQUIRE(groups == std::vector<int64_t>{4, 4, 8, 8});
  REQUIRE(visits.size() == 2 * groups.size());
  int64_t first = 0;
  for (size_t k = 0; k < groups.size(); ++k) {
    CHECK(visits[2 * k] == std::make_tuple(int64_t(k), codec::Pass::anchors, first));
    CHECK(visits[2 * k + 1] == std::make_tuple(int64_t(k), codec::Pass::nonanchors, first));
    first += groups[k];
  }
  CHECK(static_cast<int64_t>(seen.size()) == m * h * w);
}

TEST_CASE("the two-pass training parameters of every group equal the coder's, and so do the likelihoods") {
  using B = OneDnn;
  auto model = tiny_codec<B>();
  const codec::ImageCoder<B> coder(model, 1);
  const io::Image image = photo_like(128, 64, 3, 1);
  NoGradGuard<B> no_grad;
  const Tensor<B> x = image_batch<B>({image});
  const Tensor<B> y = model.analysis(x);
  const Tensor<B> z_hat = model.hyper_prior(model.hyper_analysis(y)).values;
  const auto trained = model.context(y, model.hyper_parameters(z_hat));

  const auto encoded = coder.encode(image);
  // The coder's z_hat is the backend's rounding around the same medians.
  CHECK(relative_error(encoded.latents.z_hat.values, z_hat.to_host()) < 1e-6);
  const auto psi = coder.path().hyper_parameters(encoded.latents.z_hat);
  CHECK(relative_error(psi.values, model.hyper_parameters(z_hat).to_host()) < 1e-5);
  const Shape shape = y.shape();
  std::vector<float> means(numel(shape)), scales(numel(shape));
  const int64_t plane = shape[2] * shape[3];
  coder.path().run(psi, [&](const codec::PassParameters& p) {
    std::vector<float> values;
    for (size_t i = 0; i < p.means.size(); ++i) {
      const int64_t c = p.first_channel + static_cast<int64_t>(i / p.positions.size());
      const int64_t q = p.positions[i % p.positions.size()];
      means[c * plane + q] = p.means[i];
      scales[c * plane + q] = p.scales[i];
      values.push_back(encoded.latents.y_hat.values[c * plane + q]);
    }
    return values;
  });
  const auto starts = model.context.group_starts();
  for (size_t k = 0; k < starts.size(); ++k) {
    INFO("group " << k);
    const int64_t begin = starts[k] * plane, end = (starts[k] + model.context.groups[k]) * plane;
    const auto slice = [&](const std::vector<float>& v) { return std::vector<float>(v.begin() + begin, v.begin() + end); };
    CHECK(relative_error(slice(means), slice(trained.means.to_host())) < 1e-4);
    CHECK(relative_error(slice(scales), slice(trained.scales.to_host())) < 1e-4);
  }
  // The same latents and likelihoods (rounding flips at exact half-integers aside, which random
  // weights do not produce).
  CHECK(relative_error(encoded.latents.y_hat.values, trained.y_hat.to_host()) < 1e-4);
  const auto tensor = [&](const std::vector<float>& v) { return ops::from_host<B>(std::span<const float>(v), shape); };
  const auto coder_likelihoods = model.gaussian.likelihood(tensor(encoded.latents.y_hat.values), tensor(scales), tensor(means));
  const auto trained_likelihoods = model.gaussian.likelihood(trained.y_hat, trained.scales, trained.means);
  CHECK(relative_error(coder_likelihoods.to_host(), trained_likelihoods.to_host()) < 1e-4);
}

TEST_CASE("both backends agree on the whole codec's forward pass, rates, distortion and gradients") {
  const std::string transforms = GENERATE("gdn", "hific");
  INFO(transforms << " transforms");
  const std::vector<io::Image> images{photo_like(64, 64, 3, 2), photo_like(64, 64, 3, 3)};
  auto run = [&]<Backend B>() {
    auto model = tiny_codec<B>(5, transforms);
    const codec::SemanticDistortion<B> distortion({10, 1, 80}, 2, 16, "", 9, {});
    Rng noise(4);
    const Tensor<B> x = image_batch<B>(images);
    const auto out = model.train_forward(x, noise);
    const auto d = distortion(out.x_hat, x);
    const Tensor<B> loss = ops::mean(out.y_bits + out.z_bits) / 4096.0 + d.total;
    loss.backward();
    std::vector<std::vector<float>> values{out.x_hat.to_host(), out.y_bits.to_host(), out.z_bits.to_host(),
                                           out.y_bits_rounded.to_host(), std::vector<float>{float(d.total.item())}};
    std::vector<std::pair<std::string, std::vector<float>>> gradients;
    for (const auto& p : nn::parameters<B>(model))
      gradients.emplace_back(p.name, p.tensor.grad().defined() ? p.tensor.grad().to_host() : std::vector<float>());
    return std::make_pair(values, gradients);
  };
  const auto [ours, our_gradients] = run.operator()<OneDnn>();
  const auto [theirs, their_gradients] = run.operator()<LibTorch>();
  for (size_t i = 0; i < ours.size(); ++i) {
    INFO("output " << i);
    CHECK(relative_error(ours[i], theirs[i]) < 1e-4);
  }
  REQUIRE(our_gradients.size() == their_gradients.size());
  int with_gradient = 0;
  for (size_t i = 0; i < our_gradients.size(); ++i) {
    INFO(our_gradients[i].first);
    CHECK(our_gradients[i].first == their_gradients[i].first);
    CHECK(our_gradients[i].second.empty() == their_gradients[i].second.empty());
    if (our_gradients[i].second.empty()) continue;
    ++with_gradient;
    CHECK(relative_error(our_gradients[i].second, their_gradients[i].second) < 1e-4);
  }
  CHECK(with_gradient > 50);
}

TEST_CASE("compress then decompress gives exactly the evaluation-mode reconstruction, at odd sizes and in grey") {
  using B = OneDnn;
  auto model = tiny_codec<B>();
  const codec::ImageCoder<B> coder(model, 2);
  for (const auto& [width, height, channels] :
       std::vector<std::tuple<int, int, int>>{{97, 131, 3}, {700, 1, 3}, {64, 50, 1}, {33, 17, 4}, {1, 1, 3}}) {
    INFO(width << "x" << height << " with " << channels << " channels");
    const io::Image image = photo_like(width, height, channels, 7);
    const auto encoded = coder.encode(image);
    const std::vector<uint8_t> bytes = entropy::serialize(encoded.bitstream);
    const auto parsed = entropy::parse_bitstream(bytes, "test.glc");
    CHECK(parsed.height == static_cast<uint32_t>(height));
    CHECK(parsed.width == static_cast<uint32_t>(width));
    CHECK((height + parsed.padding.bottom) % 64 == 0);
    CHECK((width + parsed.padding.right) % 64 == 0);
    const io::Image decoded = coder.decompress(parsed, "test.glc");
    const io::Image expected = coder.reconstruct(image).image;
    CHECK(decoded.width == width);
    CHECK(decoded.height == height);
    CHECK(decoded.channels == (channels <= 2 ? 1 : 3));
    CHECK(decoded.pixels == expected.pixels);
    // The decoder rebuilt the encoder's latents bit for bit.
    const auto streams = std::span<const std::vector<uint8_t>>(parsed.streams).subspan(1);
    const auto y_hat = codec::decode_latents(coder.path(), coder.tables(), streams, (height + parsed.padding.bottom) / 16,
                                             (width + parsed.padding.right) / 16, model.architecture.hyper_channels, "t");
    CHECK(y_hat.values == encoded.latents.y_hat.values);
  }
}

TEST_CASE("a file compressed on one backend decodes to the same latents on the other, with 1 and 2 threads") {
  auto ours = tiny_codec<OneDnn>();
  auto theirs = tiny_codec<LibTorch>();
  const io::Image image = photo_like(160, 96, 3, 11);
  for (int encode_threads : {1, 2})
    for (int decode_threads : {1, 2}) {
      INFO("encoded with " << encode_threads << " threads, decoded with " << decode_threads);
      auto check = [&]<Backend E, Backend D>(codec::Codec<E>& encoder_model, codec::Codec<D>& decoder_model) {
        E::set_num_threads(encode_threads);
        const codec::ImageCoder<E> encoder(encoder_model, encode_threads);
        const auto encoded = encoder.encode(image);
        D::set_num_threads(decode_threads);
        const codec::ImageCoder<D> decoder(decoder_model, decode_threads);
        REQUIRE(decoder.identifier() == encoder.identifier());
        const auto parsed = entropy::parse_bitstream(entropy::serialize(encoded.bitstream), "x.glc");
        const auto streams = std::span<const std::vector<uint8_t>>(parsed.streams).subspan(1);
        const auto y_hat = codec::decode_latents(decoder.path(), decoder.tables(), streams,
                                                 (96 + parsed.padding.bottom) / 16, (160 + parsed.padding.right) / 16,
                                                 decoder_model.architecture.hyper_channels, "x.glc");
        CHECK(y_hat.values == encoded.latents.y_hat.values);
        const io::Image there = decoder.decompress(parsed, "x.glc");
        const io::Image here = encoder.synthesize(encoded.latents.y_hat, image.height, image.width, 3);
        CHECK(largest_pixel_difference(there, here) <= 1);
      };
      check.operator()<LibTorch, OneDnn>(theirs, ours);
      check.operator()<OneDnn, LibTorch>(ours, theirs);
    }
  OneDnn::set_num_threads(0);
  LibTorch::set_num_threads(0);
}

TEST_CASE("every truncation and every single-bit flip of a valid file is refused with an error naming the file") {
  using B = OneDnn;
  auto model = tiny_codec<B>();
  const codec::ImageCoder<B> coder(model, 1);
  const std::vector<uint8_t> bytes = entropy::serialize(coder.compress(photo_like(64, 64, 3, 5)));
  auto refused = [&](const std::vector<uint8_t>& damaged) {
    try {
      coder.decompress(entropy::parse_bitstream(damaged, "damaged.glc"), "damaged.glc");
    } catch (const Error& e) {
      return std::string(e.what()).find("damaged.glc") != std::string::npos;
    }
    return false;
  };
  int refusals = 0, trials = 0;
  for (size_t length = 0; length < bytes.size(); ++length, ++trials)
    refusals += refused(std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length)));
  for (size_t bit = 0; bit < 8 * bytes.size(); ++bit, ++trials) {
    auto damaged = bytes;
    damaged[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    refusals += refused(damaged);
  }
  CHECK(refusals == trials);

  // A file of another model: both identifiers in the message.
  auto other = tiny_codec<B>(6);
  const codec::ImageCoder<B> other_coder(other, 1);
  try {
    other_coder.decompress(entropy::parse_bitstream(bytes, "x.glc"), "x.glc");
    FAIL("decoded a file of another model");
  } catch (const IoError& e) {
    CHECK_THAT(e.what(), Catch::Contains(coder.identifier()) && Catch::Contains(other_coder.identifier()));
  }
}

TEST_CASE("MS-ILLM's rate control: lambda_b from its table, lambda_a at or below the target, the warm-up") {
  CHECK(codec::ms_illm_lambda(0.3) == Approx(1.0));
  CHECK(codec::ms_illm_lambda(0.035) == Approx(8.0));
  CHECK(codec::ms_illm_lambda(0.9) == Approx(0.25));
  CHECK(codec::ms_illm_lambda(0.1) == Approx(std::exp(std::log(4.0) + std::log(0.1 / 0.07) / std::log(2.0) * std::log(0.5))));
  CHECK(codec::ms_illm_lambda(0.02) > 8.0);
  const codec::RateControl control{0.3, 0.0625, 1.0, 100};
  CHECK(control.lambda(0.31, 100) == 1.0);
  CHECK(control.lambda(0.30, 100) == 0.0625);
  CHECK(control.lambda(0.40, 99) == 0.0625);  // the warm-up's target is 0.3 x 1.429
  CHECK(control.lambda(0.43, 99) == 0.5);     // and its lambda_b halved
}
