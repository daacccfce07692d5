// genlab data fashion-mnist-m: the built-in two-domain set of the image translators.
#include <chrono>
#include <iostream>

#include "experiments/cli/command.hpp"
#include "genlab/data/fashion_mnist_m.hpp"
#include "genlab/data/idx.hpp"

namespace genlab::cli {

Command add_data_fashion_mnist_m(CLI::App& data_app) {
  struct State {
    std::string fashion_mnist = data::fashion_mnist_directory.string();
    std::string photos = "data/photos";
    std::string out = "data/fashion-mnist-m";
    data::FashionMnistMOptions options;
  };
  auto state = std::make_shared<State>();
  CLI::App* app = data_app.add_subcommand(
      "fashion-mnist-m",
      "write Fashion-MNIST and Fashion-MNIST-M (items blended onto photograph crops, as MNIST-M) as unpaired "
      "domains OUT/trainA, trainB, testA, testB");
  app->add_option("--fashion-mnist", state->fashion_mnist, "Fashion-MNIST IDX directory")->capture_default_str();
  app->add_option("--photos", state->photos,
                  "photograph folder with train/ and eval/ (data/prepare-codec-photos makes it): backgrounds of "
                  "the training and the test items")
      ->capture_default_str();
  app->add_option("--out", state->out, "output folder (must not hold trainA, trainB, testA or testB yet)")
      ->capture_default_str();
  app->add_option("--per-domain", state->options.per_domain, "items per domain and split (-1: all)")
      ->capture_default_str();
  app->add_option("--photo-side", state->options.photo_side,
                  "short side the photographs are shrunk to before the 32x32 crops")
      ->capture_default_str();
  app->add_option("--seed", state->options.seed, "seed of the backgrounds")->capture_default_str();
  return {app, [state] {
            const auto start = std::chrono::steady_clock::now();
            const std::filesystem::path photos = state->photos;
            std::cout << "writing Fashion-MNIST-M to " << state->out << " ...\n" << std::flush;
            const auto counts = data::write_fashion_mnist_m(state->fashion_mnist, photos / "train", photos / "eval",
                                                            state->out, state->options);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::cout << "wrote trainA " << counts.train_a << ", trainB " << counts.train_b << ", testA "
                      << counts.test_a << ", testB " << counts.test_b << " images to " << state->out << " in "
                      << static_cast<int>(seconds) << " s\n";
            return 0;
          }};
}

}  // namespace genlab::cli
