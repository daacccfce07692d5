#pragma once
// Errors are values a user can act on: each names the thing that is wrong (a file, a field, a
// shape) and what was expected. The CLI prints `genlab: <what()>` and exits non-zero.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace genlab {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Tensor shapes or dtypes that an op cannot take.
struct ShapeError : Error {
  using Error::Error;
};

// A file that cannot be read or written, or whose contents are not what they claim to be.
struct IoError : Error {
  using Error::Error;
};

// A configuration value outside its allowed range, an unknown option or key.
struct ConfigError : Error {
  using Error::Error;
};

// A backend asked for something it does not support (a device, a dtype, a capability).
struct BackendError : Error {
  using Error::Error;
};

// A path as error messages show it: 'runs/dcgan.h5'. Appended piecewise: "'" + path.string()
// trips a false -Wrestrict in GCC 12 (bug 105329).
inline std::string quoted(const std::filesystem::path& path) {
  std::string text = "'";
  text += path.string();
  text += "'";
  return text;
}

}  // namespace genlab
