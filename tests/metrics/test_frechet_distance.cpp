// FID, its statistics and their file, and SiFID: closed forms, degenerate sets, and the values of
// pytorch-fid's scipy.linalg.sqrtm route (vectors/feature-metrics.txt).
#include <hdf5.h>

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/metrics/feature_statistics_file.hpp"
#include "genlab/metrics/frechet_distance.hpp"
#include "genlab/metrics/sifid.hpp"
#include "tests/metrics/deterministic_inputs.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using namespace genlab::metrics;
using Catch::Matchers::Contains;

namespace {

FeatureStatistics gaussian(int64_t d, double mean, double variance) {
  return {Eigen::VectorXd::Constant(d, mean), variance * Eigen::MatrixXd::Identity(d, d), 1000};
}

// n samples of N(mean, stddev² I) in d dimensions from the library's Rng.
RowMatrix normal_samples(uint64_t seed, int64_t n, int64_t d, double mean = 0, double stddev = 1) {
  RowMatrix x(n, d);
  Rng rng(seed);
  rng.fill_normal(std::span<double>(x.data(), static_cast<size_t>(x.size())), mean, stddev);
  return x;
}

// Two-pass mean and covariance with plain loops, as numpy.mean and numpy.cov.
FeatureStatistics statistics_by_loops(const RowMatrix& x) {
  const int64_t n = x.rows(), d = x.cols();
  FeatureStatistics s{Eigen::VectorXd::Zero(d), Eigen::MatrixXd::Zero(d, d), n};
  for (int64_t i = 0; i < n; ++i) s.mean += x.row(i).transpose();
  s.mean /= static_cast<double>(n);
  for (int64_t a = 0; a < d; ++a)
    for (int64_t b = 0; b < d; ++b) {
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += (x(i, a) - s.mean[a]) * (x(i, b) - s.mean[b]);
      s.covariance(a, b) = sum / static_cast<double>(n - 1);
    }
  return s;
}

}  // namespace

TEST_CASE(
    "FID of N(0, I) and N(0, 4I) is d, and of means 0 and 1 with identity covariances in 2048 dimensions is 2048") {
  for (int64_t d : {1, 16, 256}) {
    INFO("d = " << d);
    const auto terms = frechet_distance_terms(gaussian(d, 0, 1), gaussian(d, 0, 4));
    CHECK(terms.route == TraceSqrtRoute::cholesky_eigenvalues);
    CHECK(terms.value() == Approx(static_cast<double>(d)).epsilon(1e-12));
  }
  CHECK(frechet_distance(gaussian(2048, 0, 1), gaussian(2048, 1, 1)) == Approx(2048.0).epsilon(1e-12));
}

TEST_CASE("FID of sampled features approaches the closed forms") {
  // N(0, I) against N(0, 4I) in 32 dimensions from 20,000 samples each: d plus an estimation bias
  // of order d² / n.
  const RowMatrix x = normal_samples(1, 20000, 32), y = normal_samples(2, 20000, 32, 0.0, 2.0);
  CHECK(frechet_distance(x, y) == Approx(32.0).epsilon(0.01));
  // The same 3,000 samples in 2048 dimensions, shifted by 1: equal covariances, the mean term alone.
  const RowMatrix z = normal_samples(3, 3000, 2048);
  const RowMatrix shifted = (z.array() + 1.0).matrix();
  const auto terms = frechet_distance_terms(feature_statistics(z), feature_statistics(shifted));
  CHECK(terms.route == TraceSqrtRoute::cholesky_eigenvalues);
  CHECK(terms.value() == Approx(2048.0).epsilon(1e-11));
}

TEST_CASE("FID of a set with itself is 0 within 1e-9, with more, as many or fewer samples than dimensions") {
  struct Case {
    int64_t n, d;
    TraceSqrtRoute route;
  };
  for (const auto& c :
       {Case{500, 64, TraceSqrtRoute::cholesky_eigenvalues},
        Case{64, 64, TraceSqrtRoute::factor_singular_values},  // rank 63
        Case{20, 64, TraceSqrtRoute::factor_singular_values}, Case{2, 64, TraceSqrtRoute::factor_singular_values},
        Case{100, 512, TraceSqrtRoute::factor_singular_values},
        Case{50, 2048, TraceSqrtRoute::factor_singular_values}}) {
    INFO("N = " << c.n << ", D = " << c.d);
    const RowMatrix x = genlab::testing::features(10 + c.n, c.n, c.d, 0.25);
    const FeatureStatistics s = feature_statistics(x);
    const auto terms = frechet_distance_terms(s, s);
    CHECK(terms.route == c.route);
    CHECK(std::isfinite(terms.trace_sqrt_product));
    // Relative to tr Σ, the scale of the terms that cancel.
    CHECK(std::abs(terms.trace1 + terms.trace2 - 2 * terms.trace_sqrt_product) < 1e-13 * terms.trace1);
    CHECK(terms.value() < 1e-9);
  }
}

