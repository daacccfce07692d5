// Convolution throughput per layer, forward and forward+backward, on the oneDNN backend: the
// layers of the 64x64 DCGAN (batch 64) and a large 3x3 convolution whose forward rate is the
// machine's measured float32 convolution peak (the yardstick of docs/performance.md).
#include <benchmark/benchmark.h>

#include "backends/onednn/onednn_backend.hpp"
#include "genlab/core/tensor.hpp"

using namespace genlab;
using B = OneDnn;

namespace {

struct ConvCase {
  const char* name;
  bool transposed;
  int64_t n, in, out, side, kernel, stride, padding;  // side: input height = width
};

// The 64x64 DCGAN's layers (models/dcgan/networks.hpp), then the peak probe.
const ConvCase cases[] = {
    {"G1 convT 100->512 1->4", true, 64, 100, 512, 1, 4, 1, 0},
    {"G2 convT 512->256 4->8", true, 64, 512, 256, 4, 4, 2, 1},
    {"G3 convT 256->128 8->16", true, 64, 256, 128, 8, 4, 2, 1},
    {"G4 convT 128->64 16->32", true, 64, 128, 64, 16, 4, 2, 1},
    {"G5 convT 64->3 32->64", true, 64, 64, 3, 32, 4, 2, 1},
    {"D1 conv 3->64 64->32", false, 64, 3, 64, 64, 4, 2, 1},
    {"D2 conv 64->128 32->16", false, 64, 64, 128, 32, 4, 2, 1},
    {"D3 conv 128->256 16->8", false, 64, 128, 256, 16, 4, 2, 1},
    {"D4 conv 256->512 8->4", false, 64, 256, 512, 8, 4, 2, 1},
    {"D5 conv 512->1 4->1", false, 64, 512, 1, 4, 4, 1, 0},
    {"peak conv3x3 256->256 32x32", false, 16, 256, 256, 32, 3, 1, 1},
};

double macs(const ConvCase& c) {
  const int64_t out_side = c.transposed ? (c.side - 1) * c.stride - 2 * c.padding + c.kernel
                                        : (c.side + 2 * c.padding - c.kernel) / c.stride + 1;
  const int64_t small = c.transposed ? c.side : out_side;  // the side of the convolution's "output" grid
  return static_cast<double>(c.n * c.in * c.out * c.kernel * c.kernel * small * small);
}

Tensor<B> run(const ConvCase& c, const Tensor<B>& x, const Tensor<B>& w) {
  if (c.transposed) return ops::conv_transpose2d(x, w, Tensor<B>{}, {.stride = c.stride, .padding = c.padding});
  return ops::conv2d(x, w, Tensor<B>{}, {.stride = c.stride, .padding = c.padding});
}

// Arguments: case index, threads, with backward (0/1).
void convolution(benchmark::State& state) {
  const ConvCase& c = cases[state.range(0)];
  B::set_num_threads(static_cast<int>(state.range(1)));
  const bool backward = state.range(2) != 0;
  Rng rng(1);
  const Tensor<B> x = ops::randn<B>({c.n, c.in, c.side, c.side}, rng).requires_grad_(backward);
  const Tensor<B> w = (c.transposed ? ops::randn<B>({c.in, c.out, c.kernel, c.kernel}, rng)
                                    : ops::randn<B>({c.out, c.in, c.kernel, c.kernel}, rng))
                          .requires_grad_(backward);
  auto once = [&] {
    const Tensor<B> y = run(c, x, w);
    if (backward) ops::gradients<B>({y}, {x, w}, {ops::ones_like(y)});
    return y;
  };
  for (int i = 0; i < 2; ++i) once();
  for (auto _ : state) benchmark::DoNotOptimize(once());
  // Forward: one pass; with backward: forward, backward data and backward weights.
  const double flops = 2 * macs(c) * (backward ? 3 : 1);
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(c.name) + (backward ? " fwd+bwd" : " fwd"));
}

void all_cases(benchmark::internal::Benchmark* b) {
  for (int64_t i = 0; i < static_cast<int64_t>(std::size(cases)); ++i)
    for (int64_t threads : {1, 2})
      for (int64_t backward : {0, 1}) b->Args({i, threads, backward});
}

}  // namespace

BENCHMARK(convolution)->Apply(all_cases)->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

BENCHMARK_MAIN();
