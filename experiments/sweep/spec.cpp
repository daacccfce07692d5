#include "experiments/sweep/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "genlab/config/config.hpp"
#include "genlab/config/toml_values.hpp"
#include "genlab/core/error.hpp"
#include "genlab/core/rng.hpp"

namespace genlab::sweep {
namespace {

using config::scalar_of;

std::string where(const std::string& source, const toml::node& node) {
  const auto& at = node.source().begin;
  return at.line > 0 ? source + ":" + std::to_string(at.line) : source;
}

AttributeValue scalar(const toml::node& node, const std::string& source, const std::string& what) {
  if (auto value = scalar_of(node)) return *value;
  throw ConfigError(where(source, node) + ": " + what + " must be a number, a boolean or a string");
}

const toml::table& table_of(const toml::node& node, const std::string& source, const std::string& name) {
  if (const auto* table = node.as_table()) return *table;
  throw ConfigError(where(source, node) + ": [" + name + "] must be a table");
}

// A scalar as an option's value on a command line: strings as they are, numbers as TOML writes them.
std::string text_of(const toml::node& node) {
  if (const auto* v = node.as_string()) return v->get();
  if (auto value = scalar_of(node)) return config::toml_literal(*value);
  return "";
}

double number(const toml::node& node, const std::string& source, const std::string& what) {
  if (const auto* v = node.as_integer()) return double(v->get());
  if (const auto* v = node.as_floating_point()) return v->get();
  throw ConfigError(where(source, node) + ": " + what + " must be a number");
}

void read_header(const toml::table& table, const std::string& source, SweepSpec& spec) {
  for (const auto& [key, node] : table) {
    if ((key == "name" || key == "train") && !node.as_string())
      throw ConfigError(where(source, node) + ": [sweep] " + std::string(key.str()) + " must be a string");
    if (key == "name")
      spec.name = text_of(node);
    else if (key == "train")
      spec.model = text_of(node);
    else
      throw ConfigError(where(source, node) + ": unknown key '" + std::string(key.str()) +
                        "' in [sweep]; it takes: name, train");
  }
}

void read_grid(const toml::table& table, const std::string& source, SweepSpec& spec) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const auto* values = node.as_array();
    if (!values || values->empty())
      throw ConfigError(where(source, node) + ": [grid] " + name + " must be a non-empty array of values, as in " +
                        name + " = [1, 2]");
    std::vector<AttributeValue> list;
    for (const auto& value : *values) list.push_back(scalar(value, source, "each value of [grid] " + name));
    spec.grid.emplace_back(name, std::move(list));
  }
}

Distribution distribution(const toml::node& node, const std::string& source, const std::string& name) {
  const auto* table = node.as_table();
  if (!table || table->size() != 1)
    throw ConfigError(where(source, node) + ": [random] " + name +
                      " must be one distribution: { uniform = [a, b] }, { log_uniform = [a, b] }, "
                      "{ int_uniform = [a, b] } or { choice = [v1, v2, ...] }");
  const auto entry = table->begin();
  const std::string kind(entry->first.str());
  const toml::node& argument = entry->second;
  const auto* values = argument.as_array();
  const std::string what = "[random] " + name + " " + kind;
  if (!values || values->empty()) throw ConfigError(where(source, argument) + ": " + what + " needs an array");
  Distribution d;
  if (kind == "choice") {
    d.kind = Distribution::Kind::choice;
    for (const auto& value : *values) d.choices.push_back(scalar(value, source, "each choice of " + what));
    return d;
  }
  if (kind == "uniform")
    d.kind = Distribution::Kind::uniform;
  else if (kind == "log_uniform")
    d.kind = Distribution::Kind::log_uniform;
  else if (kind == "int_uniform")
    d.kind = Distribution::Kind::int_uniform;
  else
    throw ConfigError(where(source, node) + ": [random] " + name + ": unknown distribution '" + kind +
                      "'; one of: uniform, log_uniform, int_uniform, choice");
  if (values->size() != 2) throw ConfigError(where(source, argument) + ": " + what + " needs [low, high]");
  d.low = number(*values->get(0), source, what + "'s low");
  d.high = number(*values->get(1), source, what + "'s high");
  if (!(d.low <= d.high)) throw ConfigError(where(source, argument) + ": " + what + " needs low <= high");
  if (d.kind == Distribution::Kind::log_uniform && !(d.low > 0))
    throw ConfigError(where(source, argument) + ": " + what + " needs low > 0");
  if (d.kind == Distribution::Kind::int_uniform && (d.low != std::floor(d.low) || d.high != std::floor(d.high)))
    throw ConfigError(where(source, argument) + ": " + what + " needs integer bounds");
  return d;
}

