// genlab compare as a user meets it: run files and a sweep directory in, one report out (Markdown,
// self-contained HTML, gnuplot's SVG and PNG plots, the last sample grids), and bad input that
// ends with a message naming the file.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "genlab/io/image.hpp"
#include "genlab/io/run_file.hpp"
#include "genlab/io/weights.hpp"
#include "tests/support/run_genlab.hpp"
#include "tests/support/temporary_directory.hpp"

namespace fs = std::filesystem;
using genlab::Attributes;
using genlab::io::ScalarPoint;
using genlab::testing::quoted;
using genlab::testing::run_genlab;
using genlab::testing::TemporaryDirectory;

namespace {

struct RunSpec {
  double lr = 1e-4;
  std::vector<ScalarPoint> fid, inception_score, loss_d, loss_g;
  int last_grid_width = 16;  // the last sample grid's width tells it from the earlier one
};

std::vector<ScalarPoint> line(int count, double start, double slope) {
  std::vector<ScalarPoint> points;
  for (int i = 0; i < count; ++i) points.push_back({10 * (i + 1), start + slope * i});
  return points;
}

genlab::io::Image grid(int width, int height, int channels, uint8_t shade) {
  genlab::io::Image image{width, height, channels, {}};
  for (int p = 0; p < width * height * channels; ++p) image.pixels.push_back(static_cast<uint8_t>(shade + p % 64));
  return image;
}

void write_run(const fs::path& path, const RunSpec& spec) {
  fs::create_directories(path.parent_path());
  const Attributes header{{"model", std::string("dcgan")}, {"backend", std::string("onednn")},
                          {"device", std::string("cpu")}, {"dataset", std::string("synthetic-shapes")}};
  const Attributes config{{"lr", spec.lr}, {"batch_size", int64_t{64}}, {"seed", int64_t{0}}, {"backend", std::string("onednn")}};
  auto run = genlab::io::RunFile::create(path, header, config);
  for (const auto& p : spec.loss_d) run.add_scalar("loss_d", p.step, p.value);
  for (const auto& p : spec.loss_g) run.add_scalar("loss_g", p.step, p.value);
  for (const auto& p : spec.fid) run.add_metric("fid", p.step, p.value);
  for (const auto& p : spec.inception_score) run.add_metric("is", p.step, p.value);
  run.add_image("samples", 100, grid(8, 8, 1, 10));
  run.add_image("samples", 600, grid(spec.last_grid_width, 12, 3, 100));
  genlab::io::Checkpoint checkpoint;
  checkpoint.step = 600;
  run.commit(&checkpoint);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The cells of a Markdown table row, trimmed, without bold markers.
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::stringstream in(row.substr(1));
  for (std::string cell; std::getline(in, cell, '|');) {
    cell = std::regex_replace(cell, std::regex(R"(\*\*)"), "");
    cell = std::regex_replace(cell, std::regex(R"(^\s+|\s+$)"), "");
    out.push_back(cell);
  }
  return out;
}

// The Markdown table after the heading `## <section>`: its rows, header first, the --- row dropped.
std::vector<std::vector<std::string>> table_after(const std::string& markdown, const std::string& section) {
  std::stringstream in(markdown.substr(markdown.find("## " + section)));
  std::vector<std::vector<std::string>> rows;
  bool started = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("|")) {
      started = true;
      if (line.find("---") == std::string::npos) rows.push_back(cells(line));
    } else if (started) {
      break;
    }
  }
  return rows;
}

// The labels in the "run" column, in order.
std::vector<std::string> run_order(const std::vector<std::vector<std::string>>& table) {
  std::vector<std::string> labels;
  for (size_t r = 1; r < table.size(); ++r) labels.push_back(table[r][0].substr(0, table[r][0].find(" (best")));
  return labels;
}

std::string cell(const std::vector<std::vector<std::string>>& table, const std::string& run, const std::string& column) {
  const auto& header = table.front();
  const auto c = std::find(header.begin(), header.end(), column) - header.begin();
  REQUIRE(c < static_cast<long>(header.size()));
  for (size_t r = 1; r < table.size(); ++r)
    if (table[r][0].starts_with(run + " ") || table[r][0] == run) return table[r][c];
  FAIL("no row for run " << run);
  return "";
}

bool is_png(const fs::path& path) {
  const std::string bytes = read_text(path);
  return bytes.size() > 1024 && bytes.starts_with("\x89PNG\r\n\x1a\n");
}

