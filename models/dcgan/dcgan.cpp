// DCGAN's commands, instantiated for one backend per build of this file
// (architecture rule 2; backends/instantiated_backend.hpp).
#include "models/dcgan/dcgan.hpp"

#include "backends/instantiated_backend.hpp"
#include "genlab/config/size.hpp"
#include "genlab/data/load.hpp"
#include "genlab/train/device.hpp"
#include "genlab/train/generate.hpp"
#include "models/dcgan/training.hpp"

namespace genlab::dcgan {
using train::tensor_options;

template <Backend B>
train::FitSummary train(const DcganConfig& config, const train::RunOptions& run) {
  config::validate(config);
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = tensor_options<B>(config.device);
  const data::ImageDataset dataset = data::load_images(
      config.data, data::Split::train, {.height = config.image_size, .width = config.image_size, .channels = config.channels});
  if (dataset.image_shape() != Shape{config.channels, config.image_size, config.image_size})
    throw ConfigError("DCGAN is set up for " + std::to_string(config.channels) + "x" + std::to_string(config.image_size) +
                      "x" + std::to_string(config.image_size) + " images but " + dataset.source + " holds " +
                      std::to_string(dataset.channels) + "x" + std::to_string(dataset.height) + "x" +
                      std::to_string(dataset.width) + " ones; pass --image-size " + std::to_string(dataset.height) +
                      " --channels " + std::to_string(dataset.channels) + ", or an image folder as --data");
  const data::BatchSampler batches(dataset, config.batch_size, Rng(config.seed).fork(streams::data_order));

  const Attributes header = train::run_header("dcgan", B::name, options.device, dataset.source);
  auto [file, checkpoint] = train::open_run(run, header, config::to_attributes(config));
  DcganTraining<B> task(config, options);
  return train::fit(task, batches, config, file, checkpoint, "dcgan");
}

namespace {

// Latent codes for a rows x cols grid: independent draws, or rows that walk linearly from one
// draw to another.
std::vector<float> latent_codes(int64_t rows, int64_t cols, int64_t dim, bool interpolate, Rng& rng) {
  std::vector<float> z(rows * cols * dim);
  if (!interpolate) {
    rng.fill_normal(z);
    return z;
  }
  std::vector<float> from(dim), to(dim);
  for (int64_t r = 0; r < rows; ++r) {
    rng.fill_normal(from);
    rng.fill_normal(to);
    for (int64_t c = 0; c < cols; ++c) {
      const float t = cols > 1 ? static_cast<float>(c) / static_cast<float>(cols - 1) : 0.f;
      for (int64_t i = 0; i < dim; ++i) z[(r * cols + c) * dim + i] = (1 - t) * from[i] + t * to[i];
    }
  }
  return z;
}

}  // namespace

// The generator of a run file's checkpoint, in evaluation mode, and the config it was trained with.
template <Backend B>
std::pair<Generator<B>, DcganConfig> load_generator(const std::filesystem::path& run_file, const TensorOptions& options) {
  const train::TrainedRun run = train::read_trained_run(run_file, "dcgan", "DCGAN");
  const DcganConfig model = config::from_attributes<DcganConfig>(run.config);
  Rng unused(0);
  Generator<B> generator(model, unused, options);
  try {
    nn::load_state_dict(generator, train::group(run.checkpoint, "generator"));
  } catch (const ShapeError& e) {
    throw IoError("cannot load the generator of '" + run_file.string() + "': " + e.what() +
                  " (a run file written by an older genlab, or by another model?)");
  }
  nn::set_training(generator, false);
  return {std::move(generator), model};
}

template <Backend B>
std::filesystem::path sample(const SampleConfig& config) {
  config::validate(config);
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = tensor_options<B>(config.device);
  const auto grid = config::parse_size(config.grid, "grid");
  if (config.checkpoint.empty()) throw ConfigError("missing --checkpoint: the run file to sample from");
  auto [generator, model] = load_generator<B>(config.checkpoint, options);

  Rng rng = Rng(config.seed).fork(streams::sample_noise);
  const auto z = latent_codes(grid.first, grid.second, model.latent_dim, config.interpolate, rng);
  NoGradGuard<B> no_grad;
  const Tensor<B> images =
      generator(ops::from_host<B>(std::span<const float>(z), {grid.first * grid.second, model.latent_dim}, options));
  return train::write_sample_grid(config, images.to_host(), images.shape(), grid);
}

template <Backend B>
data::Batch generate(const std::filesystem::path& run_file, int64_t count, uint64_t seed, const std::string& device) {
  const TensorOptions options = tensor_options<B>(device);
  auto [generator, model] = load_generator<B>(run_file, options);
  Rng rng = Rng(seed).fork(streams::sample_noise);
  NoGradGuard<B> no_grad;
  return train::generate_in_batches({model.channels, model.image_size, model.image_size}, count, [&](int64_t n) {
    std::vector<float> z(n * model.latent_dim);
    rng.fill_normal(std::span<float>(z));
    return generator(ops::from_host<B>(std::span<const float>(z), {n, model.latent_dim}, options)).to_host();
  });
}

template train::FitSummary train<InstantiatedBackend>(const DcganConfig&, const train::RunOptions&);
template std::filesystem::path sample<InstantiatedBackend>(const SampleConfig&);
template data::Batch generate<InstantiatedBackend>(const std::filesystem::path&, int64_t, uint64_t, const std::string&);

}  // namespace genlab::dcgan
