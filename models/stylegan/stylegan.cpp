// StyleGAN's commands, instantiated for one backend per build of this file
// (architecture rule 2; backends/instantiated_backend.hpp).
#include "models/stylegan/stylegan.hpp"

#include <algorithm>
#include <cmath>

#include "backends/instantiated_backend.hpp"
#include "genlab/config/size.hpp"
#include "genlab/data/load.hpp"
#include "genlab/train/device.hpp"
#include "genlab/train/generate.hpp"
#include "models/stylegan/training.hpp"

namespace genlab::stylegan {
using train::tensor_options;

template <Backend B>
train::FitSummary train(const StyleganConfig& config, const train::RunOptions& run) {
  config::validate(config);
  check_minibatch_groups(config);
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = tensor_options<B>(config.device);
  const int64_t side = config.resolution;
  const data::ImageDataset dataset = data::load_images(config.data, data::Split::train,
                                                       {.height = side, .width = side, .channels = config.channels});
  if (dataset.channels != config.channels || !fits_resolution(dataset.height, dataset.width, side))
    throw ConfigError("StyleGAN is set up for " + std::to_string(config.channels) + "x" + std::to_string(side) + "x" +
                      std::to_string(side) + " images but " + dataset.source + " holds " +
                      std::to_string(dataset.channels) + "x" + std::to_string(dataset.height) + "x" +
                      std::to_string(dataset.width) + " ones; pass --resolution and --channels " +
                      std::to_string(dataset.channels) + ", or an image folder as --data");
  const data::BatchSampler batches(dataset, config.batch_size, Rng(config.seed).fork(streams::data_order));

  Attributes header = train::run_header("stylegan", B::name, options.device, dataset.source);
  // The data's own size, which may be smaller than the networks' (28x28 padded to 32x32):
  // evaluations compare the samples at it.
  header["data_height"] = dataset.height;
  header["data_width"] = dataset.width;
  auto [file, checkpoint] = train::open_run(run, header, config::to_attributes(config));
  StyleganTraining<B> task(config, options);
  return train::fit(task, batches, config, file, checkpoint, "stylegan");
}

namespace {

// The EMA generator of a run file's checkpoint and the config it was trained with.
template <Backend B>
std::pair<Generator<B>, StyleganConfig> load_generator(const train::TrainedRun& run,
                                                       const std::filesystem::path& run_file,
                                                       const TensorOptions& options) {
  const StyleganConfig model = config::from_attributes<StyleganConfig>(run.config);
  Rng unused(0);
  Generator<B> generator(model.architecture(), unused, options);
  try {
    nn::load_state_dict(generator, train::group(run.checkpoint, "generator_ema"));
  } catch (const ShapeError& e) {
    throw IoError("cannot load the EMA generator of '" + run_file.string() + "': " + e.what() +
                  " (a run file written by an older genlab, or by another model?)");
  }
  return {std::move(generator), model};
}

template <Backend B>
std::pair<Generator<B>, StyleganConfig> load_generator(const std::filesystem::path& run_file, const TensorOptions& options) {
  return load_generator<B>(train::read_trained_run(run_file, "stylegan", "StyleGAN"), run_file, options);
}

// The training data's image side from a run's header, or the networks' own when it does not say
// (run files before the header recorded it).
int64_t data_side(const train::TrainedRun& run, int64_t resolution) {
  const auto height = run.header.find("data_height");
  return height == run.header.end() ? resolution : std::get<int64_t>(height->second);
}

// The layers [first, last) whose styles a crossover name takes from source B: the paper's coarse
// (4x4 and 8x8), middle (16x16 and 32x32) and fine (64x64 and up) styles, with 32x32 counted as
// fine in a 32x32 network so that every range is non-empty.
std::pair<int64_t, int64_t> crossover_layers(const std::string& name, int64_t layers) {
  const int64_t middle_end = layers >= 10 ? 8 : 6;
  if (name == "coarse") return {0, 4};
  if (name == "middle") return {4, middle_end};
  return {middle_end, layers};
}

template <Backend B>
class Sampler {
 public:
  Sampler(Generator<B>& generator, const StyleganSampleConfig& config, const TensorOptions& options)
      : g_(generator), config_(config), options_(options), rng_(Rng(config.seed).fork(streams::sample_noise)) {}