TEST_CASE("FID agrees with pytorch-fid's scipy sqrtm route, to 1e-10 where sqrtm is accurate") {
  const auto vectors = genlab::testing::read_vectors("feature-metrics.txt");
  const RowMatrix a = genlab::testing::features(1, 300, 12), b = genlab::testing::features(2, 200, 12, 0.8, 0.3);
  CHECK(frechet_distance(a, b) == Approx(vectors.at("fid_full_rank_sqrtm")[0]).epsilon(1e-10));
  // 20 and 30 samples in 40 dimensions: sqrtm of a singular product is accurate to about √ε; the
  // singular route's value, exact to 1e-13 in the self-distance test above, is within that.
  const RowMatrix c = genlab::testing::features(3, 20, 40), d = genlab::testing::features(4, 30, 40, 1.5);
  const auto terms = frechet_distance_terms(feature_statistics(c), feature_statistics(d));
  CHECK(terms.route == TraceSqrtRoute::factor_singular_values);
  CHECK(terms.value() == Approx(vectors.at("fid_rank_deficient_sqrtm")[0]).epsilon(1e-6));
}

TEST_CASE("tr √(Σ1 Σ2) of commuting covariances is Σ √(a_i b_i) on both routes, zeros included") {
  // Zero eigenvalues come out of Q diag(c) Qᵀ as rounding noise of either sign; the singular route
  // must treat them as 0 rather than add √(noise · b_i).
  // Σ1 = Q diag(a) Qᵀ, Σ2 = Q diag(b) Qᵀ with a rotation Q.
  const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(genlab::testing::features(5, 6, 6)).householderQ();
  auto rotated = [&](Eigen::VectorXd diagonal) -> Eigen::MatrixXd {
    Eigen::MatrixXd m = q * diagonal.asDiagonal() * q.transpose();
    return (m + m.transpose()) / 2;
  };
  Eigen::VectorXd a(6), b(6), c(6), e(6);
  a << 1, 2, 3, 4, 5, 6;
  b << 6, 0.5, 2, 1, 0.25, 3;
  c << 0, 1, 2, 0, 3, 0;  // rank 3
  e << 3, 0, 5, 1, 0, 2;
  TraceSqrtRoute route{};
  CHECK(trace_sqrt_product(rotated(a), rotated(b), &route) ==
        Approx((a.array() * b.array()).sqrt().sum()).epsilon(1e-13));
  CHECK(route == TraceSqrtRoute::cholesky_eigenvalues);
  CHECK(trace_sqrt_product(rotated(c), rotated(e), &route) ==
        Approx((c.array() * e.array()).sqrt().sum()).epsilon(1e-12));
  CHECK(route == TraceSqrtRoute::factor_singular_values);
  CHECK(trace_sqrt_product(Eigen::MatrixXd::Zero(3, 3), Eigen::MatrixXd::Identity(3, 3)) == 0.0);
}

TEST_CASE("FID of constant features is the squared distance of the means") {
  const RowMatrix ones = RowMatrix::Constant(10, 5, 1.0), threes = RowMatrix::Constant(7, 5, 3.0);
  CHECK(frechet_distance(ones, ones) == 0.0);
  CHECK(frechet_distance(ones, threes) == Approx(5 * 4.0).epsilon(1e-15));
}

