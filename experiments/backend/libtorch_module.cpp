// The LibTorch backend's module, libgenlab-libtorch.so: the models, metrics and feature networks
// compiled for LibTorch, reached through the one symbol below (backend_commands.cpp loads it).
#include "experiments/backend/commands_of.hpp"

extern "C" const genlab::backend::Commands* genlab_libtorch_commands(long abi_version) {
  static const genlab::backend::Commands table = genlab::backend::commands_of<genlab::InstantiatedBackend>();
  return abi_version == genlab::backend::abi_version ? &table : nullptr;
}
