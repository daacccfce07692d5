// JPEG (libjpeg-turbo) and WebP (libwebp) in memory: round trips, the rate's growth with the
// quality, grey and RGB, and damaged bytes that must end in an IoError, never a crash or exit().
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/io/lossy_formats.hpp"
#include "tests/support/test_images.hpp"

using genlab::IoError;
using genlab::io::Image;
using genlab::testing::psnr_255;
using genlab::testing::smooth_test_image;
using Catch::Matchers::Contains;

namespace {

struct Codec {
  const char* name;
  std::function<std::vector<uint8_t>(const Image&, int)> encode;
  std::function<Image(std::span<const uint8_t>)> decode;
};

const Codec jpeg{"JPEG", genlab::io::encode_jpeg, genlab::io::decode_jpeg};
const Codec webp{"WebP", genlab::io::encode_webp, genlab::io::decode_webp};

// WebP decodes grey as RGB with R = G = B (approximately: chroma is coded too).
Image as_channels(const Image& image, int channels) {
  return image.channels == channels ? image : genlab::io::convert_channels(image, channels);
}

}  // namespace

TEST_CASE("JPEG and WebP round trips at quality 95 keep the size and a PSNR above 38 dB, grey and RGB") {
  for (const Codec& codec : {jpeg, webp})
    for (int channels : {1, 3}) {
      INFO(codec.name << " with " << channels << " channels");
      const Image original = smooth_test_image(97, 64, channels);  // odd width: partial MCUs and chroma blocks
      const std::vector<uint8_t> bytes = codec.encode(original, 95);
      const Image decoded = codec.decode(bytes);
      REQUIRE(decoded.width == 97);
      REQUIRE(decoded.height == 64);
      CHECK(decoded.channels == (codec.name == std::string("JPEG") ? channels : 3));
      const double psnr = psnr_255(original, as_channels(decoded, channels));
      CHECK(psnr > 38.0);
      CHECK(bytes.size() < original.pixels.size());
    }
}

TEST_CASE("the JPEG is baseline 4:2:0 for colour, and starts with the JFIF and WebP signatures") {
  const auto rgb = genlab::io::encode_jpeg(smooth_test_image(32, 32, 3), 75);
  REQUIRE(rgb.size() > 4);
  CHECK((rgb[0] == 0xff && rgb[1] == 0xd8));
  // SOF0 (baseline) with 3 components; the first (luma) is sampled 2x2, the chroma ones 1x1.
  bool found = false;
  for (size_t i = 0; i + 17 < rgb.size(); ++i)
    if (rgb[i] == 0xff && rgb[i + 1] == 0xc0) {
      found = true;
      CHECK(rgb[i + 9] == 3);
      CHECK(rgb[i + 11] == 0x22);
      CHECK(rgb[i + 14] == 0x11);
      CHECK(rgb[i + 17] == 0x11);
      break;
    }
  CHECK(found);
  for (size_t i = 0; i + 1 < rgb.size(); ++i) CHECK_FALSE((rgb[i] == 0xff && rgb[i + 1] == 0xc2));  // no progressive SOF2
  const auto w = genlab::io::encode_webp(smooth_test_image(32, 32, 3), 75);
  CHECK(std::string(w.begin(), w.begin() + 4) == "RIFF");
  CHECK(std::string(w.begin() + 8, w.begin() + 12) == "WEBP");
}

TEST_CASE("JPEG and WebP sizes grow and the PSNR rises with the quality") {
  for (const Codec& codec : {jpeg, webp})
    for (int channels : {1, 3}) {
      INFO(codec.name << " with " << channels << " channels");
      const Image original = smooth_test_image(128, 96, channels, 7);
      size_t previous_size = 0;
      double previous_psnr = 0;
      for (int quality : {5, 20, 40, 60, 80, 95}) {
        INFO("quality " << quality);
        const auto bytes = codec.encode(original, quality);
        const double psnr = psnr_255(original, as_channels(codec.decode(bytes), channels));
        CHECK(bytes.size() > previous_size);
        CHECK(psnr > previous_psnr);
        previous_size = bytes.size();
        previous_psnr = psnr;
      }
    }
}

TEST_CASE("damaged JPEG and WebP bytes give an IoError naming the codec, never a crash") {
  const Image original = smooth_test_image(64, 48, 3);
  for (const Codec& codec : {jpeg, webp}) {
    INFO(codec.name);
    const std::vector<uint8_t> good = codec.encode(original, 60);
    const std::string name = codec.name;

    CHECK_THROWS_WITH(codec.decode({}), Contains(name) && Contains("no bytes"));
    const std::vector<uint8_t> garbage{'G', 'I', 'F', '8', '9', 'a', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK_THROWS_AS(codec.decode(garbage), IoError);
    CHECK_THROWS_WITH(codec.decode(garbage), Contains(name) && Contains("47 49 46 38"));
    for (size_t keep : {size_t{2}, size_t{20}, good.size() / 2, good.size() - 3}) {
      INFO("truncated to " << keep << " of " << good.size() << " bytes");
      const std::vector<uint8_t> truncated(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(keep));
      CHECK_THROWS_AS(codec.decode(truncated), IoError);
    }
    // Flipped bytes in the entropy-coded data may still decode (neither format has a checksum);
    // what must never happen is a crash or an image of another size.
    for (size_t at = 30; at < good.size(); at += 37) {
      std::vector<uint8_t> damaged = good;
      damaged[at] ^= 0x5a;
      try {
        const Image decoded = codec.decode(damaged);
        CHECK(decoded.width * decoded.height > 0);
      } catch (const IoError& e) {
        CHECK_THAT(e.what(), Contains(name));
      }
    }
  }
}

TEST_CASE("encoding rejects images and qualities the codecs cannot take, naming the problem") {
  const Image rgb = smooth_test_image(8, 8, 3);
  Image four{8, 8, 4, std::vector<uint8_t>(8 * 8 * 4)};
  CHECK_THROWS_WITH(genlab::io::encode_jpeg(four, 50), Contains("JPEG") && Contains("4 channels"));
  CHECK_THROWS_WITH(genlab::io::encode_webp(four, 50), Contains("WebP") && Contains("4 channels"));
  CHECK_THROWS_WITH(genlab::io::encode_jpeg(rgb, 0), Contains("quality 0") && Contains("1..100"));
  CHECK_THROWS_WITH(genlab::io::encode_webp(rgb, 101), Contains("quality 101") && Contains("0..100"));
  CHECK_THROWS_WITH(genlab::io::encode_jpeg(Image{}, 50), Contains("empty"));
  Image short_buffer = rgb;
  short_buffer.pixels.pop_back();
  CHECK_THROWS_WITH(genlab::io::encode_webp(short_buffer, 50), Contains("needs 192 bytes"));
  CHECK_THROWS_WITH(genlab::io::encode_webp(Image{20000, 1, 1, std::vector<uint8_t>(20000)}, 50), Contains("16383"));
}
