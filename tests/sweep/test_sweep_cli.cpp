// `genlab sweep` as a user runs it: every run trained and evaluated, finished runs skipped on a
// re-run, and a sweep killed with -9 resuming its interrupted run from that run's checkpoint.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <regex>
#include <thread>

#include "genlab/io/run_file.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

namespace fs = std::filesystem;
using genlab::io::RunFile;
using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// A DCGAN sweep small enough for a test: narrow networks on a synthetic data set.
std::string tiny_dcgan_sweep(const fs::path& data, int64_t steps, int64_t checkpoint_every) {
  return "[sweep]\nname = \"tiny\"\ntrain = \"dcgan\"\n\n[config]\ndata = " + quoted(data) +
         "\nwidth = 4\nlatent_dim = 8\nbatch_size = 8\nthreads = 1\nsteps = " + std::to_string(steps) +
         "\ncheckpoint_every = " + std::to_string(checkpoint_every) + "\nlog_every = 1\nepochs = 1000\n\n[grid]\nseed = [0, 1, 2]\n";
}

nlohmann::json status_of(const fs::path& sweep) {
  const auto status = run_genlab("sweep status " + quoted(sweep) + " --json");
  REQUIRE(status.exit_code == 0);
  return nlohmann::json::parse(status.output);
}

}  // namespace

TEST_CASE("a local sweep trains and evaluates every run, and a re-run skips the finished ones", "[sweep]") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 64);
  write_file(dir / "tiny.toml", tiny_dcgan_sweep(dir / "data", 4, 2) + "\n[evaluate.fid]\nreal = " +
                                    quoted(dir / "data") + "\nsamples = 32\ncache_dir = \"\"\n");
  const fs::path sweep = dir / "sweep";

  const auto dry = run_genlab("sweep " + quoted(dir / "tiny.toml") + " --out " + quoted(sweep) + " --dry-run");
  REQUIRE(dry.exit_code == 0);
  CHECK_THAT(dry.output, Catch::Contains("3 runs") && Catch::Contains("002  seed=2"));
  CHECK(status_of(sweep)["counts"]["pending"] == 3);

  const auto ran = run_genlab("sweep " + quoted(dir / "tiny.toml") + " --out " + quoted(sweep) + " --jobs 2");
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const nlohmann::json status = status_of(sweep);
  CHECK(status["counts"]["finished"] == 3);
  for (const auto& run : status["runs"]) {
    CHECK(run["state"] == "finished");
    CHECK(run["step"] == 4);
    const RunFile file = RunFile::open(run["file"].get<std::string>());
    const auto fid = file.metrics("fid");
    REQUIRE(fid.size() == 1);
    CHECK(fid[0].step == 4);
    CHECK(std::isfinite(fid[0].value));
    CHECK(fid[0].value > 0);
  }
  CHECK(RunFile::open(sweep / "runs" / "001" / "run.h5").config().at("seed") == genlab::AttributeValue(int64_t(1)));

  const std::string before = read_file(sweep / "runs" / "000" / "run.h5");
  const auto again = run_genlab("sweep " + quoted(dir / "tiny.toml") + " --out " + quoted(sweep));
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.output, Catch::Contains("3 finished") && Catch::Contains("0 to run"));
  CHECK(read_file(sweep / "runs" / "000" / "run.h5") == before);

  const auto table = run_genlab("sweep status " + quoted(sweep));
  CHECK_THAT(table.output, Catch::Contains("seed=2") && Catch::Contains("3 finished"));
}

