#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>

#include "genlab/config/config.hpp"
#include "genlab/core/error.hpp"

using namespace genlab;
using Catch::Matchers::Contains;
using Catch::Matchers::Message;

namespace {

// [0, 1): the factories have no exclusive maximum.
config::Allowed probability() {
  config::Allowed allowed = config::between(0, 1);
  allowed.max_exclusive = true;
  return allowed;
}

config::Allowed at_most(double max) {
  config::Allowed allowed;
  allowed.max = max;
  return allowed;
}

// One field of each type, with each kind of allowed set.
struct TestConfig {
  double lr = 2e-4;
  double dropout = 0.5;
  int64_t batch_size = 64;
  int64_t steps = 1000;
  bool resume = false;
  std::string backend = "onednn";
  std::string title = "a \"quoted\" \\ title";

  bool operator==(const TestConfig&) const = default;

  static auto fields() {
    return std::make_tuple(
        config::field(&TestConfig::lr, "lr", "learning rate", config::greater_than(0.0)),
        config::field(&TestConfig::dropout, "dropout", "drop probability", probability()),
        config::field(&TestConfig::batch_size, "batch_size", "images per step", config::at_least(1)),
        config::field(&TestConfig::steps, "steps", "training steps", config::between(1, 100000)),
        config::field(&TestConfig::resume, "resume", "resume from the last checkpoint"),
        config::field(&TestConfig::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})),
        config::field(&TestConfig::title, "title", "run title"));
  }
};

// CLI11 takes a vector of arguments in reverse order (it pops them from the back).
void parse(CLI::App& app, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());
  app.parse(args);
}

