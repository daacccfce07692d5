// genlab demo: the side-by-side demo on the default setting (oneDNN backend, Fashion-MNIST): DCGAN
// and LPGA trained for the same time, their sample grids, and their FIDs against the test set.
#include <iomanip>
#include <iostream>

#include "backends/onednn/onednn_backend.hpp"
#include "experiments/cli/command.hpp"
#include "experiments/eval/features.hpp"
#include "genlab/io/image.hpp"
#include "genlab/metrics/feature_statistics.hpp"
#include "genlab/metrics/frechet_distance.hpp"
#include "models/dcgan/dcgan.hpp"
#include "models/pga/pga.hpp"

namespace genlab::cli {
namespace {

// Feature statistics on the shipped classifier's features: of the test set, or of `samples`
// images drawn from a run file.
metrics::FeatureStatistics classifier_statistics(const eval::Source& source, data::Split split, int64_t samples,
                                                 const std::string& label) {
  const eval::Extractor classifier;
  const auto images = eval::load_images(source, split, {samples, 0, "onednn", "cpu"}, eval::network_input(classifier));
  const auto set = eval::extract_features<OneDnn>(images, classifier, 500, "cpu", label);
  return metrics::feature_statistics(metrics::FeatureMatrix(set.features, label));
}

// The two grids next to each other, with a gap.
io::Image side_by_side(const io::Image& left, const io::Image& right) {
  const int gap = 8, channels = left.channels;
  io::Image out{left.width + gap + right.width, std::max(left.height, right.height), channels, {}};
  out.pixels.assign(static_cast<size_t>(out.width) * out.height * channels, 255);
  auto paste = [&](const io::Image& image, int x0) {
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width * channels; ++x)
        out.pixels[(static_cast<size_t>(y) * out.width + x0) * channels + x] = image.pixels[(static_cast<size_t>(y) * image.width) * channels + x];
  };
  paste(left, 0);
  paste(right, left.width + gap);
  return out;
}

}  // namespace

Command add_demo(CLI::App& parent) {
  struct State {
    double time_limit = 180;
    int64_t threads = 0;
    int64_t seed = 0;
    int64_t samples = 5000;
    std::string out_dir = "runs/demo";
    std::string data = data::fashion_mnist_directory.string();
  };
  auto state = std::make_shared<State>();
  CLI::App* app = parent.add_subcommand(
      "demo", "train DCGAN and LPGA side by side on Fashion-MNIST on the oneDNN backend for a few minutes, then write "
              "their run logs, samples and FIDs");
  app->add_option("--time-limit", state->time_limit, "seconds of training, shared equally by the two models")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app->add_option("--threads", state->threads, "CPU threads (0: all cores)")->capture_default_str()->check(CLI::NonNegativeNumber);
  app->add_option("--seed", state->seed, "seed of weights, noise and data order")->capture_default_str()->check(CLI::NonNegativeNumber);
  app->add_option("--samples", state->samples, "samples per model for the FID")->capture_default_str()->check(CLI::Range(2, 100000));
  app->add_option("--out-dir", state->out_dir, "directory for the run files and images")->capture_default_str();
  app->add_option("--data", state->data, "Fashion-MNIST (or MNIST) IDX directory")->capture_default_str();

  return {app, [state] {
    const std::filesystem::path dir = state->out_dir;
    const double each = state->time_limit / 2;
    std::cout << "genlab demo: DCGAN and LPGA on " << state->data << ", oneDNN backend, " << each
              << " s of training each" << std::endl;

    dcgan::DcganConfig gan;
    gan.time_limit = each;
    gan.epochs = 1000;  // the time limit ends training
    gan.threads = state->threads;
    gan.seed = state->seed;
    gan.data = state->data;
    const std::filesystem::path gan_run = dir / "dcgan.h5";
    const auto gan_summary = dcgan::train<OneDnn>(gan, {gan_run, /*resume=*/false, /*overwrite=*/true});
    if (gan_summary.stopped_by == "interrupt") return exit_interrupted;

    pga::PgaConfig autoencoder;
    autoencoder.variant = "lpga";
    autoencoder.time_limit = each;
    autoencoder.warmup_steps = 500;  // the reference's 3000 would outlast a short demo
    autoencoder.threads = state->threads;
    autoencoder.seed = state->seed;
    autoencoder.data = state->data;
    const std::filesystem::path pga_run = dir / "lpga.h5";
    const auto pga_summary = pga::train<OneDnn>(autoencoder, {pga_run, /*resume=*/false, /*overwrite=*/true});
    if (pga_summary.stopped_by == "interrupt") return exit_interrupted;

    train::SampleConfig sample;
    sample.threads = state->threads;
    sample.checkpoint = gan_run.string();
    sample.out = (dir / "dcgan-samples.png").string();
    const auto gan_samples = dcgan::sample<OneDnn>(sample);
    sample.checkpoint = pga_run.string();
    sample.out = (dir / "lpga-samples.png").string();
    const auto pga_samples = pga::sample<OneDnn>(sample);
    const auto both = dir / "side-by-side.png";
    io::write_png(both, side_by_side(io::read_image(gan_samples), io::read_image(pga_samples)));

    const auto test_set = classifier_statistics({eval::SourceKind::idx, state->data}, data::Split::test, 0, "test-set features");
    auto fid_of = [&](const std::filesystem::path& run) {
      return metrics::frechet_distance(
          test_set, classifier_statistics({eval::SourceKind::run_file, run}, data::Split::train, state->samples,
                                          run.stem().string() + " features"));
    };
    const double gan_fid = fid_of(gan_run), pga_fid = fid_of(pga_run);

    std::cout << std::fixed << std::setprecision(2) << "\n"
              << "| model | steps | seconds | FID (" << state->samples << " samples vs the test set, classifier features) |\n"
              << "|---|---:|---:|---:|\n"
              << "| DCGAN | " << gan_summary.end.step << " | " << static_cast<int>(gan_summary.seconds) << " | " << gan_fid << " |\n"
              << "| LPGA | " << pga_summary.end.step << " | " << static_cast<int>(pga_summary.seconds) << " | " << pga_fid << " |\n\n"
              << "  run logs:     " << gan_run.string() << ", " << pga_run.string() << "  (losses, sample grids, checkpoints; h5py or HDFView)\n"
              << "  samples:      " << gan_samples.string() << ", " << pga_samples.string() << "  (8x8 grids)\n"
              << "  side by side: " << both.string() << "\n"
              << "more samples: genlab sample dcgan --checkpoint " << gan_run.string() << " --seed 1 --out more.png\n"
              << "interpolations: genlab sample pga --checkpoint " << pga_run.string() << " --grid 8x11 --interpolate --out walk.png\n";
    return 0;
  }};
}

}  // namespace genlab::cli