  // Per-layer styles of `n` fresh latents, truncated as the config says.
  Tensor<B> styles(int64_t n) {
    const Tensor<B> z = ops::randn<B>({n, g_.architecture.latent_dim}, rng_, options_);
    return truncate(g_.broadcast(g_.mapping(z)), g_.w_avg.value, config_.truncation, config_.truncation_cutoff);
  }

  // One noise draw shared by `n` images, so that a figure's cells differ only by their styles.
  std::vector<Tensor<B>> shared_noise(int64_t n) {
    std::vector<Tensor<B>> noise = draw_noise<B>(g_.architecture, 1, rng_, options_);
    for (auto& layer : noise) layer = ops::expand(layer, {n, 1, layer.size(2), layer.size(3)});
    return noise;
  }

  std::vector<float> images(const Tensor<B>& ws, const std::vector<Tensor<B>>& noise) {
    return ops::clamp(g_.synthesis(ws, noise), -1.0, 1.0).to_host();
  }

  Shape image_shape(int64_t n) const {
    const int64_t side = g_.architecture.resolution;
    return {n, g_.architecture.channels, side, side};
  }
  int64_t image_size() const { return numel(image_shape(1)); }

  Rng& rng() { return rng_; }
  Generator<B>& generator() { return g_; }

 private:
  Generator<B>& g_;
  const StyleganSampleConfig& config_;
  TensorOptions options_;
  Rng rng_;
};

// (rows + 1) x (cols + 1): a blank corner, sources B along the first row, sources A down the first
// column, and in cell (i, j) A_i with B_j's styles in the crossover's layers (Figure 3).
template <Backend B>
io::Image style_mixing_figure(Sampler<B>& s, const StyleganSampleConfig& c) {
  const int64_t layers = s.generator().architecture.synthesis_layers();
  const auto [first, last] = crossover_layers(c.crossover, layers);
  const Tensor<B> ws_a = s.styles(c.rows), ws_b = s.styles(c.cols);
  const auto noise = s.shared_noise(1);
  const int64_t tile = s.image_size();
  std::vector<float> cells(static_cast<size_t>((c.rows + 1) * (c.cols + 1) * tile), -1.f);
  auto place = [&](int64_t row, int64_t col, const std::vector<float>& image) {
    std::copy(image.begin(), image.end(), cells.begin() + (row * (c.cols + 1) + col) * tile);
  };
  auto row_of = [](const Tensor<B>& ws, int64_t i) { return ops::slice(ws, 0, i, i + 1); };
  for (int64_t j = 0; j < c.cols; ++j) place(0, j + 1, s.images(row_of(ws_b, j), noise));
  for (int64_t i = 0; i < c.rows; ++i) {
    const Tensor<B> a = row_of(ws_a, i);
    place(i + 1, 0, s.images(a, noise));
    for (int64_t j = 0; j < c.cols; ++j) {
      // A's styles, B's in [first, last).
      const Tensor<B> mixed = mix_styles(mix_styles(a, row_of(ws_b, j), first), a, last);
      place(i + 1, j + 1, s.images(mixed, noise));
    }
  }
  return io::make_grid(cells, s.image_shape((c.rows + 1) * (c.cols + 1)), static_cast<int>(c.rows + 1),
                       static_cast<int>(c.cols + 1));
}

// Each row one latent, truncated with psi = -1 .. 1 along the row, its noise fixed (Figure 8).
template <Backend B>
io::Image truncation_sweep(Sampler<B>& s, const config::Size2& grid, int64_t cutoff) {
  Generator<B>& g = s.generator();
  const int64_t rows = grid.first, cols = grid.second, tile = s.image_size();
  const Tensor<B> z = ops::randn<B>({rows, g.architecture.latent_dim}, s.rng(), g.w_avg.value.options());
  const Tensor<B> ws = g.broadcast(g.mapping(z));
  const auto noise = draw_noise<B>(g.architecture, rows, s.rng(), g.w_avg.value.options());
  std::vector<float> cells(static_cast<size_t>(rows * cols * tile));
  for (int64_t j = 0; j < cols; ++j) {
    const double psi = cols > 1 ? -1.0 + 2.0 * static_cast<double>(j) / static_cast<double>(cols - 1) : 1.0;
    const std::vector<float> column = s.images(truncate(ws, g.w_avg.value, psi, cutoff), noise);
    for (int64_t i = 0; i < rows; ++i)
      std::copy(column.begin() + i * tile, column.begin() + (i + 1) * tile, cells.begin() + (i * cols + j) * tile);
  }
  return io::make_grid(cells, s.image_shape(rows * cols), static_cast<int>(rows), static_cast<int>(cols));
}

inline constexpr int noise_draws_for_deviation = 100;

// Each row one latent: columns 1 .. cols-1 with the noise drawn anew, the last the per-pixel
// standard deviation over 100 draws, scaled to the tile's range (Figure 4).
template <Backend B>
io::Image noise_figure(Sampler<B>& s, const config::Size2& grid) {
  Generator<B>& g = s.generator();
  const int64_t rows = grid.first, cols = grid.second, tile = s.image_size();
  const Tensor<B> ws = s.styles(rows);
  std::vector<float> cells(static_cast<size_t>(rows * cols * tile));
  for (int64_t i = 0; i < rows; ++i) {
    const Tensor<B> w = ops::expand(ops::slice(ws, 0, i, i + 1), {noise_draws_for_deviation, ws.size(1), ws.size(2)});
    const std::vector<float> draws = s.images(w, draw_noise<B>(g.architecture, noise_draws_for_deviation, s.rng(),
                                                               g.w_avg.value.options()));
    for (int64_t j = 0; j + 1 < cols; ++j)
      std::copy(draws.begin() + j * tile, draws.begin() + (j + 1) * tile, cells.begin() + (i * cols + j) * tile);
    std::vector<double> deviation(static_cast<size_t>(tile));
    double largest = 1e-12;
    for (int64_t p = 0; p < tile; ++p) {
      double sum = 0, square = 0;
      for (int k = 0; k < noise_draws_for_deviation; ++k) {
        const double v = draws[k * tile + p];
        sum += v;
        square += v * v;
      }
      const double mean = sum / noise_draws_for_deviation;
      deviation[p] = std::sqrt(std::max(0.0, square / noise_draws_for_deviation - mean * mean));
      largest = std::max(largest, deviation[p]);
    }
    for (int64_t p = 0; p < tile; ++p)
      cells[(i * cols + cols - 1) * tile + p] = static_cast<float>(2.0 * deviation[p] / largest - 1.0);
  }
  return io::make_grid(cells, s.image_shape(rows * cols), static_cast<int>(rows), static_cast<int>(cols));
}

// Each row a walk from one latent to another along the columns, the noise fixed: in Z along the
// great circle between z0 and z1 (slerp; PixelNorm puts every z on a sphere), in W along the
// straight line between f(z0) and f(z1). A W walk that looks smoother than the Z one is the
// paper's case that W is the less entangled space (section 4, perceptual path length).
template <Backend B>
io::Image interpolation_figure(Sampler<B>& s, const config::Size2& grid, const std::string& space) {
  Generator<B>& g = s.generator();
  const int64_t rows = grid.first, cols = grid.second, tile = s.image_size();
  const TensorOptions o = g.w_avg.value.options();
  const Tensor<B> z0 = ops::randn<B>({rows, g.architecture.latent_dim}, s.rng(), o);
  const Tensor<B> z1 = ops::randn<B>({rows, g.architecture.latent_dim}, s.rng(), o);
  const auto noise = draw_noise<B>(g.architecture, rows, s.rng(), o);
  const Tensor<B> w0 = g.mapping(z0), w1 = g.mapping(z1);
  // The angle between each row's two latents, for the great circle.
  const std::vector<float> cosines = (ops::sum(z0 * z1, {1}, true) /
                                      ops::sqrt(ops::sum(ops::square(z0), {1}, true) * ops::sum(ops::square(z1), {1}, true)))
                                         .to_host();
  std::vector<float> cells(static_cast<size_t>(rows * cols * tile));
  for (int64_t j = 0; j < cols; ++j) {
    const double t = cols > 1 ? static_cast<double>(j) / static_cast<double>(cols - 1) : 0.0;
    Tensor<B> w;
    if (space == "w") {
      w = w0 * (1.0 - t) + w1 * t;
    } else {
      std::vector<float> a(static_cast<size_t>(rows)), b(static_cast<size_t>(rows));
      for (int64_t i = 0; i < rows; ++i) {
        const double omega = std::acos(std::clamp(static_cast<double>(cosines[i]), -1.0, 1.0));
        const double sine = std::sin(omega);
        a[i] = static_cast<float>(sine < 1e-6 ? 1.0 - t : std::sin((1.0 - t) * omega) / sine);
        b[i] = static_cast<float>(sine < 1e-6 ? t : std::sin(t * omega) / sine);
      }
      const Tensor<B> weight_a = ops::from_host<B>(std::span<const float>(a), {rows, 1}, o);
      const Tensor<B> weight_b = ops::from_host<B>(std::span<const float>(b), {rows, 1}, o);
      w = g.mapping(z0 * weight_a + z1 * weight_b);
    }
    const std::vector<float> column = s.images(g.broadcast(w), noise);
    for (int64_t i = 0; i < rows; ++i)
      std::copy(column.begin() + i * tile, column.begin() + (i + 1) * tile, cells.begin() + (i * cols + j) * tile);
  }
  return io::make_grid(cells, s.image_shape(rows * cols), static_cast<int>(rows), static_cast<int>(cols));
}

}  // namespace

template <Backend B>
std::filesystem::path sample(const StyleganSampleConfig& config) {
  config::validate(config);
  const int figures =
      int{config.style_mix} + int{config.truncation_sweep} + int{config.noise_grid} + int{config.interpolate};
  if (figures > 1)
    throw ConfigError("genlab sample stylegan: --style-mix, --truncation-sweep, --noise-grid and --interpolate are "
                      "separate figures; give one of them");
  const auto grid = config::parse_size(config.grid, "grid");
  if (config.noise_grid && grid.second < 2)
    throw ConfigError("--noise-grid needs at least 2 columns (--grid ROWSxCOLS): noise draws and their deviation");
  if (config.checkpoint.empty()) throw ConfigError("missing --checkpoint: the run file to sample from");
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = tensor_options<B>(config.device);
  auto [generator, model] = load_generator<B>(config.checkpoint, options);
  NoGradGuard<B> no_grad;
  Sampler<B> sampler(generator, config, options);
  io::Image image;
  if (config.style_mix) {
    image = style_mixing_figure(sampler, config);
  } else if (config.truncation_sweep) {
    image = truncation_sweep(sampler, grid, config.truncation_cutoff);
  } else if (config.noise_grid) {
    image = noise_figure(sampler, grid);
  } else if (config.interpolate) {
    image = interpolation_figure(sampler, grid, config.space);
  } else {
    const int64_t n = grid.first * grid.second;
    const Tensor<B> ws = sampler.styles(n);
    image = io::make_grid(sampler.images(ws, draw_noise<B>(model.architecture(), n, sampler.rng(), options)),
                          sampler.image_shape(n), static_cast<int>(grid.first), static_cast<int>(grid.second));
  }
  io::write_png(config.out, image);
  return config.out;
}

// Samples at the data's size: a network trained on 28x28 images padded to 32x32 gives its central
// 28x28, the part that mirrors the data, so that FID compares like with like.
template <Backend B>
data::Batch generate(const std::filesystem::path& run_file, int64_t count, uint64_t seed, const std::string& device) {
  const TensorOptions options = tensor_options<B>(device);
  const train::TrainedRun run = train::read_trained_run(run_file, "stylegan", "StyleGAN");
  auto [generator, model] = load_generator<B>(run, run_file, options);
  const Architecture a = model.architecture();
  const int64_t side = data_side(run, a.resolution), border = (a.resolution - side) / 2;
  Rng rng = Rng(seed).fork(streams::sample_noise);
  NoGradGuard<B> no_grad;
  return train::generate_in_batches({a.channels, side, side}, count, [&](int64_t n) {
    const Tensor<B> z = ops::randn<B>({n, a.latent_dim}, rng, options);
    const Tensor<B> images = generator.synthesis(generator.broadcast(generator.mapping(z)), draw_noise<B>(a, n, rng, options));
    return ops::slice(ops::slice(images, 2, border, border + side), 3, border, border + side).to_host();
  });
}

template train::FitSummary train<InstantiatedBackend>(const StyleganConfig&, const train::RunOptions&);
template std::filesystem::path sample<InstantiatedBackend>(const StyleganSampleConfig&);
template data::Batch generate<InstantiatedBackend>(const std::filesystem::path&, int64_t, uint64_t, const std::string&);

}  // namespace genlab::stylegan
