#include "experiments/codec/rate_quality.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "experiments/backend/backend_commands.hpp"
#include "genlab/core/error.hpp"
#include "genlab/metrics/ms_ssim.hpp"

namespace genlab::codec_eval {
namespace fs = std::filesystem;

CodedImage::CodedImage(std::string name, int64_t width, int64_t height, int64_t bytes, io::Image original,
                       io::Image decoded)
    : name(std::move(name)), width(width), height(height), bytes(bytes), original(std::move(original)),
      decoded(std::move(decoded)) {}

CodedImage::CodedImage(std::string name, io::Image original, io::Image decoded, uint64_t bytes)
    : name(std::move(name)), width(original.width), height(original.height), bytes(static_cast<int64_t>(bytes)),
      original(std::move(original)), decoded(std::move(decoded)) {}

void add_quality_options(CLI::App& app, QualityOptions& options) {
  app.add_flag("--lpips", options.lpips, "also measure LPIPS (needs --vgg-weights and --lpips-weights)");
  app.add_flag("--dists", options.dists, "also measure DISTS (needs --vgg-weights and --dists-weights)");
  app.add_flag("--fid", options.fid, "also measure patch FID and KID (needs --inception-weights)");
  app.add_option("--patch", options.patch, "tile side of patch FID and KID")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{16}, int64_t{4096}));
  app.add_option("--vgg-weights", options.vgg_weights, "torchvision VGG16 weights for LPIPS and DISTS (docs/features.md)");
  app.add_option("--lpips-weights", options.lpips_weights, "LPIPS's own layers (docs/features.md)");
  app.add_option("--dists-weights", options.dists_weights, "DISTS's alpha and beta (docs/features.md)");
  app.add_option("--inception-weights", options.inception_weights, "FID Inception-v3 weights (docs/features.md)");
}

void check_quality_options(const QualityOptions& o) {
  auto require = [](const char* metric, std::vector<std::pair<const char*, const std::string*>> files) {
    std::string missing;
    for (const auto& [option, path] : files)
      if (path->empty()) missing += (missing.empty() ? "" : " and ") + std::string(option);
    if (!missing.empty())
      throw ConfigError(std::string(metric) + " needs " + missing +
                        ": genlab cannot download weights; convert them once as docs/features.md says");
  };
  if (o.lpips) require("LPIPS", {{"--vgg-weights", &o.vgg_weights}, {"--lpips-weights", &o.lpips_weights}});
  if (o.dists) require("DISTS", {{"--vgg-weights", &o.vgg_weights}, {"--dists-weights", &o.dists_weights}});
  if (o.fid) {
    require("patch FID", {{"--inception-weights", &o.inception_weights}});
    if (o.patch < 2) throw ConfigError("patch FID needs --patch of at least 2, got " + std::to_string(o.patch));
  }
}

namespace {

// ---- CSV.

// The shortest text that reads back as the same double ("0.25", "31.204170989990234", "nan").
std::string number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

std::string field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string optional_number(const std::optional<double>& value) { return value ? number(*value) : std::string(); }

// The text is written to path.partial and renamed over `path`: a reader never sees half a file.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot write " + quoted(partial) + ": cannot create the file");
    out << text;
    out.flush();
    if (!out) throw IoError("cannot write " + quoted(partial) + ": the write failed (disk full?)");
  }
  std::error_code error;
  fs::rename(partial, path, error);
  if (error) {
    fs::remove(partial, error);
    throw IoError("cannot write " + quoted(path) + ": " + error.message());
  }
}

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The fields of one CSV line (RFC 4180 quoting within the line), or nothing for an unclosed quote.
std::optional<std::vector<std::string>> split_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool in_quotes = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (in_quotes) return std::nullopt;
  for (auto& f : fields) f = std::string(trimmed(f));
  return fields;
}

struct CsvTable {
  std::vector<std::string> header;
  int header_line = 0;
  std::vector<std::pair<int, std::vector<std::string>>> rows;  // line number, fields
};

