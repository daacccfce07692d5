// Texto: the Gaussian start, the exemplar pyramid, synthesis (determinism, size, quality measured
// by the semi-dual OT cost of patch distributions), the model file, and bad input.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <vector>

#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"
#include "genlab/ot/patches.hpp"
#include "genlab/ot/semidual.hpp"
#include "models/texto/adsn.hpp"
#include "models/texto/pyramid.hpp"
#include "models/texto/texto.hpp"
#include "tests/support/temporary_directory.hpp"
#include "tests/texto/synthetic_textures.hpp"

#include <omp.h>

using namespace genlab;
using genlab::testing::TemporaryDirectory;

namespace {

// A model learned once for the tests that only synthesise: 3 scales from a 96x96 exemplar.
const texto::TextoModel& small_model() {
  static const texto::TextoModel model = [] {
    texto::LearnConfig config;
    config.scales = 3;
    config.iters = 30000;
    return texto::learn(testing::scattered_squares(1, 96, 96, 11), config, 5, "squares");
  }();
  return model;
}

double max_difference(const ot::FloatImage& a, const ot::FloatImage& b) {
  REQUIRE(a.values.size() == b.values.size());
  double worst = 0;
  for (size_t i = 0; i < a.values.size(); ++i) worst = std::max(worst, double(std::abs(a.values[i] - b.values[i])));
  return worst;
}

// The semi-dual OT cost (eq. (9)) between all 3x3 patches of `image` and 1000 patches of the
// exemplar drawn with a seed of their own (not the model's targets).
double patch_cost(const ot::FloatImage& image, const ot::FloatImage& exemplar) {
  const ot::PatchGrid grid = ot::patch_grid(exemplar, 3);
  std::vector<int64_t> positions(1000);
  Rng rng(99);
  for (int64_t& p : positions) p = static_cast<int64_t>(rng.below(static_cast<uint64_t>(grid.count())));
  const std::vector<float> y = ot::extract_patches(exemplar, grid, positions);
  const std::vector<float> x = ot::extract_all_patches(image, ot::patch_grid(image, 3));
  return ot::semidual_ot_cost(x, y, grid.dimension(), {.iterations = 100000, .step = 1.0}, 1);
}

}  // namespace

TEST_CASE("ADSN samples have the exemplar's mean and the texton's patch covariance") {
  const ot::FloatImage exemplar = testing::scattered_squares(3, 40, 48, 1);
  const texto::AdsnModel model = texto::estimate_adsn(exemplar);
  for (int64_t c = 0; c < 3; ++c) {
    double texton_sum = 0, mean = 0;
    for (int64_t i = 0; i < 40 * 48; ++i) texton_sum += model.texton.plane(c)[i], mean += exemplar.plane(c)[i];
    CHECK(std::abs(texton_sum) < 1e-4);
    CHECK(model.mean[c] == Approx(mean / (40 * 48)).epsilon(1e-5));
  }
  // The covariance of patches at one position over many samples estimates eq. (3).
  const texto::AdsnPatchLaw law(model, 2);
  const int64_t D = law.dimension(), samples = 4000;
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(D, D);
  Eigen::VectorXd first = Eigen::VectorXd::Zero(D);
  Rng rng(2);
  const ot::PatchGrid grid = ot::patch_grid(3, 12, 12, 2);
  std::vector<float> patch(static_cast<size_t>(D));
  for (int64_t k = 0; k < samples; ++k) {
    const ot::FloatImage u = texto::adsn(model, 12, 12, rng);
    ot::extract_patch(u, grid, 5 * grid.cols() + 5, patch.data());
    const Eigen::VectorXd x = Eigen::Map<Eigen::VectorXf>(patch.data(), D).cast<double>();
    first += x;
    sum += x * x.transpose();
  }
  const Eigen::VectorXd mean = first / samples;
  const Eigen::MatrixXd covariance = sum / samples - mean * mean.transpose();
  const double scale = law.covariance().diagonal().maxCoeff();
  CHECK((covariance - law.covariance()).cwiseAbs().maxCoeff() < 0.1 * scale);
  for (int64_t d = 0; d < D; ++d) CHECK(std::abs(mean[d] - model.mean[d % 3]) < 0.1 * std::sqrt(scale));
  // And the law's own samples have exactly that covariance in expectation: root root^T = Gamma.
  std::vector<float> drawn(static_cast<size_t>(D * samples));
  law.sample(rng, drawn);
  Eigen::MatrixXd law_sum = Eigen::MatrixXd::Zero(D, D);
  for (int64_t k = 0; k < samples; ++k) {
    const Eigen::VectorXd x = Eigen::Map<Eigen::VectorXf>(drawn.data() + k * D, D).cast<double>() - mean;
    law_sum += x * x.transpose();
  }
  CHECK((law_sum / samples - law.covariance()).cwiseAbs().maxCoeff() < 0.1 * scale);
}

