#include "genlab/core/device.hpp"

#include <charconv>

#include "genlab/core/error.hpp"

namespace genlab {

std::string_view to_string(DType dtype) { return dtype == DType::f32 ? "float32" : "float64"; }

Device Device::parse(std::string_view text) {
  if (text == "cpu") return cpu();
  if (text == "cuda") return cuda(0);
  if (text.starts_with("cuda:")) {
    int index = -1;
    const auto digits = text.substr(5);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (ec == std::errc{} && end == digits.data() + digits.size() && index >= 0) return cuda(index);
  }
  throw ConfigError("unknown device '" + std::string(text) + "' (expected cpu, cuda or cuda:N)");
}

std::string to_string(const Device& device) {
  if (device.type == DeviceType::cpu) return "cpu";
  return "cuda:" + std::to_string(device.index);
}

}  // namespace genlab