CsvTable read_csv(const fs::path& path) {
  std::ifstream file(path);
  if (!file) throw IoError("cannot read " + quoted(path) + ": no such file or not readable");
  CsvTable table;
  std::string line;
  for (int number_of_line = 1; std::getline(file, line); ++number_of_line) {
    const std::string_view text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    auto fields = split_fields(text);
    if (!fields) throw IoError(quoted(path) + " line " + std::to_string(number_of_line) + ": a quote is not closed");
    if (table.header.empty()) {
      table.header = std::move(*fields);
      table.header_line = number_of_line;
    } else {
      table.rows.emplace_back(number_of_line, std::move(*fields));
    }
  }
  if (table.header.empty()) throw IoError("cannot read " + quoted(path) + ": it is empty (expected a header line)");
  return table;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

size_t column_index(const CsvTable& table, const fs::path& path, const std::string& column) {
  const auto it = std::find(table.header.begin(), table.header.end(), column);
  if (it == table.header.end())
    throw IoError(quoted(path) + " line " + std::to_string(table.header_line) + ": no column '" + column +
                  "' in the header (columns: " + joined(table.header) + ")");
  return static_cast<size_t>(it - table.header.begin());
}

}  // namespace

OperatingPoint measure(std::string codec, std::string setting, std::span<const CodedImage> images,
                       const QualityOptions& options, std::vector<ImageResult>* per_image) {
  if (images.empty()) throw ConfigError("cannot measure " + codec + " " + setting + ": no images");
  check_quality_options(options);
  return backend::commands(options.backend).measure_rate_quality(codec, setting, images, options, per_image);
}

std::string summary(const OperatingPoint& p) {
  char text[256];
  std::snprintf(text, sizeof text, "%s %s: %lld images, %.4f bpp, PSNR %.2f dB, MS-SSIM %.4f (%.2f dB)", p.codec.c_str(),
                p.setting.c_str(), static_cast<long long>(p.images), p.bpp, p.psnr, p.ms_ssim, p.ms_ssim_db);
  std::string out = text;
  if (p.ms_ssim_images < p.images)
    out += " [MS-SSIM over " + std::to_string(p.ms_ssim_images) + " of " + std::to_string(p.images) +
           " images; the others are smaller than " + std::to_string(metrics::ms_ssim_minimum_size()) + " pixels]";
  auto add = [&](const char* name, const std::optional<double>& value, int digits) {
    if (!value) return;
    std::snprintf(text, sizeof text, ", %s %.*f", name, digits, *value);
    out += text;
  };
  add("LPIPS", p.lpips, 4);
  add("DISTS", p.dists, 4);
  add("patch FID", p.fid, 2);
  add("patch KID", p.kid, 5);
  return out;
}

void write_rate_quality_csv(const fs::path& path, std::span<const OperatingPoint> points) {
  auto any = [&](auto member) {
    return std::any_of(points.begin(), points.end(), [&](const OperatingPoint& p) { return (p.*member).has_value(); });
  };
  const bool lpips = any(&OperatingPoint::lpips), dists = any(&OperatingPoint::dists), fid = any(&OperatingPoint::fid),
             kid = any(&OperatingPoint::kid);
  std::ostringstream out;
  out << "codec,setting,images,bpp,psnr,ms_ssim,ms_ssim_db" << (lpips ? ",lpips" : "") << (dists ? ",dists" : "")
      << (fid ? ",fid" : "") << (kid ? ",kid" : "") << "\n";
  for (const OperatingPoint& p : points) {
    out << field(p.codec) << ',' << field(p.setting) << ',' << p.images << ',' << number(p.bpp) << ',' << number(p.psnr)
        << ',' << number(p.ms_ssim) << ',' << number(p.ms_ssim_db);
    if (lpips) out << ',' << optional_number(p.lpips);
    if (dists) out << ',' << optional_number(p.dists);
    if (fid) out << ',' << optional_number(p.fid);
    if (kid) out << ',' << optional_number(p.kid);
    out << "\n";
  }
  write_atomically(path, out.str());
}