TEST_CASE("the bicubic pyramid keeps an image at its own size and a constant at any size") {
  Rng rng(3);
  ot::FloatImage image(2, 17, 23);
  rng.fill_uniform(image.values, 0.0, 1.0);
  CHECK(max_difference(texto::bicubic_resize(image, 17, 23), image) < 1e-6);
  const ot::FloatImage flat(1, 30, 30, 0.25f);
  for (const auto& [h, w] : {std::pair{4, 4}, std::pair{60, 45}, std::pair{15, 8}})
    CHECK(max_difference(texto::bicubic_resize(flat, h, w), ot::FloatImage(1, h, w, 0.25f)) < 1e-6);
  CHECK(texto::scale_side(768, 3) == 96);
  CHECK(texto::scale_side(769, 3) == 97);
  CHECK(texto::minimum_side(4, 3) == 24);
}

TEST_CASE("synthesis has the requested size and is deterministic for a seed, whatever the threads") {
  const texto::TextoModel& model = small_model();
  const ot::FloatImage a = texto::synthesise(model, 100, 60, 3);
  CHECK(a.width == 100);
  CHECK(a.height == 60);
  CHECK(a.channels == 1);
  const ot::FloatImage b = texto::synthesise(model, 100, 60, 3);
  CHECK(a.values == b.values);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const ot::FloatImage one_thread = texto::synthesise(model, 100, 60, 3);
  omp_set_num_threads(threads);
  CHECK(a.values == one_thread.values);
  CHECK(max_difference(a, texto::synthesise(model, 100, 60, 4)) > 0.1);
  const ot::FloatImage odd = texto::synthesise(model, 37, 131, 3);
  CHECK(odd.width == 37);
  CHECK(odd.height == 131);
}

TEST_CASE("the output's patch distribution is much closer to the exemplar's than the Gaussian start's and the coarse upsampled image's") {
  const ot::FloatImage exemplar = testing::scattered_squares(1, 128, 128, 21);
  texto::LearnConfig config;
  config.scales = 3;
  const texto::TextoModel model = texto::learn(exemplar, config, 1, "squares");
  std::vector<texto::ScaleImages> trace;
  const ot::FloatImage output = texto::synthesise(model, 128, 128, 7, &trace);
  REQUIRE(trace.size() == 3);
  // The Gaussian start at the output's resolution, and the coarsest transported scale upsampled
  // by interpolation.
  Rng rng(8);
  const ot::FloatImage gaussian = texto::adsn(texto::estimate_adsn(exemplar), 128, 128, rng);
  const ot::FloatImage upsampled = texto::bicubic_resize(trace.front().after, 128, 128);
  const double output_cost = patch_cost(output, exemplar), gaussian_cost = patch_cost(gaussian, exemplar),
               upsampled_cost = patch_cost(upsampled, exemplar), exemplar_cost = patch_cost(exemplar, exemplar);
  INFO("semi-dual OT cost to the exemplar's patches: output " << output_cost << ", Gaussian start " << gaussian_cost
                                                              << ", upsampled coarse scale " << upsampled_cost
                                                              << ", the exemplar itself " << exemplar_cost);
  CHECK(output_cost < gaussian_cost / 3);
  CHECK(output_cost < upsampled_cost / 3);
}

