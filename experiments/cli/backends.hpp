#pragma once
// The one place where a backend's name becomes a type: everything below it is a template.
#include <string>

#include "backends/onednn/onednn_backend.hpp"
#include "genlab/core/error.hpp"
#ifdef GENLAB_WITH_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
#endif

namespace genlab::cli {

// Calls f.template operator()<B>() for the backend called `name`.
template <class F>
decltype(auto) with_backend(const std::string& name, F&& f) {
  if (name == "onednn") return f.template operator()<OneDnn>();
#ifdef GENLAB_WITH_LIBTORCH
  if (name == "libtorch") return f.template operator()<LibTorch>();
  throw ConfigError("unknown backend '" + name + "' (available: onednn, libtorch)");
#else
  throw ConfigError("unknown backend '" + name + "' (available: onednn; this genlab was built without LibTorch)");
#endif
}

}  // namespace genlab::cli
