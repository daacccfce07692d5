#pragma once
// Named float tensors in files other programs write and read: safetensors (Hugging Face's format,
// also what scripts/convert-torch-weights makes from a PyTorch state dict) and HDF5 (one dataset
// per tensor). Names are kept as they are, so converted torchvision weights keep torchvision's
// state-dict keys ("features.0.weight").
#include <filesystem>
#include <map>
#include <string>

#include "genlab/core/host_tensor.hpp"

namespace genlab::io {

// Reads F32, F64, F16 and BF16 tensors as float32. Every length and offset is checked against the
// file before use: a truncated or foreign file gives an IoError naming the file and the tensor.
StateDict read_safetensors(const std::filesystem::path& path);
// F32 tensors; `metadata` goes into the header's __metadata__. Written whole or not at all.
void write_safetensors(const std::filesystem::path& path, const StateDict& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Every float dataset under `group`, named by its path below it with '/' read as '.', so flat
// files with dotted names and nested groups both work.
StateDict read_hdf5_weights(const std::filesystem::path& path, const std::string& group = "/");
// Flat float32 datasets with dotted names. Written whole or not at all.
void write_hdf5_weights(const std::filesystem::path& path, const StateDict& tensors);

// A weights file by its content: HDF5 (a genlab run file gives its checkpoint's tensors as
// "<group>.<name>") or safetensors.
StateDict read_weights(const std::filesystem::path& path);

}  // namespace genlab::io
