// BD-rate and BD-PSNR: the published VCEG-M33 vector, numpy's polyfit and scipy's PCHIP
// (vectors/bd.txt), the CSV reader, and the errors.
#include <catch2/catch.hpp>
#include <fstream>

#include "genlab/core/error.hpp"
#include "genlab/metrics/bjontegaard.hpp"
#include "genlab/metrics/pchip.hpp"
#include "tests/metrics/deterministic_inputs.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using namespace genlab::metrics;
using Catch::Matchers::Contains;

namespace {

const RateQualityCurve published_anchor{{90.33, 27.95}, {181.03, 31.17}, {332.99, 34.44}, {547.79, 38.11}};
const RateQualityCurve published_test{{127.1719, 29.9286}, {186.14, 32.4165}, {307.2924, 34.7013}, {481.5588, 37.4561}};

}  // namespace

TEST_CASE("BD-PSNR and BD-rate of the published test vector are 0.800713 dB and -13.261773 %") {
  CHECK(bd_quality(published_anchor, published_test) == Approx(0.800713).margin(5e-7));
  CHECK(bd_rate(published_anchor, published_test) == Approx(-13.261773).margin(5e-7));
}

TEST_CASE("BD-rate and BD-PSNR match numpy's polyfit and scipy's PCHIP, read from CSV files") {
  const auto vectors = genlab::testing::read_vectors("bd.txt");
  for (const std::string name : {"published", "six_points"}) {
    std::string file = name;
    std::replace(file.begin(), file.end(), '_', '-');
    const RateQualityCurve anchor = read_rate_quality_csv(genlab::testing::vector_path("bd-" + file + "-anchor.csv"));
    const RateQualityCurve test = read_rate_quality_csv(genlab::testing::vector_path("bd-" + file + "-test.csv"));
    INFO(name);
    for (auto interpolation : {BdInterpolation::cubic, BdInterpolation::pchip}) {
      const std::string method = to_string(interpolation);
      INFO(method);
      CHECK(bd_rate(anchor, test, interpolation) ==
            Approx(vectors.at("bd_rate_" + method + "_" + name)[0]).epsilon(1e-10));
      CHECK(bd_quality(anchor, test, interpolation) ==
            Approx(vectors.at("bd_psnr_" + method + "_" + name)[0]).epsilon(1e-10));
    }
  }
  CHECK(read_rate_quality_csv(genlab::testing::vector_path("bd-published-anchor.csv")).size() == 4);
}

TEST_CASE("swapping the curves negates BD-PSNR and inverts the rate ratio; identical curves give 0") {
  for (auto interpolation : {BdInterpolation::cubic, BdInterpolation::pchip}) {
    const double forward = bd_quality(published_anchor, published_test, interpolation);
    CHECK(bd_quality(published_test, published_anchor, interpolation) == Approx(-forward).epsilon(1e-12));
    const double ratio = 1 + bd_rate(published_anchor, published_test, interpolation) / 100;
    CHECK(1 + bd_rate(published_test, published_anchor, interpolation) / 100 == Approx(1 / ratio).epsilon(1e-12));
    CHECK(bd_rate(published_anchor, published_anchor, interpolation) == Approx(0.0).margin(1e-12));
  }
  // The points' order does not matter.
  const RateQualityCurve reversed(published_test.rbegin(), published_test.rend());
  CHECK(bd_rate(published_anchor, reversed) == Approx(bd_rate(published_anchor, published_test)).epsilon(1e-12));
}

TEST_CASE("PCHIP reproduces linear data and keeps monotone data monotone, as scipy's PchipInterpolator") {
  const Pchip line({0.0, 1.0, 2.5, 4.0}, {1.0, 3.0, 6.0, 9.0});
  CHECK(line(1.7) == Approx(4.4).epsilon(1e-15));
  CHECK(line.integral(0.5, 3.0) == Approx((3.0 * 3.0 + 3.0) - (0.25 + 0.5)).epsilon(1e-14));
  // A step: derivatives 0 at the flat knots, so the interpolant never overshoots.
  const Pchip step({0.0, 1.0, 2.0, 3.0}, {0.0, 0.0, 1.0, 1.0});
  for (double t = 0; t <= 3.0; t += 0.125) {
    CHECK(step(t) >= 0.0);
    CHECK(step(t) <= 1.0);
  }
  CHECK_THROWS_WITH(Pchip({0.0, 1.0, 1.0}, {0.0, 1.0, 2.0}), Contains("strictly increasing"));
  CHECK_THROWS_WITH(line.integral(-1.0, 2.0), Contains("outside the knots"));
}

TEST_CASE("BD metrics reject curves they cannot compare, naming the curve") {
  RateQualityCurve three(published_anchor.begin(), published_anchor.begin() + 3);
  CHECK_THROWS_WITH(bd_rate(three, published_test), Contains("anchor curve has 3 points"));
  RateQualityCurve negative = published_test;
  negative[2].rate = -1;
  CHECK_THROWS_WITH(bd_rate(published_anchor, negative), Contains("test curve") && Contains("positive"));
  RateQualityCurve far = published_test;
  for (auto& p : far) p.quality += 20;
  CHECK_THROWS_WITH(bd_rate(published_anchor, far), Contains("do not overlap in quality"));
  RateQualityCurve repeated = published_test;
  repeated[1].quality = repeated[0].quality;
  CHECK_THROWS_WITH(bd_rate(published_anchor, repeated, BdInterpolation::pchip), Contains("distinct"));
  CHECK(parse_bd_interpolation("pchip") == BdInterpolation::pchip);
  CHECK_THROWS_WITH(parse_bd_interpolation("akima"), Contains("cubic, pchip"));
}

TEST_CASE("the rate-quality CSV reader names the file and the line of what it cannot read") {
  genlab::testing::TemporaryDirectory directory;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(directory / name) << text;
    return directory / name;
  };
  const auto good = write("good.csv", "# codec A\nbpp,psnr\n0.1, 28.0\n\n0.2,30.5\n0.4,33\n0.8,36.25\n");
  const RateQualityCurve curve = read_rate_quality_csv(good);
  REQUIRE(curve.size() == 4);
  CHECK(curve[3].rate == 0.8);
  CHECK(curve[3].quality == 36.25);
  CHECK_THROWS_WITH(read_rate_quality_csv(write("word.csv", "0.1,28\n0.2,abc\n")),
                    Contains("word.csv' line 2") && Contains("'abc' is not a number"));
  CHECK_THROWS_WITH(read_rate_quality_csv(write("three.csv", "0.1,28,1\n")),
                    Contains("three.csv' line 1") && Contains("two fields"));
  CHECK_THROWS_WITH(read_rate_quality_csv(write("zero.csv", "0.1,28\n0.2,30\n0,31\n")),
                    Contains("zero.csv' line 3") && Contains("not positive"));
  CHECK_THROWS_WITH(read_rate_quality_csv(write("short.csv", "0.1,28\n0.2,30\n0.3,31\n")),
                    Contains("short.csv") && Contains("3 points"));
  CHECK_THROWS_WITH(read_rate_quality_csv(write("late-header.csv", "0.1,28\nbpp,psnr\n")), Contains("line 2"));
  CHECK_THROWS_WITH(read_rate_quality_csv(directory / "missing.csv"), Contains("missing.csv"));
}