TEST_CASE("colour exemplars give RGB models; colour grey makes a grey one") {
  const ot::FloatImage exemplar = testing::scattered_squares(3, 48, 48, 4);
  texto::LearnConfig config;
  config.scales = 2;
  config.iters = 5000;
  const texto::TextoModel rgb = texto::learn(exemplar, config, 0, "colour");
  CHECK(rgb.channels == 3);
  CHECK(rgb.dimension() == 27);
  CHECK(texto::synthesise(rgb, 40, 30, 1).channels == 3);
}

TEST_CASE("a model written to HDF5 and read back synthesises the same image") {
  TemporaryDirectory dir;
  const texto::TextoModel& model = small_model();
  texto::save_model(model, dir / "model.h5");
  const texto::TextoModel loaded = texto::load_model(dir / "model.h5");
  CHECK(loaded.channels == model.channels);
  CHECK(loaded.patch == model.patch);
  CHECK(loaded.scale_count() == model.scale_count());
  CHECK(loaded.config.iters == 30000);
  CHECK(loaded.exemplar == "squares");
  for (int64_t s = 0; s < model.scale_count(); ++s) {
    CHECK(loaded.scales[s].targets == model.scales[s].targets);
    CHECK(loaded.scales[s].weights == model.scales[s].weights);
    CHECK(loaded.scales[s].upsampling == model.scales[s].upsampling);
  }
  CHECK(texto::synthesise(loaded, 80, 50, 2).values == texto::synthesise(model, 80, 50, 2).values);
}

TEST_CASE("files that are not Texto models are clear errors") {
  TemporaryDirectory dir;
  auto message = [](const std::filesystem::path& path) {
    try {
      texto::load_model(path);
    } catch (const IoError& e) {
      return std::string(e.what());
    }
    FAIL("no error for " << path);
    return std::string();
  };
  CHECK_THAT(message(dir / "missing.h5"), Catch::Contains("missing.h5") && Catch::Contains("no such file"));
  std::ofstream(dir / "notes.txt") << "not HDF5\n";
  CHECK_THAT(message(dir / "notes.txt"), Catch::Contains("not an HDF5 file"));

  const hid_t file = H5Fcreate((dir / "other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(file);
  CHECK_THAT(message(dir / "other.h5"), Catch::Contains("not a Texto model") && Catch::Contains("genlab texto learn"));

  // A model that lost a dataset.
  texto::save_model(small_model(), dir / "good.h5");
  {
    const hid_t f = H5Fopen((dir / "good.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(f, "/scale_1/upsampling", H5P_DEFAULT);
    H5Fclose(f);
  }
  CHECK_THAT(message(dir / "good.h5"), Catch::Contains("/scale_1/upsampling") && Catch::Contains("missing"));

  texto::save_model(small_model(), dir / "newer.h5");
  {
    const hid_t f = H5Fopen((dir / "newer.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const int64_t future = 99;
    const hid_t attribute = H5Aopen(f, "genlab_texto_format", H5P_DEFAULT);
    H5Awrite(attribute, H5T_NATIVE_INT64, &future);
    H5Aclose(attribute);
    H5Fclose(f);
  }
  CHECK_THAT(message(dir / "newer.h5"), Catch::Contains("format 99"));
}

TEST_CASE("an exemplar too small for its scales, and sizes too small or not positive, are clear errors") {
  texto::LearnConfig config;  // 4 scales of 3x3 patches need 24x24
  try {
    texto::learn(testing::scattered_squares(1, 14, 20, 1, 3), config, 0, "x.png");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "texto: exemplar 'x.png' is 20x14 pixels, too small for 4 scales of 3x3 patches (needs at least 24x24)");
  }
  config.scales = 0;
  CHECK_THROWS_WITH(texto::learn(testing::scattered_squares(1, 64, 64, 1), config, 0, "x.png"),
                    Catch::Contains("'scales' (--scales)"));
  CHECK_THROWS_WITH(texto::synthesise(small_model(), 100, 11, 0),
                    Catch::Contains("100x11") && Catch::Contains("needs at least 12x12"));
  for (const char* size : {"0x768", "-5x3", "1280", "wide"})
    CHECK_THROWS_WITH(texto::parse_output_size(size), Catch::Contains("--size") && Catch::Contains(size));
  CHECK(texto::parse_output_size("1280x768").width == 1280);
}