TEST_CASE("a train command given --sweep runs the grid as a sweep, and bad settings name themselves", "[sweep]") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 32);
  const std::string common = "train dcgan --data " + quoted(dir / "data") +
                             " --width 4 --latent-dim 8 --batch-size 8 --threads 1 --steps 2 --checkpoint-every 2";
  const auto ran = run_genlab(common + " --sweep lr=1e-4,3e-4 --out " + quoted(dir / "sweep"));
  INFO(ran.output);
  REQUIRE(ran.exit_code == 0);
  const nlohmann::json status = status_of(dir / "sweep");
  CHECK(status["counts"]["finished"] == 2);
  CHECK(status["runs"][1]["name"] == "lr=3e-04");
  CHECK(RunFile::open(dir / "sweep" / "runs" / "001" / "run.h5").config().at("lr") == genlab::AttributeValue(3e-4));
  CHECK(RunFile::open(dir / "sweep" / "runs" / "001" / "run.h5").config().at("width") == genlab::AttributeValue(int64_t(4)));

  const auto misspelt = run_genlab(common + " --sweep lrr=1e-4,3e-4 --out " + quoted(dir / "bad"));
  CHECK(misspelt.exit_code == 1);
  CHECK_THAT(misspelt.output, Catch::Contains("unknown key 'lrr'") && Catch::Contains("did you mean 'lr'"));
  const auto negative = run_genlab(common + " --sweep lr=-1 --out " + quoted(dir / "bad"));
  CHECK(negative.exit_code == 1);
  CHECK_THAT(negative.output, Catch::Contains("invalid value for 'lr'"));
  const auto no_file = run_genlab("sweep " + quoted(dir / "missing.toml"));
  CHECK(no_file.exit_code == 1);
  CHECK_THAT(no_file.output, Catch::Contains("missing.toml") && Catch::Contains("no such file"));
}

TEST_CASE("a sweep killed with -9 resumes: finished runs are kept and the killed run continues from its checkpoint",
          "[sweep]") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 64);
  constexpr int64_t steps = 400;
  write_file(dir / "tiny.toml", tiny_dcgan_sweep(dir / "data", steps, 10));
  const fs::path sweep = dir / "sweep";
  const std::string command = std::string(GENLAB_BINARY_DIR) + "/experiments/genlab sweep " +
                              quoted(dir / "tiny.toml") + " --out " + quoted(sweep) + " --jobs 1";

  // In a session of its own, so that one kill reaches the sweep and (through it) its runs.
  const std::string background = "setsid " + command + " > " + quoted(dir / "first.log") + " 2>&1 & echo $!";
  FILE* pipe = popen(background.c_str(), "r");
  REQUIRE(pipe);
  int sweep_pid = 0;
  REQUIRE(fscanf(pipe, "%d", &sweep_pid) == 1);
  pclose(pipe);

  // Kill it once run 001 is under way with a checkpoint behind it.
  const fs::path killed_file = sweep / "runs" / "001" / "run.h5";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  int64_t checkpoint_before_kill = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!fs::exists(killed_file)) continue;
    if (const auto checkpoint = genlab::io::read_checkpoint(killed_file); checkpoint && checkpoint->step >= 20) {
      checkpoint_before_kill = checkpoint->step;
      break;
    }
  }
  kill(-sweep_pid, SIGKILL);
  INFO(read_file(dir / "first.log"));
  REQUIRE(checkpoint_before_kill >= 20);
  REQUIRE(checkpoint_before_kill < steps);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the runs die with the sweep

  nlohmann::json status = status_of(sweep);
  CHECK(status["runs"][0]["state"] == "finished");
  CHECK(status["runs"][1]["state"] == "interrupted");
  CHECK(status["runs"][2]["state"] == "pending");
  const int64_t step_after_kill = RunFile::open(killed_file).checkpoint()->step;  // readable after kill -9
  CHECK(step_after_kill >= checkpoint_before_kill);
  CHECK(step_after_kill < steps);
  const std::string finished_bytes = read_file(sweep / "runs" / "000" / "run.h5");

  const auto resumed = run_genlab("sweep " + quoted(dir / "tiny.toml") + " --out " + quoted(sweep) + " --jobs 1");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK_THAT(resumed.output, Catch::Contains("1 finished") && Catch::Contains("2 to run"));
  status = status_of(sweep);
  CHECK(status["counts"]["finished"] == 3);
  CHECK(read_file(sweep / "runs" / "000" / "run.h5") == finished_bytes);

  const std::string log = read_file(sweep / "runs" / "001" / "log.txt");
  std::smatch resumed_at;
  REQUIRE(std::regex_search(log, resumed_at, std::regex(R"(resuming \S+ from step (\d+))")));
  CHECK(std::stoll(resumed_at[1]) == step_after_kill);
  // One history: every step logged once, in order, up to the end.
  const auto losses = RunFile::open(killed_file).scalars(RunFile::open(killed_file).scalar_names().front());
  REQUIRE(losses.size() == size_t(steps));
  for (size_t i = 0; i < losses.size(); ++i) CHECK(losses[i].step == int64_t(i) + 1);
}
