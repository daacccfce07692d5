#include "experiments/backend/backend_commands.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <system_error>

#include "genlab/core/error.hpp"

namespace genlab::backend {
namespace {

constexpr const char* module_file = "libgenlab-libtorch.so";
constexpr const char* install_hint =
    "build genlab with the LibTorch backend (apt-get install libtorch-dev libopenblas0-pthread, then cmake "
    "-DGENLAB_WITH_LIBTORCH=ON), or point GENLAB_LIBTORCH_MODULE at its libgenlab-libtorch.so";

// Where the module may be, in order: the environment's choice, beside the executable, an
// installed tree's lib/genlab, and the build tree it was built in.
std::vector<fs::path> module_candidates() {
  if (const char* given = std::getenv("GENLAB_LIBTORCH_MODULE"); given && *given) return {fs::path(given)};
  std::vector<fs::path> candidates;
  std::error_code ec;
  const fs::path executable = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(executable.parent_path() / module_file);
    candidates.push_back(executable.parent_path().parent_path() / "lib" / "genlab" / module_file);
  }
#ifdef GENLAB_BUILD_TREE_LIBTORCH_MODULE
  candidates.emplace_back(GENLAB_BUILD_TREE_LIBTORCH_MODULE);
#endif
  return candidates;
}

const Commands* load_libtorch_module() {
  const std::vector<fs::path> candidates = module_candidates();
  fs::path found;
  for (const fs::path& candidate : candidates)
    if (std::error_code ec; fs::is_regular_file(candidate, ec)) {
      found = candidate;
      break;
    }
  if (found.empty()) {
    std::string tried;
    for (const fs::path& candidate : candidates) tried += (tried.empty() ? "" : ", ") + candidate.string();
    throw BackendError("the LibTorch backend is not installed: no " + std::string(module_file) + " (looked for " +
                       tried + "); " + install_hint);
  }
  void* handle = dlopen(found.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const std::string why = dlerror();
    const bool torch_missing = why.find("libtorch") != std::string::npos || why.find("libc10") != std::string::npos;
    throw BackendError("cannot load the LibTorch backend from " + found.string() + ": " + why +
                       (torch_missing ? " (LibTorch's libraries are missing: apt-get install libtorch-dev "
                                        "libopenblas0-pthread)"
                                      : ""));
  }
  using Entry = const Commands* (*)(long);
  const auto entry = reinterpret_cast<Entry>(dlsym(handle, "genlab_libtorch_commands"));
  if (!entry) throw BackendError(found.string() + " is not genlab's LibTorch module (it has no genlab_libtorch_commands)");
  const Commands* table = entry(abi_version);
  if (!table)
    throw BackendError(found.string() + " was built from another version of genlab than this executable; rebuild both together");
  return table;  // the module stays loaded until exit: its tensors may live in static caches
}

}  // namespace

const Commands& commands(const std::string& name) {
  if (name == "onednn") return onednn_commands();
  if (name == "libtorch") {
    static const Commands* libtorch = load_libtorch_module();  // tried again after a failure
    return *libtorch;
  }
  throw ConfigError("unknown backend '" + name + "' (available: onednn, libtorch)");
}

}  // namespace genlab::backend
