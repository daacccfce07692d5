#pragma once
// The tensor options of a run on the device the user named, or a clear error when the backend
// cannot run there.
#include <string>

#include "genlab/core/backend.hpp"
#include "genlab/core/error.hpp"

namespace genlab::train {

template <Backend B>
TensorOptions tensor_options(const std::string& device_name) {
  const Device device = Device::parse(device_name);
  if (!B::is_available(device))
    throw BackendError("device " + to_string(device) + " is not available on the " + std::string(B::name) +
                       " backend" + (B::name == "onednn" ? " (it runs on the CPU; use --backend libtorch for CUDA)" : ""));
  return {DType::f32, device};
}

}  // namespace genlab::train
