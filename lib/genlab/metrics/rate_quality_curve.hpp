#pragma once
// A codec's rate-quality curve: (rate, quality) operating points, e.g. bits per pixel and PSNR in
// dB, the input of BD-rate and BD-PSNR (bjontegaard.hpp).
#include <filesystem>
#include <vector>

namespace genlab::metrics {

struct RateQualityPoint {
  double rate = 0;     // > 0, any unit (bpp, kbit/s): BD-rate is a ratio
  double quality = 0;  // PSNR in dB, MS-SSIM in dB, ...
};

using RateQualityCurve = std::vector<RateQualityPoint>;

// Reads a CSV file with one point per line, `rate,quality`. Blank lines and lines starting with
// '#' are skipped; a first line of two non-numeric fields is a header ("bpp,psnr"). Throws IoError
// naming the file and the line for anything else that is not two finite numbers, for a rate that
// is not positive, and for fewer than 4 points.
RateQualityCurve read_rate_quality_csv(const std::filesystem::path& path);

}  // namespace genlab::metrics
