#include "genlab/metrics/rate_quality_curve.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "genlab/core/error.hpp"

namespace genlab::metrics {
namespace {

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The whole field as a number, or nothing.
std::optional<double> number(std::string_view field) {
  double value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error != std::errc() || end != field.data() + field.size() || field.empty()) return std::nullopt;
  return value;
}

}  // namespace

RateQualityCurve read_rate_quality_csv(const std::filesystem::path& path) {
  std::string name = "'";
  name += path.string();
  name += "'";
  std::ifstream file(path);
  if (!file) throw IoError("cannot read " + name + ": no such file or not readable");

  RateQualityCurve curve;
  bool first_line = true;
  std::string line;
  for (int number_of_line = 1; std::getline(file, line); ++number_of_line) {
    const std::string_view text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    const std::string where = name + " line " + std::to_string(number_of_line) + ": ";
    const auto comma = text.find(',');
    if (comma == std::string_view::npos || text.find(',', comma + 1) != std::string_view::npos)
      throw IoError(where + "expected two fields 'rate,quality', got '" + std::string(text) + "'");
    const std::string_view rate_field = trimmed(text.substr(0, comma)), quality_field = trimmed(text.substr(comma + 1));
    const auto rate = number(rate_field), quality = number(quality_field);
    if (first_line && !rate && !quality) {  // a header
      first_line = false;
      continue;
    }
    first_line = false;
    if (!rate || !quality)
      throw IoError(where + "'" + std::string(!rate ? rate_field : quality_field) +
                    "' is not a number (expected 'rate,quality')");
    if (!std::isfinite(*rate) || !std::isfinite(*quality)) throw IoError(where + "rate and quality must be finite");
    if (*rate <= 0) throw IoError(where + "rate " + std::string(rate_field) + " is not positive");
    curve.push_back({*rate, *quality});
  }
  if (curve.size() < 4)
    throw IoError(name + " holds " + std::to_string(curve.size()) +
                  " points; BD-rate and BD-PSNR need at least 4 per curve");
  return curve;
}

}  // namespace genlab::metrics