// Two run files and a sweep directory of two runs, one of which has not written its file yet.
struct Fixture {
  TemporaryDirectory dir;
  fs::path alpha = dir / "alpha.h5", beta = dir / "beta.h5", sweep = dir / "sweep";
  Fixture() {
    write_run(alpha, {1e-4, {{100, 40}, {200, 30}}, {{100, 2.0}, {200, 1.5}}, line(60, 1.0, -0.01), line(5, 3, 0.5), 16});
    write_run(beta, {2e-4, {{100, 20}, {200, 25}}, {{100, 1.0}, {200, 3.0}}, line(60, 0.9, -0.002), line(5, 2, 0.25), 18});
    write_run(sweep / "runs/000/run.h5", {5e-4, {{100, 60}, {200, 45}}, {{100, 1.2}, {200, 2.5}}, line(60, 0.5, 0.001), {}, 20});
    std::ofstream(sweep / "index.json") << R"({"genlab_sweep": 1, "name": "lr", "model": "dcgan", "runs": [
      {"id": "000", "name": "lr=0.0005", "overrides": {"lr": 0.0005}, "config": "runs/000/config.toml", "file": "runs/000/run.h5"},
      {"id": "001", "name": "lr=0.001", "overrides": {"lr": 0.001}, "config": "runs/001/config.toml", "file": "runs/001/run.h5"}]})";
  }
  std::string inputs() const { return quoted(alpha) + " " + quoted(beta) + " " + quoted(sweep); }
};

}  // namespace

TEST_CASE("genlab compare writes one report of run files and a sweep: runs, differing settings, metrics, plots, samples") {
  Fixture f;
  const fs::path out = f.dir / "report";
  const auto r = run_genlab("compare " + f.inputs() + " --out " + quoted(out) + " --title 'Learning rates'");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("lr=0.001") && Catch::Contains("does not exist yet"));  // the unfinished sweep run

  const std::string md = read_text(out / "report.md");
  CHECK_THAT(md, Catch::StartsWith("# Learning rates"));
  for (const char* label : {"alpha", "beta", "lr=0.0005"}) CHECK_THAT(md, Catch::Contains(label));
  CHECK_THAT(md, Catch::Contains("Skipped lr=0.001"));

  SECTION("the runs table has the header attributes and the last checkpoint step") {
    const auto runs = table_after(md, "Runs");
    REQUIRE(runs.size() == 4);
    CHECK(cell(runs, "alpha", "model") == "dcgan");
    CHECK(cell(runs, "lr=0.0005", "dataset") == "synthetic-shapes");
    CHECK(cell(runs, "beta", "checkpoint step") == "600");
  }

  SECTION("the settings table has exactly the setting that differs") {
    const auto settings = table_after(md, "Settings that differ");
    REQUIRE(settings.size() == 4);
    CHECK(settings.front() == std::vector<std::string>{"run", "lr"});
    CHECK(cell(settings, "alpha", "lr") == "0.0001");
    CHECK(cell(settings, "lr=0.0005", "lr") == "0.0005");
    CHECK_THAT(md, Catch::Contains("All runs share: backend = `onednn`, batch_size = `64`, seed = `0`."));
  }

  SECTION("the metrics table has each run's last and best values, sorted by FID, the best run marked") {
    const auto metrics = table_after(md, "Metrics");
    CHECK(run_order(metrics) == std::vector<std::string>{"beta", "alpha", "lr=0.0005"});
    CHECK_THAT(metrics[1][0], Catch::Contains("(best fid)"));
    CHECK(cell(metrics, "beta", "fid last") == "25");
    CHECK(cell(metrics, "beta", "fid best") == "20");
    CHECK(cell(metrics, "alpha", "is last") == "1.5");
    CHECK(cell(metrics, "alpha", "is best") == "2");  // higher is better
    CHECK(cell(metrics, "lr=0.0005", "loss_d last") == "0.559");
    CHECK(cell(metrics, "lr=0.0005", "loss_d best") == "0.5");
    CHECK(cell(metrics, "lr=0.0005", "loss_g last") == "–");
    CHECK_THAT(md, Catch::Contains("| **25** |"));  // beta's is the best last FID
  }

  SECTION("every plot exists as SVG and PNG, with one curve per run (and its raw curve where smoothed)") {
    for (const auto& [plot, curves] : std::vector<std::pair<std::string, size_t>>{{"fid", 3}, {"is", 3}, {"loss_d", 6}, {"loss_g", 2}}) {
      INFO(plot);
      const fs::path svg = out / "plots" / (plot + ".svg"), png = out / "plots" / (plot + ".png");
      REQUIRE(fs::exists(svg));
      CHECK(is_png(png));
      const std::string text = read_text(svg);
      CHECK(count(text, "<g id=\"gnuplot_plot_") == curves);
      CHECK(count(text, "<path") > curves);
      CHECK_THAT(text, Catch::Contains("<text>alpha</text>") && Catch::Contains("<text>beta</text>"));
      CHECK_THAT(md, Catch::Contains("](plots/" + plot + ".png)"));
    }
    CHECK_THAT(read_text(out / "plots/loss_d.svg"), Catch::Contains("<text>lr=0.0005</text>"));
    CHECK_FALSE(fs::exists(out / "plots/loss_g.log"));
  }

  SECTION("each run's latest sample grid is written and linked") {
    CHECK(genlab::io::read_image(out / "samples/alpha.png").width == 16);
    CHECK(genlab::io::read_image(out / "samples/beta.png").width == 18);
    CHECK(genlab::io::read_image(out / "samples/lr-0.0005.png").width == 20);
    CHECK_THAT(md, Catch::Contains("![lr=0.0005 (step 600)](samples/lr-0.0005.png)"));
  }

  SECTION("the HTML report stands alone: every label, the plots inline, the samples as data URIs") {
    const std::string html = read_text(out / "report.html");
    for (const char* label : {"alpha", "beta", "lr=0.0005"}) CHECK_THAT(html, Catch::Contains(label));
    CHECK(count(html, "<svg") == 4);
    CHECK(count(html, "src=\"data:image/png;base64,iVBORw0KGgo") == 3);
    CHECK(count(html, "src=\"") == 3);  // nothing else to fetch
    CHECK_THAT(html, Catch::Contains("<details><summary>3 settings all runs share</summary>"));
    CHECK_THAT(html, Catch::Contains("id='plot1-gpPt0'") && !Catch::Contains("<?xml"));

    // Bonus where a browser is at hand: the report renders.
    if (std::system("command -v chromium > /dev/null 2>&1") == 0) {
      const fs::path shot = f.dir / "shot.png";
      const std::string command = "chromium --headless --no-sandbox --disable-gpu --window-size=1200,1600 --screenshot=" +
                                  quoted(shot) + " " + quoted(fs::path("file://" + (out / "report.html").string())) + " > /dev/null 2>&1";
      CHECK(std::system(command.c_str()) == 0);
      CHECK(is_png(shot));
    }
  }
}