std::string validation_error(const TestConfig& config) {
  try {
    config::validate(config);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

std::string toml_error(const std::string& text) {
  try {
    config::from_toml_string<TestConfig>(text, {}, "run.toml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("option names are kebab-case", "[config]") {
  CHECK(config::option_name("lr") == "--lr");
  CHECK(config::option_name("batch_size") == "--batch-size");
  CHECK(config::option_name("max_grad_norm") == "--max-grad-norm");
}

TEST_CASE("allowed sets describe themselves", "[config]") {
  CHECK(config::anything().describe() == "");
  CHECK(config::at_least(1).describe() == ">= 1");
  CHECK(config::greater_than(0).describe() == "> 0");
  CHECK(config::between(1, 100).describe() == "[1, 100]");
  CHECK(probability().describe() == "[0, 1)");
  CHECK(at_most(2.5).describe() == "<= 2.5");
  CHECK(config::one_of({"onednn", "libtorch"}).describe() == "one of: onednn, libtorch");
}

TEST_CASE("validate accepts the defaults and values on inclusive bounds", "[config]") {
  TestConfig config;
  CHECK_NOTHROW(config::validate(config));
  config.dropout = 0.0;
  config.batch_size = 1;
  config.steps = 100000;
  config.backend = "libtorch";
  CHECK_NOTHROW(config::validate(config));
}

TEST_CASE("validate names the field, its option, the value and the allowed set", "[config]") {
  TestConfig config;
  SECTION("exclusive minimum") {
    config.lr = -1;
    CHECK(validation_error(config) == "invalid value for 'lr' (--lr): -1; allowed: > 0");
    config.lr = 0;
    CHECK(validation_error(config) == "invalid value for 'lr' (--lr): 0; allowed: > 0");
  }
  SECTION("exclusive maximum") {
    config.dropout = 1;
    CHECK(validation_error(config) == "invalid value for 'dropout' (--dropout): 1; allowed: [0, 1)");
  }
  SECTION("inclusive minimum") {
    config.batch_size = 0;
    CHECK(validation_error(config) == "invalid value for 'batch_size' (--batch-size): 0; allowed: >= 1");
  }
  SECTION("inclusive maximum") {
    config.steps = 100001;
    CHECK(validation_error(config) == "invalid value for 'steps' (--steps): 100001; allowed: [1, 100000]");
  }
  SECTION("choices") {
    config.backend = "cuda";
    CHECK(validation_error(config) ==
          "invalid value for 'backend' (--backend): \"cuda\"; allowed: one of: onednn, libtorch");
  }
  SECTION("not a number") {
    config.lr = std::numeric_limits<double>::quiet_NaN();
    CHECK_THAT(validation_error(config), Contains("invalid value for 'lr'"));
  }
}

TEST_CASE("command line options set every type of field", "[config][cli]") {
  TestConfig config;
  CLI::App app;
  config::add_options(app, config);
  parse(app, {"--lr", "0.01", "--batch-size=32", "--resume", "--backend", "libtorch", "--title", "x y"});

  CHECK(config.lr == 0.01);
  CHECK(config.batch_size == 32);
  CHECK(config.resume);
  CHECK(config.backend == "libtorch");
  CHECK(config.title == "x y");
  CHECK(config.dropout == TestConfig{}.dropout);
  CHECK(config.steps == TestConfig{}.steps);
  CHECK(config::given_on_command_line<TestConfig>(app) ==
        std::vector<std::string>{"lr", "batch_size", "resume", "backend", "title"});
}

TEST_CASE("a bool flag also takes a value", "[config][cli]") {
  TestConfig config;
  config.resume = true;
  CLI::App app;
  config::add_options(app, config);
  parse(app, {"--resume=false"});
  CHECK_FALSE(config.resume);
  CHECK(config::given_on_command_line<TestConfig>(app) == std::vector<std::string>{"resume"});
}

TEST_CASE("no options given leaves the config and reports nothing given", "[config][cli]") {
  TestConfig config;
  CLI::App app;
  config::add_options(app, config);
  parse(app, {});
  CHECK(config == TestConfig{});
  CHECK(config::given_on_command_line<TestConfig>(app).empty());
}

TEST_CASE("command line errors are CLI11 parse errors", "[config][cli]") {
  TestConfig config;
  CLI::App app;
  config::add_options(app, config);
  SECTION("unknown option") { CHECK_THROWS_AS(parse(app, {"--learning-rate", "0.1"}), CLI::ParseError); }
  SECTION("integer field given a fraction") { CHECK_THROWS_AS(parse(app, {"--batch-size", "1.5"}), CLI::ParseError); }
  SECTION("double field given a word") { CHECK_THROWS_AS(parse(app, {"--lr", "fast"}), CLI::ParseError); }
  SECTION("out-of-range values are left to validate") {
    CHECK_NOTHROW(parse(app, {"--lr", "-1"}));
    CHECK_THROWS_AS(config::validate(config), ConfigError);
  }
}

TEST_CASE("the help text lists every option with its help, allowed set and default", "[config][cli]") {
  TestConfig config;
  config.lr = 0.1234567891;  // more digits than CLI11's own default capture keeps
  CLI::App app;
  config::add_options(app, config);
  const std::string help = app.help();
  INFO(help);
  CHECK_THAT(help, Contains("--lr FLOAT=0.1234567891"));
  CHECK_THAT(help, Contains("learning rate (> 0)"));
  CHECK_THAT(help, Contains("--dropout FLOAT=0.5"));
  CHECK_THAT(help, Contains("--batch-size INT=64"));
  CHECK_THAT(help, Contains("images per step (>= 1)"));
  CHECK_THAT(help, Contains("--steps INT=1000"));
  CHECK_THAT(help, Contains("--resume [=BOOL]=false"));
  CHECK_THAT(help, Contains("--backend TEXT=onednn"));
  CHECK_THAT(help, Contains("tensor backend (one of: onednn, libtorch)"));
  CHECK_THAT(help, Contains("--title TEXT=a \"quoted\" \\ title"));
}

TEST_CASE("TOML round trip gives back the same config", "[config][toml]") {
  TestConfig config;
  config.lr = 2e-4;
  config.dropout = 0.1 + 0.2;  // not exactly 0.3: needs all 17 digits
  config.batch_size = 128;
  config.resume = true;
  config.backend = "libtorch";
  config.title = "say \"hi\"\\\n\ttab";
  const std::string toml = config::to_toml(config);
  INFO(toml);
  CHECK(config::from_toml_string<TestConfig>(toml) == config);
}

TEST_CASE("to_toml writes every key with its value and its help as a comment", "[config][toml]") {
  const std::string toml = config::to_toml(TestConfig{});
  INFO(toml);
  CHECK_THAT(toml, Contains("# learning rate (> 0)\nlr = 2e-04\n"));
  CHECK_THAT(toml, Contains("# drop probability ([0, 1))\ndropout = 0.5\n"));
  CHECK_THAT(toml, Contains("# images per step (>= 1)\nbatch_size = 64\n"));
  CHECK_THAT(toml, Contains("steps = 1000\n"));
  CHECK_THAT(toml, Contains("# resume from the last checkpoint\nresume = false\n"));
  CHECK_THAT(toml, Contains("backend = \"onednn\"\n"));
  CHECK_THAT(toml, Contains("title = \"a \\\"quoted\\\" \\\\ title\"\n"));
}

TEST_CASE("a whole-number double is written as a TOML float", "[config][toml]") {
  TestConfig config;
  config.dropout = 0;
  CHECK_THAT(config::to_toml(config), Contains("dropout = 0.0\n"));
}

TEST_CASE("TOML assigns present keys, in either spelling, and keeps the rest", "[config][toml]") {
  TestConfig base;
  base.steps = 7;
  const auto config = config::from_toml_string<TestConfig>("lr = 1e-3\nbatch-size = 16\ndropout = 0\n", base);
  CHECK(config.lr == 1e-3);
  CHECK(config.batch_size == 16);
  CHECK(config.dropout == 0.0);  // an integer is accepted for a double
  CHECK(config.steps == 7);
  CHECK(config.backend == "onednn");
}

TEST_CASE("TOML errors name the source and the key", "[config][toml]") {
  SECTION("unknown key close to a field") {
    CHECK(toml_error("lrr = 0.1") == "unknown key 'lrr' in run.toml (did you mean 'lr'?)");
    CHECK(toml_error("batch-sise = 1") == "unknown key 'batch-sise' in run.toml (did you mean 'batch_size'?)");
  }
  SECTION("unknown key far from every field") {
    CHECK(toml_error("optimizer = \"adam\"") ==
          "unknown key 'optimizer' in run.toml (known keys: lr, dropout, batch_size, steps, resume, backend, title)");
  }
  SECTION("wrong type") {
    CHECK(toml_error("batch_size = \"64\"") == "key 'batch_size' in run.toml: expected an integer, got a string");
    CHECK(toml_error("batch_size = 64.0") == "key 'batch_size' in run.toml: expected an integer, got a float");
    CHECK(toml_error("lr = true") == "key 'lr' in run.toml: expected a number, got a boolean");
    CHECK(toml_error("resume = 1") == "key 'resume' in run.toml: expected a boolean, got an integer");
    CHECK(toml_error("backend = [\"onednn\"]") == "key 'backend' in run.toml: expected a string, got an array");
  }
  SECTION("both spellings of one key") {
    CHECK(toml_error("batch_size = 1\nbatch-size = 2") ==
          "keys 'batch-size' and 'batch_size' in run.toml both set 'batch_size'");
  }
  SECTION("syntax error with line and column") {
    CHECK_THAT(toml_error("lr = 0.1\nbatch_size = = 3\n"), Contains("run.toml:2:"));
    CHECK_THAT(toml_error("lr = 0.1\nbatch_size = = 3\n"), Contains("invalid TOML"));
  }
}

TEST_CASE("TOML files that cannot be read are errors naming the file", "[config][toml]") {
  const std::string path = "/nonexistent/genlab/run.toml";
  CHECK_THROWS_MATCHES(config::from_toml_file<TestConfig>(path), IoError, Message("cannot read " + path + ": No such file or directory"));
}

TEST_CASE("attributes round trip with the field types", "[config][attributes]") {
  TestConfig config;
  config.lr = 3e-5;
  config.steps = 5;
  config.resume = true;
  config.title = "t";
  const Attributes attributes = config::to_attributes(config);
  CHECK(attributes.size() == 7);
  CHECK(std::get<double>(attributes.at("lr")) == 3e-5);
  CHECK(std::get<int64_t>(attributes.at("steps")) == 5);
  CHECK(std::get<bool>(attributes.at("resume")) == true);
  CHECK(std::get<std::string>(attributes.at("title")) == "t");
  CHECK(config::from_attributes<TestConfig>(attributes) == config);
}

TEST_CASE("from_attributes ignores unknown keys and keeps base values for missing ones", "[config][attributes]") {
  TestConfig base;
  base.title = "base";
  const Attributes attributes{{"lr", int64_t{1}}, {"added_by_a_newer_genlab", std::string("x")}};
  const auto config = config::from_attributes(attributes, base);
  CHECK(config.lr == 1.0);  // an integer is accepted for a double
  CHECK(config.title == "base");
  CHECK(config.batch_size == base.batch_size);
}

TEST_CASE("from_attributes rejects a value of the wrong type", "[config][attributes]") {
  const Attributes attributes{{"batch_size", 64.0}};
  CHECK_THROWS_MATCHES(config::from_attributes<TestConfig>(attributes), ConfigError,
                       Message("attribute 'batch_size': expected an integer, got a float"));
}

TEST_CASE("a set of allowed numbers describes itself and rejects other values") {
  const auto allowed = genlab::config::one_of_numbers({28, 64});
  CHECK(allowed.describe() == "one of: 28, 64");
  struct Sized {
    int64_t size = 28;
    static auto fields() {
      return std::make_tuple(genlab::config::field(&Sized::size, "size", "image size", genlab::config::one_of_numbers({28, 64})));
    }
  };
  CHECK_NOTHROW(genlab::config::validate(Sized{64}));
  CHECK_THROWS_WITH(genlab::config::validate(Sized{32}),
                    Catch::Equals("invalid value for 'size' (--size): 32; allowed: one of: 28, 64"));
}
