#pragma once
// Reflected configs. A config is a plain struct with default member values and a static
// `fields()` listing each member once with its name, help and allowed values:
//
//   struct TrainConfig {
//     double lr = 2e-4;
//     int64_t batch_size = 64;
//     std::string backend = "onednn";
//     static auto fields() {
//       return std::make_tuple(
//           config::field(&TrainConfig::lr, "lr", "learning rate", config::greater_than(0.0)),
//           config::field(&TrainConfig::batch_size, "batch_size", "images per step", config::at_least(1)),
//           config::field(&TrainConfig::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})));
//     }
//   };
//
// From that one list come the CLI options (--lr, --batch-size, with their defaults in --help),
// TOML reading and writing, HDF5 attributes, and validation whose errors name the field and the
// allowed values. Field types: bool, int64_t, double, std::string.
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "genlab/core/attributes.hpp"

namespace CLI {
class App;
}

namespace genlab::config {

// The values a field accepts: a numeric range (bounds inclusive or exclusive), a set of numbers,
// or a set of words.
struct Allowed {
  std::optional<double> min, max;
  bool min_exclusive = false, max_exclusive = false;
  std::vector<double> numbers;
  std::vector<std::string> choices;

  // "> 0", "[1, 100]", "one of: 28, 64", "one of: onednn, libtorch", or "" when anything goes.
  std::string describe() const;
};

Allowed anything();
Allowed at_least(double min);
Allowed greater_than(double min);
Allowed between(double min, double max);  // inclusive
Allowed one_of(std::vector<std::string> choices);
Allowed one_of_numbers(std::vector<double> numbers);

template <class Config, class T>
struct Field {
  T Config::*member;
  const char* name;  // snake_case; the CLI option is --kebab-case
  const char* help;
  Allowed allowed;
};

template <class Config, class T>
Field<Config, T> field(T Config::*member, const char* name, const char* help, Allowed allowed = anything()) {
  return {member, name, help, std::move(allowed)};
}

// "batch_size" -> "--batch-size"
std::string option_name(const std::string& field_name);

// A value as a TOML file writes it: 32, 0.0001, 1.0 (doubles keep their point), true, "onednn".
std::string toml_literal(const AttributeValue& value);

// Throws ConfigError "invalid value for 'lr' (--lr): -1; allowed: > 0".
template <class Config>
void validate(const Config& config);

// Adds one option per field to `app`, bound to `config`'s members, with the current values as
// the defaults shown by --help.
template <class Config>
void add_options(CLI::App& app, Config& config);

// Which fields were given on the command line (after app.parse).
template <class Config>
std::vector<std::string> given_on_command_line(const CLI::App& app);

// TOML: unknown keys and values of the wrong type are errors naming the key and the file.
template <class Config>
Config from_toml_file(const std::string& path, Config base = {});
template <class Config>
Config from_toml_string(const std::string& text, Config base = {}, const std::string& source = "<string>");
template <class Config>
std::string to_toml(const Config& config);

// Attributes (HDF5): the config's fields under their names; reading ignores unknown keys (a run
// written by a newer genlab) and keeps the defaults for missing ones.
template <class Config>
Attributes to_attributes(const Config& config);
template <class Config>
Config from_attributes(const Attributes& attributes, Config base = {});

}  // namespace genlab::config

#include "genlab/config/config_impl.hpp"
