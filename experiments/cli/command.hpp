#pragma once
// A subcommand: it adds its options to its CLI11 app, and runs after a successful parse.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace genlab::cli {

// Exit codes: 0 success, 1 an error with a message, 2 bad usage, 130 interrupted (a checkpoint
// was written first).
inline constexpr int exit_interrupted = 130;

using Run = std::function<int()>;

// A subcommand's app and what runs it once the command line has been parsed.
struct Command {
  CLI::App* app;
  Run run;
};

// Each add_* registers a subcommand under `parent` and returns it; the state its options bind to
// lives in the closure.
Command add_train_dcgan(CLI::App& parent);
Command add_sample_dcgan(CLI::App& parent);
Command add_demo(CLI::App& parent);
Command add_train_classifier(CLI::App& parent);
Command add_train_pga(CLI::App& parent);
Command add_train_stylegan(CLI::App& parent);
Command add_sample_stylegan(CLI::App& parent);
// `genlab train codec`.
Command add_train_codec(CLI::App& parent);
// `genlab codec compress`, `decompress` and `eval`, under the `codec` subcommand.
std::vector<Command> add_codec(CLI::App& codec_app);
Command add_sample_pga(CLI::App& parent);
// `genlab eval` and its metric subcommands.
std::vector<Command> add_eval(CLI::App& parent);
Command add_texto(CLI::App& parent);
// `genlab compare`: a report of run files and sweeps.
Command add_compare(CLI::App& parent);
// `genlab sweep` and its `status` and `run` subcommands.
std::vector<Command> add_sweep(CLI::App& parent);
// `genlab codec baseline jpeg|webp DIR --out CSV`: the rate-quality curve of a classical codec,
// registered under the `codec` subcommand.
Command add_codec_baseline(CLI::App& codec_app);
// `genlab data fashion-mnist-m`: the built-in two-domain set, under the `data` subcommand.
Command add_data_fashion_mnist_m(CLI::App& data_app);

}  // namespace genlab::cli
