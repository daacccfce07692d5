// Progress of training as the user sees it: on a terminal one line redrawn in place with a bar;
// in a log file or a pipe (a sweep's log.txt, a Slurm job) plain lines, and not one per step.
#include <catch2/catch.hpp>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

#include "genlab/train/progress.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/synthetic_idx.hpp"
#include "tests/support/temporary_directory.hpp"

using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

namespace {

// `genlab ARGUMENTS` with its output on a pseudo-terminal, as in an interactive shell.
std::string run_genlab_on_terminal(const std::string& arguments) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string command = std::string(GENLAB_BINARY_DIR) + "/experiments/genlab " + arguments;
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string output;
  char buffer[4096];
  for (;;) {
    pollfd ready{master, POLLIN, 0};
    if (poll(&ready, 1, 120000) <= 0) break;
    const ssize_t n = read(master, buffer, sizeof buffer);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    output.append(buffer, size_t(n));
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return output;
}

std::string tiny_training(const TemporaryDirectory& dir, const std::string& out) {
  return "train dcgan --data " + quoted(dir / "data") + " --width 4 --latent-dim 8 --batch-size 8 --threads 1 --epochs 1000 --steps 300 --out " +
         quoted(dir / out);
}

}  // namespace

TEST_CASE("on a terminal, training redraws one progress line in place with a bar") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 64);
  const std::string output = run_genlab_on_terminal(tiny_training(dir, "tty.h5"));
  INFO(output);
  CHECK_THAT(output, Catch::Contains("\r\033[K"));
  CHECK_THAT(output, Catch::Contains("dcgan [####"));
  CHECK_THAT(output, Catch::Contains("100% step 300/300") && Catch::Contains("(stopped by steps)"));
}

TEST_CASE("in a pipe, training prints plain lines: no carriage returns, no escape codes, not one per step") {
  TemporaryDirectory dir;
  genlab::testing::write_idx_directory(dir / "data", 64);
  const auto result = run_genlab(tiny_training(dir, "pipe.h5"));
  INFO(result.output);
  REQUIRE(result.exit_code == 0);
  CHECK(result.output.find('\r') == std::string::npos);
  CHECK(result.output.find('\033') == std::string::npos);
  CHECK_THAT(result.output, Catch::Contains("dcgan 100% step 300/300") && Catch::Contains("loss_d"));
  size_t lines = 0;
  for (char c : result.output) lines += c == '\n';
  CHECK(lines < 30);
}

TEST_CASE("a plain progress log gives rate, elapsed time, ETA and the latest values on its final line") {
  std::ostringstream out;
  {
    genlab::train::Progress progress("eval", 0, 1000, 0.0, out);
    for (int64_t step = 1; step <= 1000; ++step) progress.update(step, {{"loss", 0.5}});
    progress.finish(1000, {{"loss", 0.25}}, "done");
  }
  const std::string text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);  // updates within 10 s print nothing
  CHECK_THAT(text, Catch::StartsWith("eval 100% step 1000/1000 | ") && Catch::Contains(" it/s | ") &&
                       Catch::Contains(" < 00:00") && Catch::Contains("loss 0.25 (done)"));
}
