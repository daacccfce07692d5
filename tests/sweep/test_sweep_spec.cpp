// Sweep files: grid expansion, seeded random draws, and errors that name the file, the table and
// the setting; run settings checked by the model's own config; the sweep directory's index.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <set>

#include "experiments/sweep/directory.hpp"
#include "experiments/sweep/spec.hpp"
#include "experiments/sweep/trainable.hpp"
#include "genlab/core/error.hpp"
#include "tests/support/temporary_directory.hpp"

using namespace genlab;
using namespace genlab::sweep;

namespace {

const char* const grid_sweep = R"(
[sweep]
name = "lr-batch"
train = "dcgan"

[config]
steps = 100

[grid]
lr = [1e-4, 2e-4, 4e-4]
batch_size = [32, 64]
)";

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  FAIL("no error");
  return {};
}

std::string message_of_spec(const std::string& text) {
  return message_of([&] { parse_spec(text, "bad.toml"); });
}

}  // namespace

TEST_CASE("a grid expands into every combination, the first setting (alphabetically) varying slowest") {
  const SweepSpec spec = parse_spec(grid_sweep, "lr-batch.toml");
  CHECK(spec.name == "lr-batch");
  CHECK(spec.model == "dcgan");
  const std::vector<Settings> runs = expand(spec);
  REQUIRE(runs.size() == 6);
  std::set<std::string> names;
  for (const Settings& run : runs) names.insert(describe(run));
  CHECK(names.size() == 6);
  CHECK(describe(runs[0]) == "batch_size=32 lr=1e-04");
  CHECK(describe(runs[1]) == "batch_size=32 lr=2e-04");
  CHECK(describe(runs[3]) == "batch_size=64 lr=1e-04");
  CHECK(std::get<int64_t>(runs[5][0].second) == 64);
  CHECK(std::get<double>(runs[5][1].second) == 4e-4);
}

TEST_CASE("without a grid a sweep is one run of its shared settings") {
  const std::vector<Settings> runs = expand(parse_spec("[sweep]\ntrain = \"pga\"\n[config]\nsteps = 5\n", "one.toml"));
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].empty());
  CHECK(describe(runs[0]) == "(base settings)");
}

TEST_CASE("random draws are seeded, inside their ranges, and the same for a longer sweep's first draws") {
  const std::string text = R"(
[sweep]
train = "dcgan"
[grid]
seed = [0, 1]
[random]
count = 50
seed = 7
lr = { log_uniform = [1e-5, 1e-3] }
beta1 = { uniform = [0.0, 0.9] }
width = { int_uniform = [4, 6] }
backend = { choice = ["onednn", "libtorch"] }
)";
  const SweepSpec spec = parse_spec(text, "random.toml");
  const std::vector<Settings> runs = expand(spec);
  REQUIRE(runs.size() == 100);
  std::set<int64_t> widths;
  std::set<std::string> backends;
  double below_1e4 = 0;
  for (const Settings& run : runs) {
    Attributes values(run.begin(), run.end());
    const double lr = std::get<double>(values.at("lr"));
    CHECK(lr >= 1e-5);
    CHECK(lr <= 1e-3);
    below_1e4 += lr < 1e-4;
    const double beta1 = std::get<double>(values.at("beta1"));
    CHECK(beta1 >= 0.0);
    CHECK(beta1 <= 0.9);
    CHECK(describe(run).size() < 90);  // four significant digits, not seventeen
    widths.insert(std::get<int64_t>(values.at("width")));
    backends.insert(std::get<std::string>(values.at("backend")));
  }
  CHECK(widths == std::set<int64_t>{4, 5, 6});
  CHECK(backends == std::set<std::string>{"libtorch", "onednn"});
  // Log-uniform on [1e-5, 1e-3]: half the draws below 1e-4 (binomial, 100 draws: 50 +- 15 is 3 sigma).
  CHECK(std::abs(below_1e4 - 50) <= 15);

  CHECK(expand(parse_spec(text, "random.toml")) == runs);
  std::string shorter = text;
  shorter.replace(shorter.find("count = 50"), 10, "count = 10");
  const std::vector<Settings> first = expand(parse_spec(shorter, "random.toml"));
  for (size_t i = 0; i < 10; ++i) CHECK(first[i] == runs[i]);
  std::string reseeded = text;
  reseeded.replace(reseeded.find("seed = 7"), 8, "seed = 8");
  CHECK(expand(parse_spec(reseeded, "random.toml")) != runs);
}

