// genlab_ot: the biased nearest-neighbour search against brute force, the averaged SGD against
// problems with known answers and against the authors' dense update, patch recomposition, and
// the semi-dual OT cost.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/ot/asgd.hpp"
#include "genlab/ot/biased_nearest_neighbour.hpp"
#include "genlab/ot/patches.hpp"
#include "genlab/ot/semidual.hpp"

using namespace genlab;
using namespace genlab::ot;

namespace {

std::vector<float> integers(int64_t n, int64_t high, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = static_cast<float>(rng.below(static_cast<uint64_t>(high + 1)));
  return v;
}

std::vector<float> normals(int64_t n, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  rng.fill_normal(v);
  return v;
}

// argmin_j |x_i - y_j|^2 - v_j in double, the smallest j on ties, and min_j c_j - 2 <x_i, y_j>.
struct BruteForce {
  std::vector<int32_t> index;
  std::vector<double> value;
};

BruteForce brute_force(const std::vector<float>& x, const std::vector<float>& y, const std::vector<double>& v,
                       int64_t D) {
  const auto n = static_cast<int64_t>(x.size()) / D, J = static_cast<int64_t>(y.size()) / D;
  BruteForce result;
  for (int64_t i = 0; i < n; ++i) {
    double best = std::numeric_limits<double>::infinity();
    int32_t arg = 0;
    for (int64_t j = 0; j < J; ++j) {
      double value = -v[j];
      for (int64_t d = 0; d < D; ++d) value += double(y[j * D + d]) * y[j * D + d] - 2.0 * x[i * D + d] * y[j * D + d];
      if (value < best) best = value, arg = static_cast<int32_t>(j);
    }
    result.index.push_back(arg);
    result.value.push_back(best);
  }
  return result;
}

double objective(const std::vector<float>& x, int64_t i, const std::vector<float>& y, int64_t j, double v, int64_t D) {
  double value = -v;
  for (int64_t d = 0; d < D; ++d) value += (double(x[i * D + d]) - y[j * D + d]) * (double(x[i * D + d]) - y[j * D + d]);
  return value;
}

}  // namespace

TEST_CASE("the biased search equals brute force exactly on integer data, ties to the smallest index, on every instruction set") {
  // Small integers keep every product and sum exact in float, so any difference is a bug, and
  // they make ties frequent.
  Rng rng(1);
  for (const Isa isa : supported_isas())
    for (const int64_t D : {1, 9, 27})
      for (const int64_t J : {1, 7, 8, 9, 100, 1000})
        for (const int64_t n : {1, 5, 31, 33, 500}) {
          INFO(to_string(isa) << ": D = " << D << ", J = " << J << ", " << n << " queries");
          const std::vector<float> x = integers(n * D, 7, rng), y = integers(J * D, 7, rng);
          std::vector<double> v(static_cast<size_t>(J));
          for (double& w : v) w = static_cast<double>(rng.below(20)) - 10.0;
          const BruteForce expected = brute_force(x, y, v, D);
          const BiasedTargets targets(y, D, v);
          std::vector<int32_t> index(static_cast<size_t>(n));
          std::vector<float> value(static_cast<size_t>(n));
          biased_nearest_neighbour(x, targets, index, value, isa);
          CHECK(index == expected.index);
          int64_t value_errors = 0, one_query_errors = 0;
          for (int64_t i = 0; i < n; ++i) {
            // value is min_j c_j - 2 <x, y_j> with c_j = |y_j|^2 - v_j.
            value_errors += value[i] != static_cast<float>(expected.value[i]);
            one_query_errors += biased_nearest_neighbour(x.data() + i * D, targets, isa) != expected.index[i];
          }
          CHECK(value_errors == 0);
          CHECK(one_query_errors == 0);
        }
}

TEST_CASE("the biased search on real-valued data finds a minimiser up to float rounding") {
  Rng rng(2);
  const int64_t D = 27, J = 1000, n = 3000;
  const std::vector<float> x = normals(n * D, rng), y = normals(J * D, rng);
  std::vector<double> v(static_cast<size_t>(J));
  rng.fill_normal(std::span<double>(v));
  const BruteForce expected = brute_force(x, y, v, D);
  for (const Isa isa : supported_isas()) {
    INFO(to_string(isa));
    std::vector<int32_t> index(static_cast<size_t>(n));
    biased_nearest_neighbour(x, BiasedTargets(y, D, v), index, {}, isa);
    int64_t same = 0;
    double worst = 0;
    for (int64_t i = 0; i < n; ++i) {
      same += index[i] == expected.index[i];
      worst = std::max(worst, objective(x, i, y, index[i], v[index[i]], D) -
                                  objective(x, i, y, expected.index[i], v[expected.index[i]], D));
    }
    CHECK(same >= n - 3);
    CHECK(worst < 1e-4);
  }
}

