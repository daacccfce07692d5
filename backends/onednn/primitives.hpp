#pragma once
// Shared plumbing for the ops that run oneDNN primitives: the engine and stream, plain memory
// descriptors, the primitive cache, and staging of plain tensors into the blocked layouts that a
// primitive prefers (oneDNN's cnn_training_f32 pattern: create with format_tag::any, reorder at
// the edges).
#include <dnnl.hpp>
#include <omp.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "backends/onednn/tensor_impl.hpp"

namespace genlab::onednn {

const dnnl::engine& cpu_engine();
// One stream per thread; CPU streams execute synchronously.
dnnl::stream& cpu_stream();

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;

// Row-major f32 descriptor of `shape` (a scalar is a 1-element vector).
dnnl::memory::desc plain_desc(const Shape& shape);
// The same with explicit element strides (for transposed views in matmul).
dnnl::memory::desc strided_desc(const Shape& shape, const std::vector<int64_t>& strides);
dnnl::memory::desc any_desc(const Shape& shape);

inline dnnl::memory wrap(const dnnl::memory::desc& desc, const float* data) {
  return dnnl::memory(desc, cpu_engine(), const_cast<float*>(data));
}

// The key under which a primitive (or a group of primitives) is cached: the op and every number
// that determines it (shapes, strides, flags), and the thread count, since oneDNN partitions a
// primitive's work among the threads available when it is created.
class PlanKey {
 public:
  explicit PlanKey(int op) : values_{op, omp_get_max_threads()} {}
  PlanKey& operator<<(int64_t v) {
    values_.push_back(v);
    return *this;
  }
  PlanKey& operator<<(const Shape& shape) {
    values_.push_back(static_cast<int64_t>(shape.size()));
    values_.insert(values_.end(), shape.begin(), shape.end());
    return *this;
  }
  bool operator==(const PlanKey&) const = default;
  size_t hash() const {
    size_t h = 1469598103934665603ull;
    for (int64_t v : values_) h = (h ^ static_cast<size_t>(v)) * 1099511628211ull;
    return h;
  }

 private:
  std::vector<int64_t> values_;
};

struct PlanKeyHash {
  size_t operator()(const PlanKey& k) const { return k.hash(); }
};

// How many plans all PlanCaches have built so far. A key must take few values (shapes, fixed
// parameters): one that changes from call to call would build and keep a plan each time.
inline std::atomic<int64_t> plans_built{0};

// Plans are built once per key and never change, so threads may share them; oneDNN primitives
// are safe to execute concurrently on different memory.
template <class Plan>
class PlanCache {
 public:
  template <class Make>
  const Plan& get(const PlanKey& key, Make&& make) {
    std::lock_guard lock(mutex_);
    auto it = plans_.find(key);
    if (it == plans_.end()) {
      it = plans_.emplace(key, std::make_unique<Plan>(make())).first;
      ++plans_built;
    }
    return *it->second;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<PlanKey, std::unique_ptr<Plan>, PlanKeyHash> plans_;
};

// A plain layout and the layout a primitive wants, with the reorder between them when they
// differ (built once, with the plan).
struct Relayout {
  dnnl::memory::desc plain;
  dnnl::memory::desc desired;
  std::optional<dnnl::reorder> reorder;

  Relayout() = default;
  // to_desired: reorders plain -> desired (an input); otherwise desired -> plain (an output).
  Relayout(const dnnl::memory::desc& plain, const dnnl::memory::desc& desired, bool to_desired);
};

// Scratch buffers for staged memories, returned to the cache when the op finishes.
class Staging {
 public:
  Staging() = default;
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging();

  // A memory in the desired layout holding `data` (plain): the data itself when no reorder is
  // needed, else a reordered copy.
  dnnl::memory input(const Relayout& layout, const float* data);
  // A memory in the desired layout for a primitive to write; `finish` copies it into `data`.
  dnnl::memory output(const Relayout& layout, float* data);
  void finish(const Relayout& layout, const dnnl::memory& staged, float* data);
  // Uninitialised memory of any descriptor (workspaces, intermediate results).
  dnnl::memory scratch(const dnnl::memory::desc& desc);

 private:
  std::vector<std::pair<void*, size_t>> buffers_;
};

// Execution helpers that wait on the stream.
void execute(const dnnl::primitive& primitive, const std::unordered_map<int, dnnl::memory>& args);

}  // namespace genlab::onednn