TEST_CASE("a malformed sweep file is an error naming the file, the table and the key") {
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[grid]\nlr = 1e-4\n"),
             Catch::Contains("bad.toml:4") && Catch::Contains("[grid] lr must be a non-empty array"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[grid]\nlr = []\n"), Catch::Contains("[grid] lr"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[gird]\nlr = [1]\n"),
             Catch::Contains("unknown table [gird]"));
  CHECK_THAT(message_of_spec("[sweep]\nmodel = \"dcgan\"\n"), Catch::Contains("unknown key 'model' in [sweep]"));
  CHECK_THAT(message_of_spec("[config]\nlr = 1.0\n"), Catch::Contains("[sweep] needs train"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[random]\nlr = { normal = [0, 1] }\n"),
             Catch::Contains("bad.toml:4") && Catch::Contains("unknown distribution 'normal'"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[random]\nlr = { log_uniform = [0, 1] }\n"),
             Catch::Contains("[random] lr log_uniform needs low > 0"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[random]\nlr = { uniform = [2, 1] }\n"),
             Catch::Contains("needs low <= high"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[random]\ncount = 0\nlr = { uniform = [1, 2] }\n"),
             Catch::Contains("[random] count must be an integer >= 1"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[config]\nlr = 1.0\n[grid]\nlr = [1.0, 2.0]\n"),
             Catch::Contains("'lr' is set in both [config] and [grid]"));
  CHECK_THAT(message_of_spec("[sweep]\ntrain = \"dcgan\"\n[grid\n"), Catch::Contains("bad.toml:3") && Catch::Contains("invalid TOML"));
  CHECK_THAT(message_of([] { read_spec("/nonexistent/sweep.toml"); }),
             Catch::Contains("/nonexistent/sweep.toml") && Catch::Contains("no such file"));
}

TEST_CASE("each run's settings are checked by the model's config: a misspelt setting or a bad value names itself") {
  SweepSpec spec = parse_spec(grid_sweep, "lr-batch.toml");
  const std::string toml = run_config_toml(spec, expand(spec)[4], "004");
  CHECK_THAT(toml, Catch::Contains("lr = 2e-04") && Catch::Contains("batch_size = 64") && Catch::Contains("steps = 100"));

  CHECK_THAT(message_of([&] { run_config_toml(spec, {{"lrr", 1.0}}, "000"); }),
             Catch::Contains("run 000") && Catch::Contains("unknown key 'lrr'") && Catch::Contains("did you mean 'lr'"));
  CHECK_THAT(message_of([&] { run_config_toml(spec, {{"lr", -1.0}}, "001"); }),
             Catch::Contains("run 001") && Catch::Contains("invalid value for 'lr'") && Catch::Contains("> 0"));
  CHECK_THAT(message_of([&] { run_config_toml(spec, {{"batch_size", std::string("big")}}, "002"); }),
             Catch::Contains("'batch_size'") && Catch::Contains("expected an integer"));
  spec.config.emplace_back("epochz", int64_t(1));
  CHECK_THAT(message_of([&] { run_config_toml(spec, {}, "003"); }),
             Catch::Contains("lr-batch.toml [config]") && Catch::Contains("'epochz'"));
  spec.model = "stylegan9";
  CHECK_THAT(message_of([&] { run_config_toml(spec, {}, "000"); }),
             Catch::Contains("\"stylegan9\" is not a model") && Catch::Contains("dcgan") && Catch::Contains("pga"));
}

TEST_CASE("sweep arguments of the command line read numbers, booleans and words") {
  const auto [name, values] = parse_sweep_argument("batch-size=32,64");
  CHECK(name == "batch_size");
  CHECK(values == std::vector<AttributeValue>{int64_t(32), int64_t(64)});
  CHECK(parse_sweep_argument("lr=1e-4,0.5").second == std::vector<AttributeValue>{1e-4, 0.5});
  CHECK(parse_sweep_argument("batch_norm=true,false").second == std::vector<AttributeValue>{true, false});
  CHECK(parse_sweep_argument("backend=onednn,libtorch").second ==
        std::vector<AttributeValue>{std::string("onednn"), std::string("libtorch")});
  CHECK_THAT(message_of([] { parse_sweep_argument("lr"); }), Catch::Contains("expected setting=value1,value2"));
  CHECK_THAT(message_of([] { parse_sweep_argument("lr=1,,2"); }), Catch::Contains("an empty value"));
}

TEST_CASE("a sweep directory keeps its index, refuses another sweep, and tells runs apart by state") {
  testing::TemporaryDirectory tmp;
  const SweepSpec spec = parse_spec(grid_sweep, "lr-batch.toml");
  const SweepDirectory made = SweepDirectory::prepare(tmp / "sweep", spec);
  REQUIRE(made.runs().size() == 6);
  CHECK(made.runs()[5].id == "005");
  CHECK(std::filesystem::exists(tmp / "sweep" / "index.json"));
  CHECK(std::filesystem::exists(tmp / "sweep" / "runs" / "005" / "config.toml"));

  const SweepDirectory opened = SweepDirectory::open(tmp / "sweep");
  CHECK(opened.name() == "lr-batch");
  CHECK(opened.model() == "dcgan");
  REQUIRE(opened.runs().size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(opened.runs()[i].name == made.runs()[i].name);
    CHECK(opened.runs()[i].overrides == made.runs()[i].overrides);
  }
  CHECK_NOTHROW(SweepDirectory::prepare(tmp / "sweep", spec));  // the same sweep again

  std::string other = grid_sweep;
  other.replace(other.find("4e-4"), 4, "8e-4");
  CHECK_THAT(message_of([&] { SweepDirectory::prepare(tmp / "sweep", parse_spec(other, "other.toml")); }),
             Catch::Contains("holds another sweep") && Catch::Contains("run 002"));
  CHECK_THAT(message_of([&] { SweepDirectory::open(tmp / "nothing"); }), Catch::Contains("not a sweep directory"));

  const PlannedRun& run = opened.runs()[0];
  CHECK(opened.status(run).state == RunState::pending);
  opened.mark_queued(run, "81_0");
  CHECK(opened.status(run).state == RunState::queued);
  CHECK_THAT(opened.status(run).detail, Catch::Contains("81_0"));
  opened.mark_running(run);
  CHECK(opened.status(run).state == RunState::running);  // this process is alive
  opened.mark_ended(run, RunState::failed, 1);
  CHECK(opened.status(run).state == RunState::failed);
  opened.mark_ended(run, RunState::finished, 0);
  CHECK(opened.status(run).state == RunState::finished);

  // A run whose process died without a word (kill -9) reads as interrupted.
  const pid_t child = fork();
  if (child == 0) {
    opened.mark_running(opened.runs()[1]);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(opened.status(opened.runs()[1]).state == RunState::interrupted);
}