TEST_CASE("the search over an image's patches equals the search over the extracted patch matrix") {
  Rng rng(3);
  for (const int64_t channels : {1, 3}) {
    FloatImage image(channels, 37, 70);
    rng.fill_uniform(image.values, 0.0, 1.0);
    const PatchGrid grid = patch_grid(image, 3);
    const std::vector<float> patches = extract_all_patches(image, grid);
    const std::vector<float> y = normals(50 * grid.dimension(), rng);
    std::vector<double> v(50, 0.5);
    const BiasedTargets targets(y, grid.dimension(), v);
    for (const Isa isa : supported_isas()) {
      std::vector<int32_t> from_image(static_cast<size_t>(grid.count())), from_matrix(from_image.size());
      biased_nearest_neighbour(image, 3, targets, from_image, {}, isa);
      biased_nearest_neighbour(patches, targets, from_matrix, {}, isa);
      CHECK(from_image == from_matrix);
    }
  }
}

TEST_CASE("the search rejects queries and targets of different dimensions") {
  const std::vector<float> y(27, 0.f);
  const BiasedTargets targets(y, 27);
  FloatImage grey(1, 10, 10);
  std::vector<int32_t> index(64);
  CHECK_THROWS_AS(biased_nearest_neighbour(grey, 3, targets, index), ShapeError);
  CHECK_THROWS_AS(BiasedTargets(std::vector<float>(10, 0.f), 3), ShapeError);
}

TEST_CASE("averaged SGD recovers the known cells of a one-dimensional uniform source") {
  // Source U[0, 1], four targets: the optimal map is monotone, so the cell of the k-th target is
  // [k/4, (k+1)/4]. The learned cell boundaries, where two neighbours' objectives are equal, must
  // be close to the quarters.
  const std::vector<float> y{0.1f, 0.2f, 0.7f, 1.5f};
  Rng rng(4);
  const SourceSampler uniform = [&](std::span<float> out) { rng.fill_uniform(out, 0.0, 1.0); };
  const std::vector<double> v = asgd(y, 1, uniform, {.iterations = 100000, .step = 1.0});
  for (int j = 0; j < 3; ++j) {
    const double a = y[j], b = y[j + 1];
    const double boundary = (b * b - a * a - v[j + 1] + v[j]) / (2 * (b - a));
    INFO("boundary between targets " << j << " and " << j + 1);
    CHECK(boundary == Approx((j + 1) / 4.0).margin(0.01));
  }
}

TEST_CASE("averaged SGD gives every target mass 1/J from a known discrete source") {
  // The source is uniform over 4000 known points of a Gaussian blob; the targets are 10 points
  // around it. After learning, the share of the source points that the map sends to each target
  // must be 1/J within 1/(10J); the plain nearest neighbour (v = 0) is far from it.
  Rng rng(5);
  const int64_t D = 2, J = 10, M = 4000;
  std::vector<float> points = normals(M * D, rng);
  std::vector<float> y = normals(J * D, rng);
  for (float& t : y) t = 1.5f * t + 0.5f;
  const SourceSampler sample = [&](std::span<float> out) {
    for (size_t row = 0; row < out.size() / D; ++row) {
      const uint64_t i = rng.below(M);
      out[row * D] = points[i * D];
      out[row * D + 1] = points[i * D + 1];
    }
  };
  auto shares = [&](const std::vector<double>& v) {
    std::vector<int32_t> index(M);
    biased_nearest_neighbour(points, BiasedTargets(y, D, v), index);
    std::vector<double> share(J, 0.0);
    for (const int32_t j : index) share[j] += 1.0 / M;
    double worst = 0;
    for (const double s : share) worst = std::max(worst, std::abs(s - 1.0 / J));
    return worst;
  };
  const std::vector<double> v = asgd(y, D, sample, {.iterations = 100000, .step = 1.0});
  CHECK(shares(v) < 0.1 / J);
  CHECK(shares(std::vector<double>(J, 0.0)) > 0.5 / J);
}

