#include "experiments/backend/commands_of.hpp"

namespace genlab::backend {

const Commands& onednn_commands() {
  static const Commands table = commands_of<InstantiatedBackend>();
  return table;
}

}  // namespace genlab::backend