void write_per_image_csv(const fs::path& path, std::span<const ImageResult> results) {
  const bool lpips = std::any_of(results.begin(), results.end(), [](const ImageResult& r) { return r.lpips.has_value(); });
  const bool dists = std::any_of(results.begin(), results.end(), [](const ImageResult& r) { return r.dists.has_value(); });
  std::ostringstream out;
  out << "codec,setting,image,width,height,bytes,bpp,psnr,ms_ssim" << (lpips ? ",lpips" : "") << (dists ? ",dists" : "")
      << "\n";
  for (const ImageResult& r : results) {
    out << field(r.codec) << ',' << field(r.setting) << ',' << field(r.name) << ',' << r.width << ',' << r.height << ','
        << r.bytes << ',' << number(r.bpp) << ',' << number(r.psnr) << ',' << number(r.ms_ssim);
    if (lpips) out << ',' << optional_number(r.lpips);
    if (dists) out << ',' << optional_number(r.dists);
    out << "\n";
  }
  write_atomically(path, out.str());
}

void write_per_image_csv(const fs::path& path, const std::string& codec, const std::string& setting,
                         std::span<const ImageResult> results) {
  std::vector<ImageResult> labelled(results.begin(), results.end());
  for (ImageResult& r : labelled) {
    r.codec = codec;
    r.setting = setting;
  }
  write_per_image_csv(path, labelled);
}

void write_decoded_images(const fs::path& directory, std::span<const CodedImage> images) {
  for (const CodedImage& image : images) {
    const fs::path file = (directory / image.name).replace_extension(".png");
    std::error_code error;
    fs::create_directories(file.parent_path(), error);
    if (error) throw IoError("cannot create the folder " + quoted(file.parent_path()) + ": " + error.message());
    io::write_png(file, image.decoded);
  }
}

std::vector<std::pair<double, double>> read_rate_quality_csv(const fs::path& path, const std::string& rate_column,
                                                             const std::string& quality_column) {
  const CsvTable table = read_csv(path);
  const size_t rate = column_index(table, path, rate_column), quality = column_index(table, path, quality_column);
  std::vector<std::pair<double, double>> points;
  for (const auto& [line, fields] : table.rows) {
    const std::string where = quoted(path) + " line " + std::to_string(line);
    if (fields.size() != table.header.size())
      throw IoError(where + ": " + std::to_string(fields.size()) + " fields, but the header (line " +
                    std::to_string(table.header_line) + ") has " + std::to_string(table.header.size()));
    auto value = [&](size_t column) {
      const std::string& text = fields[column];
      const std::string at = where + ", column '" + table.header[column] + "': ";
      double v = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty()) throw IoError(at + "the value is empty");
      if (error != std::errc() || end != text.data() + text.size()) throw IoError(at + "'" + text + "' is not a number");
      if (!std::isfinite(v)) throw IoError(at + "'" + text + "' is not a finite number");
      return v;
    };
    const double r = value(rate), q = value(quality);
    if (r <= 0) throw IoError(where + ", column '" + rate_column + "': the rate " + fields[rate] + " is not positive");
    points.emplace_back(r, q);
  }
  return points;
}

bool lower_is_better(const std::string& metric) {
  return metric == "lpips" || metric == "dists" || metric == "fid" || metric == "kid";
}

metrics::RateQualityCurve bd_curve(const fs::path& path, const std::string& rate_column, const std::string& metric) {
  if (std::find(std::begin(bd_metrics), std::end(bd_metrics), metric) == std::end(bd_metrics)) {
    std::vector<std::string> names(std::begin(bd_metrics), std::end(bd_metrics));
    throw ConfigError("unknown quality metric '" + metric + "' (expected one of " + joined(names) + ")");
  }
  metrics::RateQualityCurve curve;
  for (const auto& [rate, quality] : read_rate_quality_csv(path, rate_column, metric)) {
    double q = quality;
    if (metric == "ms_ssim") {
      if (quality >= 1)
        throw IoError(quoted(path) + ": an ms_ssim of " + number(quality) + " has no value in dB (-10 log10(1 - x))");
      q = -10.0 * std::log10(1.0 - quality);
    } else if (lower_is_better(metric)) {
      q = -quality;
    }
    curve.push_back({rate, q});
  }
  if (curve.size() < 4)
    throw IoError(quoted(path) + " holds " + std::to_string(curve.size()) +
                  " points; BD-rate and BD-PSNR need at least 4 per curve");
  return curve;
}

bool has_named_columns(const fs::path& path, const std::string& rate_column) {
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    const std::string_view text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    const auto fields = split_fields(text);
    return fields && std::find(fields->begin(), fields->end(), rate_column) != fields->end();
  }
  return false;
}

}  // namespace genlab::codec_eval
