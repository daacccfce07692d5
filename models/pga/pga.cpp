// PGA's commands, instantiated for one backend per build of this file
// (architecture rule 2; backends/instantiated_backend.hpp).
#include "models/pga/pga.hpp"

#include "backends/instantiated_backend.hpp"
#include "genlab/config/size.hpp"
#include "genlab/data/load.hpp"
#include "genlab/train/device.hpp"
#include "genlab/train/generate.hpp"
#include "models/pga/training.hpp"

namespace genlab::pga {
using train::tensor_options;

namespace {

data::ImageDataset read_data(const PgaConfig& c, data::Split split) {
  const data::ImageDataset dataset =
      data::load_images(c.data, split, {.height = c.image_size, .width = c.image_size, .channels = c.channels});
  if (dataset.image_shape() != Shape{c.channels, c.image_size, c.image_size})
    throw ConfigError("PGA is set up for " + to_string(Shape{c.channels, c.image_size, c.image_size}) + " images but " +
                      dataset.source + " holds " + to_string(dataset.image_shape()) + " ones; pass --image-size " +
                      std::to_string(dataset.height) + " --channels " + std::to_string(dataset.channels));
  return dataset;
}

// The networks of a run file's checkpoint, in evaluation mode, and the config they were trained with.
template <Backend B>
struct Loaded {
  PgaConfig config;
  Encoder<B> encoder;
  Decoder<B> decoder;
};

template <Backend B>
Loaded<B> load(const std::filesystem::path& run_file, const TensorOptions& options) {
  const train::TrainedRun run = train::read_trained_run(run_file, "pga", "PGA");
  const PgaConfig config = config::from_attributes<PgaConfig>(run.config).resolved();
  Rng unused(0);
  Loaded<B> out{config, Encoder<B>(config, config.variant != "lpga", unused, options), Decoder<B>(config, unused, options)};
  try {
    nn::load_state_dict(out.encoder, train::group(run.checkpoint, "encoder"));
    nn::load_state_dict(out.decoder, train::group(run.checkpoint, "decoder"));
  } catch (const ShapeError& e) {
    throw IoError("cannot load the networks of '" + run_file.string() + "': " + e.what());
  }
  nn::set_training(out.encoder, false);
  nn::set_training(out.decoder, false);
  return out;
}

// Rows of [image A, decoded (1 - t) Enc(A) + t Enc(B) for cols - 2 steps of t from 0 to 1, image B].
template <Backend B>
Tensor<B> interpolation_rows(Loaded<B>& model, int64_t rows, int64_t cols, Rng& rng, const TensorOptions& options) {
  if (cols < 3) throw ConfigError("--interpolate needs a grid of 3 columns or more (two images and the walk between)");
  const data::ImageDataset test = read_data(model.config, data::Split::test);
  const int64_t image = test.channels * test.height * test.width;
  std::vector<float> ends(2 * rows * image);
  for (int64_t k = 0; k < 2 * rows; ++k) {
    const int64_t index = static_cast<int64_t>(rng.next() % static_cast<uint64_t>(test.count));
    for (int64_t i = 0; i < image; ++i) ends[k * image + i] = static_cast<float>(test.pixels[index * image + i]) / 127.5f - 1.f;
  }
  const Shape image_shape{test.channels, test.height, test.width};
  const Tensor<B> pictures = ops::from_host<B>(std::span<const float>(ends), {2 * rows, test.channels, test.height, test.width}, options);
  const std::vector<float> codes = model.encoder(pictures).mu.to_host();
  const int64_t d = model.config.latent_dim, steps = cols - 2;
  std::vector<float> walk(rows * steps * d);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t s = 0; s < steps; ++s) {
      const float t = steps > 1 ? static_cast<float>(s) / static_cast<float>(steps - 1) : 0.5f;
      for (int64_t j = 0; j < d; ++j)
        walk[(r * steps + s) * d + j] = (1 - t) * codes[(2 * r) * d + j] + t * codes[(2 * r + 1) * d + j];
    }
  const std::vector<float> decoded = model.decoder(ops::from_host<B>(std::span<const float>(walk), {rows * steps, d}, options)).to_host();
  std::vector<float> grid;
  grid.reserve(rows * cols * image);
  for (int64_t r = 0; r < rows; ++r) {
    grid.insert(grid.end(), ends.begin() + (2 * r) * image, ends.begin() + (2 * r + 1) * image);
    grid.insert(grid.end(), decoded.begin() + r * steps * image, decoded.begin() + (r + 1) * steps * image);
    grid.insert(grid.end(), ends.begin() + (2 * r + 1) * image, ends.begin() + (2 * r + 2) * image);
  }
  return ops::from_host<B>(std::span<const float>(grid), {rows * cols, test.channels, test.height, test.width}, options);
}

}  // namespace

template <Backend B>
train::FitSummary train(const PgaConfig& given, const train::RunOptions& run) {
  config::validate(given);
  const PgaConfig config = given.resolved();
  if (config.latent_dim < 1) throw ConfigError("latent_dim (--latent-dim) must be at least 1, or -1 for the variant's default");
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = tensor_options<B>(config.device);
  const data::ImageDataset dataset = read_data(config, data::Split::train);
  const data::BatchSampler batches(dataset, config.batch_size, Rng(config.seed).fork(streams::data_order));
  Attributes header = train::run_header("pga", B::name, options.device, dataset.source);
  header["variant"] = config.variant;
  auto [file, checkpoint] = train::open_run(run, header, config::to_attributes(config));
  PgaTraining<B> task(config, options);
  return train::fit(task, batches, config, file, checkpoint, config.variant);
}

template <Backend B>
std::filesystem::path sample(const train::SampleConfig& config) {
  config::validate(config);
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = tensor_options<B>(config.device);
  const auto grid = config::parse_size(config.grid, "grid");
  if (config.checkpoint.empty()) throw ConfigError("missing --checkpoint: the run file to sample from");
  Loaded<B> model = load<B>(config.checkpoint, options);
  Rng rng = Rng(config.seed).fork(streams::sample_noise);
  NoGradGuard<B> no_grad;
  const Tensor<B> images = config.interpolate
                               ? interpolation_rows(model, grid.first, grid.second, rng, options)
                               : model.decoder(ops::randn<B>({grid.first * grid.second, model.config.latent_dim}, rng, options));
  return train::write_sample_grid(config, images.to_host(), images.shape(), grid);
}

template <Backend B>
data::Batch generate(const std::filesystem::path& run_file, int64_t count, uint64_t seed, const std::string& device) {
  const TensorOptions options = tensor_options<B>(device);
  Loaded<B> model = load<B>(run_file, options);
  Rng rng = Rng(seed).fork(streams::sample_noise);
  const PgaConfig& c = model.config;
  NoGradGuard<B> no_grad;
  return train::generate_in_batches({c.channels, c.image_size, c.image_size}, count, [&](int64_t n) {
    return model.decoder(ops::randn<B>({n, c.latent_dim}, rng, options)).to_host();
  });
}

template train::FitSummary train<InstantiatedBackend>(const PgaConfig&, const train::RunOptions&);
template std::filesystem::path sample<InstantiatedBackend>(const train::SampleConfig&);
template data::Batch generate<InstantiatedBackend>(const std::filesystem::path&, int64_t, uint64_t, const std::string&);

}  // namespace genlab::pga