void read_random(const toml::table& table, const std::string& source, SweepSpec& spec) {
  spec.random_count = 1;
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    if (name == "count" || name == "seed") {
      const auto* v = node.as_integer();
      if (!v || v->get() < (name == "count" ? 1 : 0))
        throw ConfigError(where(source, node) + ": [random] " + name + " must be an integer " +
                          (name == "count" ? ">= 1" : ">= 0"));
      if (name == "count")
        spec.random_count = v->get();
      else
        spec.random_seed = uint64_t(v->get());
    } else {
      spec.random.emplace_back(name, distribution(node, source, name));
    }
  }
  if (spec.random.empty()) throw ConfigError(source + ": [random] draws no setting; add one, as in lr = { log_uniform = [1e-5, 1e-3] }");
}

void read_evaluations(const toml::table& table, const std::string& source, SweepSpec& spec) {
  for (const auto& [metric, node] : table) {
    Evaluation evaluation{std::string(metric.str()), {}};
    for (const auto& [key, value] : table_of(node, source, "evaluate." + evaluation.metric)) {
      if (!scalar_of(value))
        throw ConfigError(where(source, value) + ": [evaluate." + evaluation.metric + "] " + std::string(key.str()) +
                          " must be a number, a boolean or a string");
      evaluation.options.emplace_back(std::string(key.str()), text_of(value));
    }
    spec.evaluations.push_back(std::move(evaluation));
  }
}

void read_slurm(const toml::table& table, const std::string& source, SweepSpec& spec) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    if (name == "max_parallel") {
      const auto* v = node.as_integer();
      if (!v || v->get() < 0) throw ConfigError(where(source, node) + ": [slurm] max_parallel must be an integer >= 0");
      spec.slurm.max_parallel = v->get();
    } else if (name == "setup") {
      if (!node.as_string()) throw ConfigError(where(source, node) + ": [slurm] setup must be a string of shell lines");
      spec.slurm.setup = text_of(node);
    } else {
      if (!scalar_of(node)) throw ConfigError(where(source, node) + ": [slurm] " + name + " must be a single value");
      spec.slurm.sbatch.emplace_back(name, text_of(node));
    }
  }
}

// The same setting in two places would make a run's value depend on the order of the tables.
void check_each_setting_once(const SweepSpec& spec) {
  std::vector<std::pair<std::string, std::string>> seen;
  auto note = [&](const std::string& name, const std::string& table) {
    for (const auto& [other, other_table] : seen)
      if (other == name)
        throw ConfigError(spec.source + ": '" + name + "' is set in both [" + other_table + "] and [" + table + "]");
    seen.emplace_back(name, table);
  };
  for (const auto& [name, value] : spec.config) note(name, "config");
  for (const auto& [name, values] : spec.grid) note(name, "grid");
  for (const auto& [name, d] : spec.random) note(name, "random");
}

// Four significant digits: run names stay readable, and a value reads back from its name exactly.
double rounded(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return std::strtod(text, nullptr);
}

AttributeValue draw(const Distribution& d, Rng& rng) {
  switch (d.kind) {
    case Distribution::Kind::uniform: return std::clamp(rounded(d.low + (d.high - d.low) * rng.uniform()), d.low, d.high);
    case Distribution::Kind::log_uniform:
      return std::clamp(rounded(std::exp(std::log(d.low) + (std::log(d.high) - std::log(d.low)) * rng.uniform())), d.low, d.high);
    case Distribution::Kind::int_uniform:
      return int64_t(d.low) + int64_t(rng.below(uint64_t(int64_t(d.high) - int64_t(d.low) + 1)));
    case Distribution::Kind::choice: return d.choices[rng.below(d.choices.size())];
  }
  return {};
}

}  // namespace

