#pragma once
// measure() of rate_quality.hpp on one backend, instantiated per backend in
// rate_quality_measure.cpp (the oneDNN copy in the executable, the LibTorch copy in its module).
#include <span>
#include <string>
#include <vector>

#include "backends/instantiated_backend.hpp"
#include "experiments/codec/rate_quality.hpp"

namespace genlab::codec_eval {

template <Backend B>
OperatingPoint measure_on(const std::string& codec, const std::string& setting, std::span<const CodedImage> images,
                          const QualityOptions& options, std::vector<ImageResult>* per_image);

}  // namespace genlab::codec_eval
