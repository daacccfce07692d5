#include "genlab/io/weights.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <cstring>
#include <fstream>

#include "genlab/core/error.hpp"
#include "genlab/io/hdf5.hpp"
#include "genlab/io/run_file.hpp"

namespace genlab::io {
namespace fs = std::filesystem;

namespace {

std::vector<char> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + quoted(path) + ": no such file or not readable");
  return std::vector<char>((std::istreambuf_iterator<char>(in)), {});
}

// IEEE half and bfloat16 to float32.
float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    const float value = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -value : value;
  }
  const uint32_t bits = exponent == 0x1f ? sign | 0x7f800000u | (mantissa << 13)  // inf, NaN
                                         : sign | ((exponent + 112) << 23) | (mantissa << 13);
  return std::bit_cast<float>(bits);
}
float bfloat16_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

struct DType {
  const char* name;
  size_t size;
};
constexpr DType dtypes[] = {{"F32", 4}, {"F64", 8}, {"F16", 2}, {"BF16", 2}};

std::vector<float> to_float32(const char* bytes, size_t count, const std::string& dtype) {
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) {
    if (dtype == "F32") {
      std::memcpy(&out[i], bytes + 4 * i, 4);
    } else if (dtype == "F64") {
      double d;
      std::memcpy(&d, bytes + 8 * i, 8);
      out[i] = static_cast<float>(d);
    } else {
      uint16_t h;
      std::memcpy(&h, bytes + 2 * i, 2);
      out[i] = dtype == "F16" ? half_to_float(h) : bfloat16_to_float(h);
    }
  }
  return out;
}

// The temporary name is the process's own: parallel runs of a sweep may write the same feature
// cache at once, and each must rename a whole file of its own.
void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
  const fs::path tmp = path.string() + ".tmp" + std::to_string(getpid());
  try {
    write(tmp);
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

}  // namespace

