// genlab eval: metrics of image sets, image pairs and rate-quality curves.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "experiments/backend/backend_commands.hpp"
#include "experiments/cli/command.hpp"
#include "experiments/codec/rate_quality.hpp"
#include "experiments/eval/eval_config.hpp"
#include "experiments/eval/features.hpp"
#include "genlab/data/image_folder.hpp"
#include "genlab/io/image.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/io/weights.hpp"
#include "genlab/metrics/bjontegaard.hpp"
#include "genlab/metrics/feature_statistics_file.hpp"
#include "genlab/metrics/frechet_distance.hpp"
#include "genlab/metrics/inception_score.hpp"
#include "genlab/metrics/kernel_inception_distance.hpp"
#include "genlab/metrics/precision_recall.hpp"
#include "genlab/metrics/rate_quality_curve.hpp"
#include "genlab/metrics/sifid.hpp"

namespace genlab::cli {
namespace fs = std::filesystem;
using eval::DistributionConfig;

namespace {

// ---- Features of a source, computed once for data sets (cached by what determines them).

// FNV-1a over everything that determines a data set's features.
std::string cache_key(const eval::Source& source, const std::string& split, const DistributionConfig& c) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& text) {
    for (unsigned char ch : text) h = (h ^ ch) * 1099511628211ull;
  };
  auto mix_file = [&](const fs::path& p) {
    std::error_code ec;
    mix(fs::weakly_canonical(p, ec).string());
    if (fs::is_regular_file(p, ec))
      mix(std::to_string(fs::file_size(p, ec)) + "@" + std::to_string(fs::last_write_time(p, ec).time_since_epoch().count()));
  };
  mix_file(source.path);
  for (const auto& entry : fs::recursive_directory_iterator(source.path)) mix_file(entry.path());
  mix(c.features + "|" + split);
  mix_file(c.weights.empty() ? eval::shipped_classifier_weights() : fs::path(c.weights));
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return c.features + "-" + text + ".h5";
}

eval::FeatureSet features_of(const eval::Source& source, const DistributionConfig& c, const char* side) {
  const std::string& split = std::string(side) == "real" ? c.real_split : c.fake_split;
  if (source.kind == eval::SourceKind::features) return eval::read_feature_file(source.path);
  if (source.kind == eval::SourceKind::statistics)
    throw ConfigError("the " + source.describe() + " has only the statistics FID needs, not the features this metric needs");
  const bool cacheable = !c.cache_dir.empty() && source.kind != eval::SourceKind::run_file;
  const fs::path cached = cacheable ? fs::path(c.cache_dir) / cache_key(source, split, c) : fs::path();
  if (cacheable && fs::exists(cached)) return eval::read_feature_file(cached);
  const eval::Extractor extractor{c.features, c.weights};
  const auto images = eval::load_images(source, split == "train" ? data::Split::train : data::Split::test,
                                        {c.samples, static_cast<uint64_t>(c.seed), c.backend, c.device},
                                        eval::network_input(extractor));
  const backend::Commands& on = backend::commands(c.backend);
  on.set_num_threads(static_cast<int>(c.threads));
  auto set = on.extract_features(images, extractor, c.batch_size, c.device, std::string(side) + " features");
  if (cacheable) eval::write_feature_file(cached, set);
  return set;
}

metrics::FeatureStatistics statistics_of(const eval::Source& source, const DistributionConfig& c, const char* side) {
  if (source.kind == eval::SourceKind::statistics) return metrics::load_feature_statistics(source.path);
  const auto set = features_of(source, c, side);
  return metrics::feature_statistics(metrics::FeatureMatrix(set.features, std::string(side) + " features"));
}

struct Sides {
  eval::Source real, fake;
};

Sides sides_of(const DistributionConfig& c, bool needs_real = true) {
  if (needs_real && c.real.empty()) throw ConfigError("missing --real: the source of the real images");
  if (c.fake.empty()) throw ConfigError("missing --fake: the source of the generated images");
  Sides sides{needs_real ? eval::identify_source(c.real) : eval::Source{}, eval::identify_source(c.fake)};
  if (c.record && sides.fake.kind != eval::SourceKind::run_file)
    throw ConfigError("--record stores the value in the --fake run file, but --fake is the " + sides.fake.describe());
  return sides;
}

