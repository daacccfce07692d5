#pragma once
// Which vector instructions the search kernels use. genlab is built for any x86-64 (plain -O3,
// no -march), so the kernels come in three versions compiled side by side with function target
// attributes, and the one for this CPU is chosen at run time:
//   generic  GCC vector extensions, compiled for the baseline (SSE2: 4 lanes, no FMA)
//   avx2     AVX2 + FMA intrinsics (8 lanes)
//   avx512   AVX-512F intrinsics (16 lanes, mask registers for the fused argmin)
#include <string>
#include <vector>

namespace genlab::ot {

enum class Isa { generic, avx2, avx512 };

// The versions this CPU can run, slowest first; `generic` always.
std::vector<Isa> supported_isas();

// The fastest supported version, unless the environment variable GENLAB_OT_ISA names another
// supported one (generic, avx2, avx512): a way to measure or debug the slower paths.
Isa fastest_isa();

std::string to_string(Isa isa);

}  // namespace genlab::ot