StateDict read_safetensors(const fs::path& path) {
  const std::vector<char> file = read_file(path);
  auto fail = [&](const std::string& why) { return IoError("cannot read " + quoted(path) + " as safetensors: " + why); };
  if (file.size() < 8) throw fail("the file has " + std::to_string(file.size()) + " bytes, fewer than the 8 of a header size");
  uint64_t header_size;
  std::memcpy(&header_size, file.data(), 8);  // little-endian, as x86-64
  if (header_size > file.size() - 8)
    throw fail("the header claims " + std::to_string(header_size) + " bytes but the file has " +
               std::to_string(file.size() - 8) + " after the size (truncated, or not a safetensors file)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.begin() + 8, file.begin() + 8 + static_cast<std::ptrdiff_t>(header_size));
  } catch (const nlohmann::json::exception& e) {
    throw fail(std::string("the header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) throw fail("the header is not a JSON object");
  const char* data = file.data() + 8 + header_size;
  const uint64_t data_size = file.size() - 8 - header_size;

  StateDict tensors;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    auto bad = [&](const std::string& why) { return fail("tensor '" + name + "': " + why); };
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      throw bad("needs dtype, shape and data_offsets");
    const auto dtype_name = entry["dtype"].is_string() ? entry["dtype"].get<std::string>() : std::string("?");
    const DType* dtype = nullptr;
    for (const auto& d : dtypes)
      if (dtype_name == d.name) dtype = &d;
    if (!dtype) throw bad("dtype " + dtype_name + " is not a float type genlab reads (F32, F64, F16, BF16)");
    Shape shape;
    for (const auto& d : entry["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) throw bad("the shape holds a value that is not a size");
      shape.push_back(d.get<int64_t>());
    }
    const auto& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      throw bad("data_offsets must be two non-negative integers");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    const uint64_t expected = static_cast<uint64_t>(numel(shape)) * dtype->size;
    if (begin > end || end > data_size)
      throw bad("bytes [" + std::to_string(begin) + ", " + std::to_string(end) + ") lie outside the " +
                std::to_string(data_size) + " bytes of data (truncated file?)");
    if (end - begin != expected)
      throw bad("shape " + to_string(shape) + " of " + dtype_name + " needs " + std::to_string(expected) + " bytes, the file gives " +
                std::to_string(end - begin));
    tensors[name] = HostTensor{shape, to_float32(data + begin, static_cast<size_t>(numel(shape)), dtype_name)};
  }
  return tensors;
}

void write_safetensors(const fs::path& path, const StateDict& tensors, const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (static_cast<int64_t>(t.values.size()) != numel(t.shape))
      throw ShapeError("write_safetensors: tensor '" + name + "' has " + std::to_string(t.values.size()) +
                       " values for shape " + to_string(t.shape));
    const uint64_t bytes = t.values.size() * sizeof(float);
    header[name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the format pads the header to 8 bytes with spaces
  write_atomically(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    const uint64_t size = text.size();
    out.write(reinterpret_cast<const char*>(&size), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& [name, t] : tensors)
      out.write(reinterpret_cast<const char*>(t.values.data()), static_cast<std::streamsize>(t.values.size() * sizeof(float)));
    if (!out) throw IoError("cannot write " + quoted(path));
  });
}

namespace {

void collect_datasets(hid_t group, const std::string& prefix, StateDict& out) {
  for (const std::string& name : h5::child_names(group)) {
    const std::string dotted = prefix.empty() ? name : prefix + "." + name;
    // H5Iget_type on an opened object works on HDF5 1.10 and later alike.
    const h5::Handle object(H5Oopen(group, name.c_str(), H5P_DEFAULT), H5Oclose);
    const H5I_type_t type = object.get() < 0 ? H5I_BADID : H5Iget_type(object);
    if (type == H5I_GROUP) {
      collect_datasets(h5::open_group(group, name), dotted, out);
    } else if (type == H5I_DATASET) {
      h5::Handle dataset = h5::open_dataset(group, name);
      HostTensor t{h5::dataset_shape(dataset), {}};
      t.values.resize(static_cast<size_t>(numel(t.shape)));
      h5::read_dataset(dataset, H5T_NATIVE_FLOAT, t.values.data());
      out[dotted] = std::move(t);
    }
  }
}

}  // namespace

StateDict read_hdf5_weights(const fs::path& path, const std::string& group) {
  if (!fs::exists(path)) throw IoError("cannot read " + quoted(path) + ": no such file");
  if (!h5::is_hdf5_file(path)) throw IoError("cannot read " + quoted(path) + ": not an HDF5 file");
  try {
    h5::Handle file = h5::open_file(path, false);
    StateDict out;
    if (group == "/" || group.empty()) {
      collect_datasets(file, "", out);
    } else {
      h5::Handle g = h5::open_group(file, group);
      collect_datasets(g, "", out);
    }
    return out;
  } catch (const h5::Failure& e) {
    throw IoError("cannot read " + quoted(path) + ": " + e.what());
  }
}

void write_hdf5_weights(const fs::path& path, const StateDict& tensors) {
  write_atomically(path, [&](const fs::path& tmp) {
    try {
      h5::Handle file = h5::create_file(tmp);
      for (const auto& [name, t] : tensors) {
        h5::Handle dataset = h5::create_dataset(file, name, H5T_NATIVE_FLOAT, t.shape);
        h5::write_dataset(dataset, H5T_NATIVE_FLOAT, t.values.data());
      }
      file.close();
    } catch (const h5::Failure& e) {
      throw IoError("cannot write " + quoted(path) + ": " + e.what());
    }
  });
}

StateDict read_weights(const fs::path& path) {
  if (!fs::exists(path)) throw IoError("cannot read weights " + quoted(path) + ": no such file");
  if (!h5::is_hdf5_file(path)) return read_safetensors(path);
  bool is_run = false;
  try {
    h5::Handle file = h5::open_file(path, false);
    is_run = h5::has_attribute(file, "genlab_format");
  } catch (const h5::Failure& e) {
    throw IoError("cannot read " + quoted(path) + ": " + e.what());
  }
  if (!is_run) return read_hdf5_weights(path);
  const auto checkpoint = read_checkpoint(path);
  if (!checkpoint) throw IoError("run file " + quoted(path) + " holds no checkpoint to take weights from");
  StateDict out;
  for (const auto& [group, tensors] : checkpoint->groups)
    for (const auto& [name, t] : tensors) out[group + "." + name] = t;
  return out;
}

}  // namespace genlab::io