// --record: the values join the --fake run's /metrics series at the step of the checkpoint that
// made the samples, so `genlab compare` and sweeps can rank runs by them.
void record_in_run(const DistributionConfig& c, const eval::Source& fake,
                   const std::vector<std::pair<std::string, double>>& values) {
  if (!c.record) return;
  io::RunFile run = io::RunFile::open(fake.path);
  const auto checkpoint = run.checkpoint();
  if (!checkpoint) throw IoError("cannot record in '" + fake.path.string() + "': it has no checkpoint");
  for (const auto& [name, value] : values) run.add_metric(name, checkpoint->step, value);
  run.commit();
}

void report(const std::string& metric, const nlohmann::json& values, const std::string& text, bool json) {
  if (json) {
    nlohmann::json out = values;
    out["metric"] = metric;
    std::cout << out.dump() << "\n";
  } else {
    std::cout << text << "\n";
  }
}

std::string fixed(double v, int digits = 4) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

// ---- Commands.

template <class Config, class Body>
Command distribution_command(CLI::App& parent, const char* name, const char* help, Body body) {
  auto config = std::make_shared<Config>();
  CLI::App* app = parent.add_subcommand(name, help);
  config::add_options(*app, *config);
  return {app, [config, body] {
            config::validate(*config);
            body(*config);
            return 0;
          }};
}

// Image pairs: one file each, or folders paired by sorted file name.
std::vector<std::pair<fs::path, fs::path>> image_pairs(const eval::PairedConfig& c) {
  if (c.real.empty() || c.fake.empty()) throw ConfigError("missing --real or --fake: the images to compare");
  auto files = [](const fs::path& p) {
    std::vector<fs::path> out;
    if (!fs::is_directory(p)) return std::vector<fs::path>{p};
    for (const auto& e : fs::directory_iterator(p))
      if (e.is_regular_file() && data::is_image_file(e.path())) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  };
  const auto a = files(c.real), b = files(c.fake);
  if (a.size() != b.size() || a.empty())
    throw ConfigError("--real holds " + std::to_string(a.size()) + " images and --fake " + std::to_string(b.size()) +
                      "; paired metrics need the same number, at least one, paired by sorted name");
  std::vector<std::pair<fs::path, fs::path>> pairs;
  for (size_t i = 0; i < a.size(); ++i) pairs.emplace_back(a[i], b[i]);
  return pairs;
}

// The mean over image pairs of the metric called `name` (experiments/eval/paired_metrics.hpp).
Command paired_command(CLI::App& parent, const char* name, const char* help) {
  auto config = std::make_shared<eval::PairedConfig>();
  CLI::App* app = parent.add_subcommand(name, help);
  config::add_options(*app, *config);
  return {app, [config, name] {
            config::validate(*config);
            const auto pairs = image_pairs(*config);
            const double mean = backend::commands(config->backend).mean_paired_metric(name, *config, pairs);
            report(name, {{"value", mean}, {"pairs", pairs.size()}},
                   std::string(name) + " " + fixed(mean) + "  (mean over " + std::to_string(pairs.size()) + " image pairs)",
                   config->json);
            return 0;
          }};
}

}  // namespace

