// Training genlab's domain classifier: cross-entropy with Adam, then its accuracy on the test set.
#include "models/classifier/classifier.hpp"

#include <algorithm>
#include <iostream>

#include "backends/instantiated_backend.hpp"
#include "genlab/features/domain_classifier.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/losses/cross_entropy.hpp"
#include "genlab/optim/adam.hpp"
#include "genlab/optim/schedule.hpp"
#include "genlab/train/checkpoint.hpp"
#include "genlab/train/device.hpp"

namespace genlab::classifier {
namespace {

IndexTensor labels_of(const std::vector<int32_t>& labels) {
  return {{static_cast<int64_t>(labels.size())}, std::vector<int64_t>(labels.begin(), labels.end())};
}

double fraction_correct(const IndexTensor& predicted, const std::vector<int32_t>& labels) {
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += predicted.values[i] == labels[i];
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

template <Backend B>
double accuracy(features::DomainClassifier<B>& net, const data::ImageDataset& test, const TensorOptions& options) {
  if (test.labels.empty()) throw ConfigError("the test set " + test.source + " has no labels");
  nn::set_training(net, false);
  NoGradGuard<B> no_grad;
  const int64_t batch = 500;
  const int64_t image = test.channels * test.height * test.width;
  int64_t correct = 0;
  for (int64_t start = 0; start < test.count; start += batch) {
    const int64_t n = std::min(batch, test.count - start);
    std::vector<float> pixels(n * image);
    for (int64_t i = 0; i < n * image; ++i) pixels[i] = static_cast<float>(test.pixels[start * image + i]) / 127.5f - 1.f;
    const auto logits = net(ops::from_host<B>(std::span<const float>(pixels), {n, 1, 28, 28}, options)).logits;
    const auto predicted = ops::argmax(logits, 1);
    for (int64_t i = 0; i < n; ++i) correct += predicted.values[i] == test.labels[start + i];
  }
  nn::set_training(net, true);
  return static_cast<double>(correct) / static_cast<double>(test.count);
}

// Mirrors each image of the batch left to right with probability 1/2 (clothing is left-right
// symmetric, so this doubles the training set for free). The draws depend on the seed and the step
// only, so a resumed run flips the same images.
void flip_half_horizontally(data::Batch& batch, const Rng& stream, int64_t step) {
  Rng rng = stream.fork(static_cast<uint64_t>(step));
  const int64_t width = batch.shape[3], rows = batch.shape[1] * batch.shape[2];
  for (int64_t i = 0; i < batch.shape[0]; ++i) {
    if (rng.uniform() >= 0.5) continue;
    float* image = batch.images.data() + i * rows * width;
    for (int64_t r = 0; r < rows; ++r) std::reverse(image + r * width, image + (r + 1) * width);
  }
}

void check_28x28_grey(const data::ImageDataset& d) {
  if (d.image_shape() != Shape{1, 28, 28})
    throw ConfigError("the classifier takes 1x28x28 images; " + d.source + " holds " + to_string(d.image_shape()));
}

template <Backend B>
class ClassifierTraining {
 public:
  ClassifierTraining(const ClassifierConfig& config, int64_t total_steps, const TensorOptions& options)
      : options_(options),
        base_lr_(config.lr),
        schedule_(optim::cosine_decay(total_steps)),
        weights_rng_(Rng(config.seed).fork(streams::weights)),
        augmentation_rng_(Rng(config.seed).fork(streams::augmentation)),
        net_(weights_rng_, options),
        optimizer_(nn::parameters<B>(net_), {.lr = config.lr}) {}

  train::Values step(const data::Batch& batch) {
    optimizer_.options().lr = base_lr_ * schedule_(optimizer_.steps());
    data::Batch augmented = batch;
    flip_half_horizontally(augmented, augmentation_rng_, optimizer_.steps());
    const auto images = ops::from_host<B>(std::span<const float>(augmented.images), augmented.shape, options_);
    const auto logits = net_(images).logits;
    const auto loss = losses::cross_entropy(logits, labels_of(batch.labels));
    optimizer_.zero_grad();
    loss.backward();
    optimizer_.step();
    return {{"loss", loss.item()}, {"accuracy", fraction_correct(ops::argmax(logits, 1), batch.labels)}};
  }

  void save(io::Checkpoint& checkpoint) {
    checkpoint.groups["classifier"] = nn::state_dict(net_);
    train::save_optimizer(checkpoint, "classifier", optimizer_.state());
  }

  void load(const io::Checkpoint& checkpoint) {
    nn::load_state_dict(net_, train::group(checkpoint, "classifier"));
    optimizer_.load_state(train::load_optimizer(checkpoint, "classifier"));
  }

  features::DomainClassifier<B>& net() { return net_; }

 private:
  TensorOptions options_;
  double base_lr_;
  optim::Schedule schedule_;
  Rng weights_rng_;
  Rng augmentation_rng_;
  features::DomainClassifier<B> net_;
  optim::Adam<B> optimizer_;
};

// A weights file of the classifier alone, or a run file whose checkpoint holds it.
StateDict classifier_weights(const std::filesystem::path& path) {
  StateDict all = io::read_weights(path), own;
  for (auto& [name, t] : all) {
    if (name.starts_with("optimizer.")) continue;
    own[name.starts_with("classifier.") ? name.substr(11) : name] = std::move(t);
  }
  return own;
}

}  // namespace

template <Backend B>
TrainResult train(const ClassifierConfig& config, const train::RunOptions& run) {
  config::validate(config);
  B::set_num_threads(static_cast<int>(config.threads));
  const TensorOptions options = train::tensor_options<B>(config.device);
  const auto training_set = data::read_idx_directory(config.data, data::Split::train);
  const auto test_set = data::read_idx_directory(config.data, data::Split::test);
  check_28x28_grey(training_set);
  if (training_set.labels.empty()) throw ConfigError("the training set " + training_set.source + " has no labels");
  const data::BatchSampler batches(training_set, config.batch_size, Rng(config.seed).fork(streams::data_order));
  const Attributes header = train::run_header("classifier", B::name, options.device, training_set.source);
  auto [file, checkpoint] = train::open_run(run, header, config::to_attributes(config));
  int64_t total_steps = config.epochs * batches.batches_per_epoch();
  if (config.steps > 0) total_steps = std::min(total_steps, config.steps);
  ClassifierTraining<B> task(config, total_steps, options);
  TrainResult result{train::fit(task, batches, config, file, checkpoint, "classifier"), 0.0};
  const int64_t calibration_batches = std::min<int64_t>(50, batches.batches_per_epoch());
  nn::recompute_batch_norm_statistics<B>(task.net(), calibration_batches, [&](int64_t k) {
    const auto batch = batches.batch(0, k);
    task.net()(ops::from_host<B>(std::span<const float>(batch.images), batch.shape, options));
  });
  result.test_accuracy = accuracy(task.net(), test_set, options);
  file.add_scalar("test_accuracy", result.summary.end.step, result.test_accuracy);
  train::write_checkpoint(task, file, result.summary.end);  // with the recomputed statistics
  if (!config.export_weights.empty())
    io::write_safetensors(config.export_weights, nn::state_dict(task.net()),
                          {{"model", "genlab domain classifier"},
                           {"dataset", training_set.source},
                           {"test_accuracy", std::to_string(result.test_accuracy)}});
  return result;
}

template <Backend B>
double test_accuracy(const std::filesystem::path& weights, const std::filesystem::path& data, const std::string& device) {
  const TensorOptions options = train::tensor_options<B>(device);
  Rng unused(0);
  features::DomainClassifier<B> net(unused, options);
  nn::load_state_dict(net, classifier_weights(weights));
  const auto test_set = data::read_idx_directory(data, data::Split::test);
  check_28x28_grey(test_set);
  return accuracy(net, test_set, options);
}

template TrainResult train<InstantiatedBackend>(const ClassifierConfig&, const train::RunOptions&);
template double test_accuracy<InstantiatedBackend>(const std::filesystem::path&, const std::filesystem::path&, const std::string&);

}  // namespace genlab::classifier
