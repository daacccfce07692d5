#include "genlab/ot/isa.hpp"

#include <cstdlib>

#include "genlab/core/error.hpp"

namespace genlab::ot {

std::vector<Isa> supported_isas() {
  std::vector<Isa> isas{Isa::generic};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isas.push_back(Isa::avx2);
  if (__builtin_cpu_supports("avx512f")) isas.push_back(Isa::avx512);
  return isas;
}

Isa fastest_isa() {
  static const Isa chosen = [] {
    const std::vector<Isa> isas = supported_isas();
    if (const char* wanted = std::getenv("GENLAB_OT_ISA"); wanted && *wanted) {
      for (const Isa isa : isas)
        if (to_string(isa) == wanted) return isa;
      throw Error(std::string("GENLAB_OT_ISA=") + wanted + " is not supported by this CPU (it supports: " +
                  [&] {
                    std::string names;
                    for (const Isa isa : isas) names += (names.empty() ? "" : ", ") + to_string(isa);
                    return names;
                  }() +
                  ")");
    }
    return isas.back();
  }();
  return chosen;
}

std::string to_string(Isa isa) {
  switch (isa) {
    case Isa::generic: return "generic";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "unknown";
}

}  // namespace genlab::ot