std::vector<Command> add_eval(CLI::App& parent) {
  CLI::App* eval_app = parent.add_subcommand("eval", "measure images, runs or codecs: FID, KID, IS, PSNR, MS-SSIM, ...");
  eval_app->require_subcommand(1);
  std::vector<Command> commands;

  commands.push_back(distribution_command<eval::FidConfig>(
      *eval_app, "fid", "Frechet distance between feature statistics (Heusel et al. 2017)", [](const DistributionConfig& c) {
        const auto [real, fake] = sides_of(c);
        const auto a = statistics_of(real, c, "real"), b = statistics_of(fake, c, "fake");
        const auto terms = metrics::frechet_distance_terms(a, b);
        report("fid",
               {{"value", terms.value()}, {"real", real.describe()}, {"fake", fake.describe()}, {"real_count", a.count},
                {"fake_count", b.count}, {"features", c.features}, {"dimensions", a.dimensions()}},
               "FID " + fixed(terms.value()) + "  (" + real.describe() + ": " + std::to_string(a.count) + "; " +
                   fake.describe() + ": " + std::to_string(b.count) + "; " + c.features + " features, " +
                   std::to_string(a.dimensions()) + "-d)",
               c.json);
        record_in_run(c, fake, {{"fid", terms.value()}});
      }));

  commands.push_back(distribution_command<eval::KidConfig>(
      *eval_app, "kid", "kernel inception distance, mean and std over subsets (Binkowski et al. 2018)",
      [](const eval::KidConfig& c) {
        const auto [real, fake] = sides_of(c);
        const auto a = features_of(real, c, "real"), b = features_of(fake, c, "fake");
        const auto kid = metrics::kernel_inception_distance(
            metrics::FeatureMatrix(a.features, "real features"), metrics::FeatureMatrix(b.features, "fake features"),
            {c.subsets, c.subset_size, static_cast<uint64_t>(c.seed)});
        report("kid", {{"mean", kid.mean}, {"std", kid.std}, {"subsets", c.subsets}, {"features", c.features}},
               "KID " + fixed(kid.mean, 6) + " +- " + fixed(kid.std, 6) + "  (" + std::to_string(c.subsets) +
                   " subsets; std with ddof 0; " + c.features + " features)",
               c.json);
        record_in_run(c, fake, {{"kid", kid.mean}});
      }));

  commands.push_back(distribution_command<eval::PrecisionRecallConfig>(
      *eval_app, "precision-recall", "improved precision and recall of k-NN manifolds (Kynkaanniemi et al. 2019)",
      [](const eval::PrecisionRecallConfig& c) {
        const auto [real, fake] = sides_of(c);
        const auto a = features_of(real, c, "real"), b = features_of(fake, c, "fake");
        const auto pr = metrics::precision_recall(metrics::FeatureMatrix(a.features, "real features"),
                                                  metrics::FeatureMatrix(b.features, "fake features"), {.k = c.k});
        report("precision-recall", {{"precision", pr.precision}, {"recall", pr.recall}, {"k", c.k}},
               "precision " + fixed(pr.precision) + "  recall " + fixed(pr.recall) + "  (k = " + std::to_string(c.k) + ")",
               c.json);
        record_in_run(c, fake, {{"precision", pr.precision}, {"recall", pr.recall}});
      }));

  commands.push_back(distribution_command<eval::InceptionScoreConfig>(
      *eval_app, "is", "Inception Score of generated images, mean and std over splits (Salimans et al. 2016)",
      [](const eval::InceptionScoreConfig& c) {
        const auto [real, fake] = sides_of(c, /*needs_real=*/false);
        const auto set = features_of(fake, c, "fake");
        if (!set.logits) throw ConfigError("the " + fake.describe() + " has no 'logits' dataset for the Inception Score");
        const auto is = metrics::inception_score_from_logits(metrics::FeatureMatrix(*set.logits, "logits"), c.splits);
        report("is", {{"mean", is.mean}, {"std", is.std}, {"splits", c.splits}, {"features", c.features}},
               "IS " + fixed(is.mean) + " +- " + fixed(is.std) + "  (" + std::to_string(c.splits) + " splits; " +
                   c.features + " classes)",
               c.json);
        record_in_run(c, fake, {{"is", is.mean}});
      }));

  commands.push_back(paired_command(*eval_app, "psnr", "peak signal-to-noise ratio in dB, 8-bit range"));
  commands.push_back(paired_command(*eval_app, "ssim", "structural similarity (Gaussian window 11, sigma 1.5)"));
  commands.push_back(paired_command(*eval_app, "ms-ssim", "multi-scale SSIM (5 scales; images of 161 pixels or more)"));
  commands.push_back(paired_command(*eval_app, "lpips", "LPIPS v0.1 on VGG16 (needs converted weights)"));
  commands.push_back(paired_command(*eval_app, "dists", "DISTS on VGG16 with L2 pooling (needs converted weights)"));

  {
    auto config = std::make_shared<eval::PairedConfig>();
    CLI::App* app = eval_app->add_subcommand("sifid", "single-image FID of one real and one generated image (SinGAN)");
    config::add_options(*app, *config);
    commands.push_back({app, [config] {
                          config::validate(*config);
                          auto map = [&](const std::string& path) {
                            const io::Image image = io::convert_channels(io::read_image(path), 3);
                            data::ImageDataset d{1, 3, image.height, image.width, {}, {}, path};
                            d.pixels.resize(image.pixels.size());
                            const int64_t plane = static_cast<int64_t>(image.width) * image.height;
                            for (int64_t q = 0; q < plane; ++q)
                              for (int c = 0; c < 3; ++c) d.pixels[c * plane + q] = image.pixels[q * 3 + c];
                            return backend::commands(config->backend).inception_first_pool(d, config->weights, config->device);
                          };
                          if (config->real.empty() || config->fake.empty())
                            throw ConfigError("missing --real or --fake: the two images");
                          const double value = metrics::sifid(map(config->real), map(config->fake));
                          report("sifid", {{"value", value}}, "SiFID " + fixed(value), config->json);
                          return 0;
                        }});
  }

  {
    struct State {
      std::string anchor, test, interpolation = "cubic", metric = "psnr", rate = "bpp";
      bool json = false;
    };
    auto state = std::make_shared<State>();
    CLI::App* app = eval_app->add_subcommand(
        "bd-rate",
        "Bjontegaard delta rate and quality of two rate-quality CSV files: rate,quality per line, or the named columns "
        "of genlab codec baseline and eval");
    app->add_option("anchor", state->anchor, "CSV of the anchor codec")->required();
    app->add_option("test", state->test, "CSV of the tested codec")->required();
    app->add_option("--metric", state->metric,
                    "quality column of a CSV with named columns: psnr, ms_ssim (taken in dB), ms_ssim_db, or lpips, "
                    "dists, fid, kid (lower is better: negated)")
        ->capture_default_str()
        ->check(CLI::IsMember(std::vector<std::string>(std::begin(codec_eval::bd_metrics), std::end(codec_eval::bd_metrics))));
    app->add_option("--rate", state->rate, "rate column of a CSV with named columns")->capture_default_str();
    app->add_option("--interpolation", state->interpolation, "cubic (VCEG-M33) or pchip")->capture_default_str();
    app->add_flag("--json", state->json, "print the result as one JSON object");
    commands.push_back({app, [state, app] {
                          // A file whose header names the rate column is read by column; any other file is
                          // the plain rate,quality form, whose quality is taken as it is.
                          const bool named = codec_eval::has_named_columns(state->anchor, state->rate) ||
                                             codec_eval::has_named_columns(state->test, state->rate);
                          if (!named && (app->count("--metric") || app->count("--rate")))
                            throw ConfigError("--metric and --rate pick columns by name, but neither " +
                                              genlab::quoted(state->anchor) + " nor " + genlab::quoted(state->test) +
                                              " has a header naming a '" + state->rate + "' column");
                          auto curve = [&](const std::string& path) {
                            return named ? codec_eval::bd_curve(path, state->rate, state->metric)
                                         : metrics::read_rate_quality_csv(path);
                          };
                          const auto anchor = curve(state->anchor), test = curve(state->test);
                          const auto how = metrics::parse_bd_interpolation(state->interpolation);
                          const double rate = metrics::bd_rate(anchor, test, how);
                          // BD-quality in the metric's own unit: a negated distance is turned back.
                          const bool negated = named && codec_eval::lower_is_better(state->metric);
                          const double quality = (negated ? -1 : 1) * metrics::bd_quality(anchor, test, how);
                          const std::string unit = !named ? "" : state->metric == "psnr" ? "dB"
                                                   : state->metric.starts_with("ms_ssim") ? "dB (MS-SSIM)"
                                                                                          : state->metric;
                          nlohmann::json values{{"bd_rate_percent", rate}, {"bd_quality", quality},
                                                {"interpolation", state->interpolation}};
                          if (named) {
                            values["quality"] = state->metric;
                            values["quality_unit"] = unit;
                            values["rate"] = state->rate;
                            values["lower_is_better"] = negated;
                          }
                          std::string text = "BD-rate " + fixed(rate) + " %  BD-quality " + fixed(quality);
                          if (named)
                            text += " " + unit + "  (" + state->metric + " against " + state->rate + ", " +
                                    state->interpolation + (negated ? "; lower " + state->metric + " is better" : "") + ")";
                          else
                            text += "  (" + state->interpolation + ")";
                          report("bd-rate", values, text, state->json);
                          return 0;
                        }});
  }

  {
    struct State {
      std::string weights, data = data::fashion_mnist_directory.string(), backend = "onednn", device = "cpu";
      bool json = false;
    };
    auto state = std::make_shared<State>();
    CLI::App* app = eval_app->add_subcommand("accuracy", "test accuracy of genlab's classifier (shipped or trained)");
    app->add_option("--weights", state->weights, "weights or run file (default: the shipped classifier)");
    app->add_option("--data", state->data, "IDX directory with a t10k test set")->capture_default_str();
    app->add_option("--backend", state->backend, "tensor backend")->capture_default_str();
    app->add_option("--device", state->device, "device")->capture_default_str();
    app->add_flag("--json", state->json, "print the result as one JSON object");
    commands.push_back({app, [state] {
                          const fs::path weights = state->weights.empty() ? eval::shipped_classifier_weights() : fs::path(state->weights);
                          const double accuracy =
                              backend::commands(state->backend).classifier_accuracy(weights, state->data, state->device);
                          report("accuracy", {{"accuracy", accuracy}, {"weights", weights.string()}, {"data", state->data}},
                                 "accuracy " + fixed(accuracy * 100, 2) + " %  (" + weights.string() + " on " + state->data + ")",
                                 state->json);
                          return 0;
                        }});
  }
  return commands;
}

}  // namespace genlab::cli