TEST_CASE("feature statistics are the mean and the ddof-1 covariance, also far from the origin") {
  const RowMatrix x = genlab::testing::features(6, 37, 9);
  const FeatureStatistics expected = statistics_by_loops(x), s = feature_statistics(x);
  CHECK(s.count == 37);
  CHECK((s.mean - expected.mean).cwiseAbs().maxCoeff() < 1e-13);
  CHECK((s.covariance - expected.covariance).cwiseAbs().maxCoeff() < 1e-12);
  // A mean of 1e6 does not cost the covariance its digits (centred before the products).
  const RowMatrix far = (x.array() + 1e6).matrix();
  CHECK((feature_statistics(far).covariance - expected.covariance).cwiseAbs().maxCoeff() < 1e-8);
  // Float features give the same statistics as the same values in double.
  const RowMatrixF xf = x.cast<float>();
  const FeatureStatistics sf = feature_statistics(FeatureMatrix(std::span<const float>(xf.data(), xf.size()), 37, 9));
  CHECK((sf.covariance - feature_statistics(RowMatrix(xf.cast<double>())).covariance).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("feature metrics reject degenerate input with errors that name it") {
  const RowMatrix one = RowMatrix::Ones(1, 4), two = RowMatrix::Ones(2, 4), wide = RowMatrix::Ones(3, 5);
  CHECK_THROWS_AS(feature_statistics(one), ShapeError);
  CHECK_THROWS_WITH(feature_statistics(FeatureMatrix(one, "real features")),
                    Contains("real features [1, 4]") && Contains("fewer than 2 samples"));
  CHECK_THROWS_WITH(frechet_distance(two, wide), Contains("[2, 4]") && Contains("[3, 5]"));
  std::vector<float> values(12, 1.f);
  values[7] = NAN;
  CHECK_THROWS_WITH(FeatureMatrix(std::span<const float>(values), 3, 4), Contains("sample 1, dimension 3"));
  CHECK_THROWS_WITH(FeatureMatrix(std::span<const float>(values), 5, 4), Contains("12 values"));
  CHECK_THROWS_WITH(FeatureMatrix(HostTensor{{2, 3, 2}, std::vector<float>(12)}), Contains("[2, 3, 2]"));
  FeatureStatistics bad = gaussian(3, 0, 1);
  bad.covariance(1, 1) = INFINITY;
  CHECK_THROWS_WITH(frechet_distance(bad, gaussian(3, 0, 1)), Contains("not finite"));
  CHECK_THROWS_WITH(frechet_distance(gaussian(3, 0, 1), gaussian(4, 0, 1)), Contains("3 and 4 dimensions"));
}

TEST_CASE("feature statistics survive a round trip through their HDF5 file, with attributes") {
  genlab::testing::TemporaryDirectory directory;
  const auto path = directory / "real.h5";
  const FeatureStatistics s = feature_statistics(genlab::testing::features(7, 50, 6));
  save_feature_statistics(path, s, {{"extractor", std::string("inception-v3-fid")}, {"image_size", int64_t{299}}});
  const FeatureStatistics loaded = load_feature_statistics(path);
  CHECK(loaded.count == 50);
  CHECK(loaded.mean == s.mean);
  CHECK(loaded.covariance == s.covariance);
  const Attributes attributes = read_feature_statistics_attributes(path);
  CHECK(std::get<std::string>(attributes.at("extractor")) == "inception-v3-fid");
  CHECK(std::get<int64_t>(attributes.at("count")) == 50);
  CHECK(frechet_distance(loaded, s) < 1e-12);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".partial"));
  CHECK_THROWS_AS(save_feature_statistics(path, s, {{"count", int64_t{3}}}), ConfigError);
}

TEST_CASE("loading feature statistics names the file and what is wrong with it") {
  genlab::testing::TemporaryDirectory directory;
  CHECK_THROWS_WITH(load_feature_statistics(directory / "missing.h5"),
                    Contains("missing.h5") && Contains("no such file"));
  const auto text = directory / "text.h5";
  std::ofstream(text) << "mean,covariance\n";
  CHECK_THROWS_WITH(load_feature_statistics(text), Contains("text.h5") && Contains("not an HDF5 file"));
  // A file whose covariance does not match its mean.
  const auto forged = directory / "forged.h5";
  {
    const hid_t file = H5Fcreate(forged.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t mean_size[1] = {3}, covariance_size[2] = {2, 2};
    const double values[4] = {1, 0, 0, 1};
    for (auto [name, rank, size] : {std::tuple{"mean", 1, mean_size}, std::tuple{"covariance", 2, covariance_size}}) {
      const hid_t space = H5Screate_simple(rank, size, nullptr);
      const hid_t dataset = H5Dcreate2(file, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
      H5Dclose(dataset);
      H5Sclose(space);
    }
    const int64_t count = 10;
    const hid_t scalar = H5Screate(H5S_SCALAR);
    const hid_t attribute = H5Acreate2(file, "count", H5T_NATIVE_INT64, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attribute, H5T_NATIVE_INT64, &count);
    H5Aclose(attribute);
    H5Sclose(scalar);
    H5Fclose(file);
  }
  CHECK_THROWS_WITH(load_feature_statistics(forged),
                    Contains("forged.h5") && Contains("'covariance' has shape [2, 2]") && Contains("expected [3, 3]"));
}

TEST_CASE("SiFID compares the positions of two feature maps, channels first") {
  // [C, H, W] maps of 8 channels, 6 x 5 and 7 x 4 positions.
  const RowMatrix real_positions = genlab::testing::features(8, 30, 8),
                  fake_positions = genlab::testing::features(9, 28, 8, 1.1);
  auto as_map = [](const RowMatrix& positions, int64_t h, int64_t w) {
    HostTensor map{{1, positions.cols(), h, w}, std::vector<float>(positions.size())};
    for (int64_t p = 0; p < positions.rows(); ++p)
      for (int64_t c = 0; c < positions.cols(); ++c) map.values[c * h * w + p] = static_cast<float>(positions(p, c));
    return map;
  };
  const HostTensor real = as_map(real_positions, 6, 5), fake = as_map(fake_positions, 7, 4);
  const RowMatrix real_rounded = real_positions.cast<float>().cast<double>(),
                  fake_rounded = fake_positions.cast<float>().cast<double>();
  CHECK(sifid(real, fake) == Approx(frechet_distance(real_rounded, fake_rounded)).epsilon(1e-9));
  CHECK(sifid(real, real) < 1e-9);
  CHECK(sifid(real_positions, fake_positions) == Approx(frechet_distance(real_positions, fake_positions)));
  CHECK_THROWS_WITH(sifid(HostTensor{{8, 30}, std::vector<float>(240)}, fake), Contains("[C, H, W]"));
}
