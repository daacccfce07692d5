#include "experiments/sweep/trainable.hpp"

#include <map>

#include "genlab/config/config.hpp"
#include "genlab/core/error.hpp"
#include "models/classifier/classifier.hpp"
#include "models/codec/config.hpp"
#include "models/dcgan/config.hpp"
#include "models/pga/config.hpp"
#include "models/stylegan/config.hpp"

namespace genlab::sweep {
namespace {

std::string toml_lines(const Settings& settings) {
  std::string text;
  for (const auto& [name, value] : settings) text += name + " = " + config::toml_literal(value) + "\n";
  return text;
}

template <class Config>
std::string resolve(const SweepSpec& spec, const Settings& overrides, const std::string& run_label) {
  try {
    Config config = config::from_toml_string<Config>(toml_lines(spec.config), {}, spec.source + " [config]");
    config = config::from_toml_string<Config>(toml_lines(overrides), config, spec.source + " [grid]/[random]");
    config::validate(config);
    return config::to_toml(config);
  } catch (const ConfigError& e) {
    throw ConfigError("sweep '" + spec.name + "', run " + run_label + ": " + e.what());
  }
}

using Resolver = std::string (*)(const SweepSpec&, const Settings&, const std::string&);

const std::map<std::string, Resolver>& resolvers() {
  static const std::map<std::string, Resolver> table{
      {"classifier", &resolve<classifier::ClassifierConfig>},
      {"codec", &resolve<codec::CodecConfig>},
      {"dcgan", &resolve<dcgan::DcganConfig>},
      {"pga", &resolve<pga::PgaConfig>},
      {"stylegan", &resolve<stylegan::StyleganConfig>},
  };
  return table;
}

}  // namespace

std::vector<std::string> trainable_models() {
  std::vector<std::string> names;
  for (const auto& [name, resolver] : resolvers()) names.push_back(name);
  return names;
}

std::string run_config_toml(const SweepSpec& spec, const Settings& overrides, const std::string& run_label) {
  const auto it = resolvers().find(spec.model);
  if (it == resolvers().end()) {
    std::string known;
    for (const std::string& name : trainable_models()) known += (known.empty() ? "" : ", ") + name;
    throw ConfigError(spec.source + ": [sweep] train = \"" + spec.model + "\" is not a model genlab trains; one of: " + known);
  }
  return it->second(spec, overrides, run_label);
}

}  // namespace genlab::sweep