TEST_CASE("genlab compare sorts by --metric, higher-is-better metrics and scalars alike") {
  Fixture f;
  const fs::path out = f.dir / "report";
  const auto by_is = run_genlab("compare " + f.inputs() + " --metric is --out " + quoted(out));
  INFO(by_is.output);
  REQUIRE(by_is.exit_code == 0);
  CHECK_THAT(by_is.output, Catch::Contains("best: beta (is 3)"));
  CHECK(run_order(table_after(read_text(out / "report.md"), "Metrics")) == std::vector<std::string>{"beta", "lr=0.0005", "alpha"});

  const auto by_loss = run_genlab("compare " + f.inputs() + " --metric loss_d --out " + quoted(out));
  REQUIRE(by_loss.exit_code == 0);
  const auto metrics = table_after(read_text(out / "report.md"), "Metrics");
  CHECK(run_order(metrics) == std::vector<std::string>{"alpha", "lr=0.0005", "beta"});
  CHECK_THAT(metrics[1][0], Catch::Contains("(best loss_d)"));

  const auto unknown = run_genlab("compare " + f.inputs() + " --metric kid --out " + quoted(out));
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Catch::Contains("'kid'") && Catch::Contains("fid, is, loss_d, loss_g"));
}

TEST_CASE("genlab compare labels run files by their stem, and by their directory where stems collide") {
  TemporaryDirectory dir;
  write_run(dir / "a/run.h5", {1e-4, {}, {}, line(3, 1, 0), {}, 16});
  write_run(dir / "b/run.h5", {1e-4, {}, {}, line(3, 2, 0), {}, 16});
  const auto r = run_genlab("compare " + quoted(dir / "a/run.h5") + " " + quoted(dir / "b/run.h5") + " --out " + quoted(dir / "out"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string md = read_text(dir / "out/report.md");
  CHECK_THAT(md, Catch::Contains("| a/run |") && Catch::Contains("| b/run |"));
  CHECK_THAT(md, Catch::Contains("None: all runs have the same settings."));
  CHECK_THAT(md, Catch::Contains("In the order given"));  // no metric to sort by
}

TEST_CASE("genlab compare ranks a diverged run (NaN at the end) last, and its best value ignores the NaN") {
  TemporaryDirectory dir;
  const double nan = std::nan("");
  write_run(dir / "diverged.h5", {2e-3, {}, {}, {{10, 0.9}, {20, 0.4}, {30, nan}}, {}, 16});
  write_run(dir / "steady.h5", {2e-4, {}, {}, {{10, 0.9}, {20, 0.7}, {30, 0.6}}, {}, 16});
  const auto r = run_genlab("compare " + quoted(dir / "diverged.h5") + " " + quoted(dir / "steady.h5") +
                            " --metric loss_d --out " + quoted(dir / "out"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("best: steady (loss_d 0.6)"));
  const auto metrics = table_after(read_text(dir / "out/report.md"), "Metrics");
  CHECK(run_order(metrics) == std::vector<std::string>{"steady", "diverged"});
  CHECK(cell(metrics, "diverged", "loss_d last") == "nan");
  CHECK(cell(metrics, "diverged", "loss_d best") == "0.4");
}

TEST_CASE("genlab compare on bad input ends with exit code 1 and a message naming the file") {
  TemporaryDirectory dir;
  write_run(dir / "good.h5", {1e-4, {}, {}, line(3, 1, 0), {}, 16});
  const std::string good = quoted(dir / "good.h5") + " ";
  const std::string out = " --out " + quoted(dir / "out");
  auto check_fails = [&](const std::string& arguments, const std::string& named) {
    const auto r = run_genlab("compare " + arguments + out);
    INFO(r.output);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains(named));
  };

  SECTION("a missing file") { check_fails(good + quoted(dir / "missing.h5"), "missing.h5"); }
  SECTION("a text file") {
    std::ofstream(dir / "notes.txt") << "not HDF5\n";
    check_fails(good + quoted(dir / "notes.txt"), "notes.txt");
  }
  SECTION("an HDF5 file that is no run file") {
    genlab::io::write_hdf5_weights(dir / "weights.h5", {{"w", {{2}, {1.f, 2.f}}}});
    check_fails(good + quoted(dir / "weights.h5"), "weights.h5");
  }
  SECTION("a directory that is no sweep") {
    fs::create_directories(dir / "plain");
    check_fails(good + quoted(dir / "plain"), "index.json");
  }
  SECTION("a sweep with an empty index") {
    fs::create_directories(dir / "empty-sweep");
    std::ofstream(dir / "empty-sweep/index.json") << R"({"genlab_sweep": 1, "runs": []})";
    check_fails(good + quoted(dir / "empty-sweep"), "empty-sweep");
  }
  SECTION("a sweep index that is not JSON") {
    fs::create_directories(dir / "broken-sweep");
    std::ofstream(dir / "broken-sweep/index.json") << "{\"runs\": [";
    check_fails(good + quoted(dir / "broken-sweep"), "broken-sweep/index.json");
  }
  SECTION("no gnuplot on PATH") {
    const std::string path = std::getenv("PATH");
    setenv("PATH", (dir / "no-such-bin").c_str(), 1);
    const auto r = run_genlab("compare " + good + out);
    setenv("PATH", path.c_str(), 1);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.output, Catch::Contains("apt-get install gnuplot-nox"));
  }
}

TEST_CASE("genlab compare --group-by averages the runs of each setting's value: mean and sample std") {
  TemporaryDirectory dir;
  // Two runs (seeds, say) per learning rate, each with a last FID the table must average.
  const std::vector<std::pair<double, double>> lr_and_fid{{1e-4, 10.0}, {3e-4, 5.0}, {1e-4, 14.0}, {3e-4, 7.0}};
  std::string inputs;
  for (size_t i = 0; i < lr_and_fid.size(); ++i) {
    RunSpec spec;
    spec.lr = lr_and_fid[i].first;
    spec.fid = {{300, 99.0}, {600, lr_and_fid[i].second}};
    const fs::path file = dir / ("run" + std::to_string(i) + ".h5");
    write_run(file, spec);
    inputs += " " + quoted(file);
  }
  const fs::path out = dir / "report";
  const auto grouped = run_genlab("compare" + inputs + " --group-by lr --out " + quoted(out));
  INFO(grouped.output);
  REQUIRE(grouped.exit_code == 0);
  const auto table = table_after(read_text(out / "report.md"), "Grouped by lr");
  REQUIRE(table.size() == 3);
  CHECK(table[0] == std::vector<std::string>{"lr", "runs", "fid mean +- std"});
  CHECK(table[1] == std::vector<std::string>{"0.0003", "2", "6 +- 1.414"});  // sorted by FID: the better lr first
  CHECK(table[2] == std::vector<std::string>{"0.0001", "2", "12 +- 2.828"});
  CHECK_THAT(read_text(out / "report.html"), Catch::Contains("<h3>Grouped by lr</h3>"));

  const auto unknown = run_genlab("compare" + inputs + " --group-by lrr --out " + quoted(out));
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Catch::Contains("--group-by 'lrr': no run has a setting of that name"));
}

TEST_CASE("a sweep's run file given by itself keeps its name in the sweep as its label") {
  Fixture f;
  const fs::path out = f.dir / "report";
  const auto r = run_genlab("compare " + quoted(f.alpha) + " " + quoted(f.sweep / "runs/000/run.h5") + " --out " + quoted(out));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto runs = table_after(read_text(out / "report.md"), "Runs");
  REQUIRE(runs.size() == 3);
  CHECK(runs[1][0].starts_with("alpha"));  // the best FID (30) first
  CHECK(runs[2][0] == "lr=0.0005");       // not "run": its name in the sweep beside it
}