SweepSpec parse_spec(const std::string& text, const std::string& source) {
  const toml::table root = config::parse_toml(text, source);
  SweepSpec spec;
  spec.source = source;
  spec.text = text;
  for (const auto& [key, node] : root) {
    const std::string name(key.str());
    if (name == "sweep")
      read_header(table_of(node, source, name), source, spec);
    else if (name == "config")
      for (const auto& [setting, value] : table_of(node, source, name))
        spec.config.emplace_back(std::string(setting.str()), scalar(value, source, "[config] " + std::string(setting.str())));
    else if (name == "grid")
      read_grid(table_of(node, source, name), source, spec);
    else if (name == "random")
      read_random(table_of(node, source, name), source, spec);
    else if (name == "evaluate")
      read_evaluations(table_of(node, source, name), source, spec);
    else if (name == "slurm")
      read_slurm(table_of(node, source, name), source, spec);
    else
      throw ConfigError(where(source, node) + ": unknown table [" + name +
                        "]; a sweep has [sweep], [config], [grid], [random], [evaluate.<metric>] and [slurm]");
  }
  if (spec.model.empty()) throw ConfigError(source + ": [sweep] needs train = \"<model>\", the model its runs train");
  if (spec.name.empty()) spec.name = std::filesystem::path(source).stem().string();
  check_each_setting_once(spec);
  return spec;
}

SweepSpec read_spec(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read sweep file '" + path.string() + "': " + (std::filesystem::exists(path) ? "not readable" : "no such file"));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_spec(text.str(), path.string());
}

std::vector<Settings> expand(const SweepSpec& spec) {
  std::vector<Settings> runs{{}};
  for (const auto& [name, values] : spec.grid) {
    std::vector<Settings> next;
    for (const Settings& run : runs)
      for (const AttributeValue& value : values) {
        next.push_back(run);
        next.back().emplace_back(name, value);
      }
    runs = std::move(next);
  }
  if (spec.random.empty()) return runs;
  // One stream per draw: adding grid values does not change the draws of the existing points.
  std::vector<Settings> drawn;
  for (const Settings& run : runs)
    for (int64_t i = 0; i < spec.random_count; ++i) {
      Rng rng = Rng(spec.random_seed).fork(uint64_t(i));
      Settings settings = run;
      for (const auto& [name, d] : spec.random) settings.emplace_back(name, draw(d, rng));
      drawn.push_back(std::move(settings));
    }
  return drawn;
}

std::string describe(const Settings& overrides) {
  std::string text;
  for (const auto& [name, value] : overrides) {
    if (!text.empty()) text += " ";
    const auto* word = std::get_if<std::string>(&value);
    text += name + "=" + (word ? *word : config::toml_literal(value));
  }
  return text.empty() ? "(base settings)" : text;
}

std::pair<std::string, std::vector<AttributeValue>> parse_sweep_argument(const std::string& argument) {
  const size_t equals = argument.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == argument.size())
    throw ConfigError("--sweep '" + argument + "': expected setting=value1,value2,... as in --sweep lr=1e-4,2e-4");
  std::string name = argument.substr(0, equals);
  for (char& c : name)
    if (c == '-') c = '_';
  std::vector<AttributeValue> values;
  std::istringstream list(argument.substr(equals + 1));
  for (std::string word; std::getline(list, word, ',');) {
    if (word.empty()) throw ConfigError("--sweep '" + argument + "': an empty value");
    std::optional<AttributeValue> value;
    try {
      const toml::table parsed = toml::parse("v = " + word);
      value = scalar_of(*parsed.get("v"));
    } catch (const toml::parse_error&) {
    }
    values.push_back(value ? *value : AttributeValue(std::in_place_type<std::string>, word));
  }
  return {name, values};
}

}  // namespace genlab::sweep
