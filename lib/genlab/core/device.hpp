#pragma once
#include <string>
#include <string_view>

namespace genlab {

enum class DType { f32, f64 };

std::string_view to_string(DType dtype);

enum class DeviceType { cpu, cuda };

struct Device {
  DeviceType type = DeviceType::cpu;
  int index = 0;

  static Device cpu() { return {}; }
  static Device cuda(int index = 0) { return {DeviceType::cuda, index}; }
  // "cpu", "cuda", "cuda:1"; throws ConfigError otherwise.
  static Device parse(std::string_view text);

  bool operator==(const Device&) const = default;
};

std::string to_string(const Device& device);

// Where and in which precision a new tensor lives.
struct TensorOptions {
  DType dtype = DType::f32;
  Device device{};
};

}  // namespace genlab
