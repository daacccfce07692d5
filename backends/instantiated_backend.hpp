#pragma once
// The backend that this translation unit instantiates its templates for. Sources that instantiate
// models are compiled once per backend (genlab_backend_library in the top-level CMakeLists.txt): the
// oneDNN copy goes into the genlab executable, the LibTorch copy into the LibTorch module that
// the executable loads only when a command asks for it (experiments/backend/).
#ifdef GENLAB_INSTANTIATE_LIBTORCH
#include "backends/libtorch/libtorch_backend.hpp"
namespace genlab {
using InstantiatedBackend = LibTorch;
}
#else
#include "backends/onednn/onednn_backend.hpp"
namespace genlab {
using InstantiatedBackend = OneDnn;
}
#endif