TEST_CASE("the sparse averaged SGD equals the authors' dense update") {
  // The dense form of eq. (6), as in the authors' code: every weight moves at every step.
  Rng data(6);
  const int64_t D = 3, J = 20, K = 3000;
  const std::vector<float> y = normals(J * D, data);
  const std::vector<float> samples = normals(256 * ((K + 255) / 256) * D, data);
  int64_t drawn = 0;
  const SourceSampler replay = [&](std::span<float> out) {
    std::copy(samples.begin() + drawn, samples.begin() + drawn + static_cast<int64_t>(out.size()), out.begin());
    drawn += static_cast<int64_t>(out.size());
  };
  const double C = 0.7;
  const std::vector<double> sparse = asgd(y, D, replay, {.iterations = K, .step = C});

  std::vector<double> v_tilde(J, 0.0), v(J, 0.0);
  for (int64_t k = 1; k <= K; ++k) {
    const float* x = samples.data() + (k - 1) * D;
    int64_t best = 0;
    double best_value = std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < J; ++j) {
      double value = -v_tilde[j];
      for (int64_t d = 0; d < D; ++d) value += (double(x[d]) - y[j * D + d]) * (double(x[d]) - y[j * D + d]);
      if (value < best_value) best_value = value, best = j;
    }
    for (int64_t j = 0; j < J; ++j) v_tilde[j] += C / std::sqrt(double(k)) * ((j == best ? -1.0 : 0.0) + 1.0 / J);
    for (int64_t j = 0; j < J; ++j) v[j] = v_tilde[j] / double(k) + double(k - 1) / double(k) * v[j];
  }
  for (int64_t j = 0; j < J; ++j) CHECK(sparse[j] == Approx(v[j]).margin(1e-9));
}

TEST_CASE("recomposing an image's own patches gives the image back, at stride 1 and stride 2") {
  Rng rng(7);
  FloatImage image(3, 14, 22);
  rng.fill_uniform(image.values, 0.0, 1.0);
  for (const auto& [size, stride] : {std::pair{3, 1}, std::pair{6, 2}, std::pair{1, 1}, std::pair{4, 2}}) {
    const PatchGrid grid = patch_grid(image, size, stride);
    std::vector<int32_t> identity(static_cast<size_t>(grid.count()));
    for (size_t p = 0; p < identity.size(); ++p) identity[p] = static_cast<int32_t>(p);
    const FloatImage back = average_patches(grid, extract_all_patches(image, grid), identity);
    double worst = 0;
    for (size_t i = 0; i < image.values.size(); ++i) worst = std::max(worst, double(std::abs(back.values[i] - image.values[i])));
    INFO(size << "x" << size << " patches at stride " << stride);
    CHECK(worst < 1e-6);
  }
}

TEST_CASE("recomposition averages the overlapping patches uniformly") {
  // A 4x4 grey image from 3x3 patches (2x2 positions) whose values are their patch number: pixel
  // (0, 0) sees only patch 0, pixel (1, 1) sees all four, pixel (0, 3) only patch 1.
  const PatchGrid grid = patch_grid(1, 4, 4, 3);
  std::vector<float> library;
  for (int p = 0; p < 4; ++p) library.insert(library.end(), 9, static_cast<float>(p));
  const std::vector<int32_t> choice{0, 1, 2, 3};
  const FloatImage image = average_patches(grid, library, choice);
  CHECK(image.at(0, 0, 0) == 0.f);
  CHECK(image.at(0, 1, 1) == Approx(1.5));
  CHECK(image.at(0, 0, 3) == 1.f);
  CHECK(image.at(0, 3, 1) == Approx(2.5));
  CHECK_THROWS_AS(patch_grid(1, 5, 5, 2, 2), ShapeError);  // a border no patch covers
}

TEST_CASE("the semi-dual OT cost is zero between equal sets and |t|^2/2 between translated ones") {
  Rng rng(8);
  const int64_t D = 9, J = 300;
  const std::vector<float> y = normals(J * D, rng);
  std::vector<float> shifted = y;
  const float t = 0.6f;  // every component: |t|^2 / 2 = D t^2 / 2
  for (float& v : shifted) v += t;
  const AsgdSettings settings{.iterations = 100000, .step = 1.0};
  const double exact = D * t * t / 2;
  CHECK(std::abs(semidual_ot_cost(y, y, D, settings, 1)) < 0.02 * exact);
  const double translated = semidual_ot_cost(shifted, y, D, settings, 1);
  CHECK(translated == Approx(exact).epsilon(0.05));
  CHECK(translated <= exact * 1.0001);  // weak duality: F(psi) is a lower bound for every psi
  CHECK(semidual_cost(shifted, y, D, std::vector<double>(J, 0.0)) <= exact);
}
