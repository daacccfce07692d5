#include "backends/onednn/tensor_impl.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "genlab/core/error.hpp"

namespace genlab::onednn {
namespace {

constexpr size_t alignment = 64;
// Cached free blocks are kept up to this many bytes in all; beyond it blocks go back to the system.
constexpr size_t cache_limit_bytes = size_t{2} << 30;

size_t rounded(size_t bytes) { return (std::max<size_t>(bytes, 1) + alignment - 1) / alignment * alignment; }

class BlockCache {
 public:
  void* take(size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= bytes;
        return p;
      }
    }
    void* p = std::aligned_alloc(alignment, bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }

  void give(void* p, size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      if (cached_bytes_ + bytes <= cache_limit_bytes) {
        free_[bytes].push_back(p);
        cached_bytes_ += bytes;
        return;
      }
    }
    std::free(p);
  }

  ~BlockCache() {
    for (auto& [bytes, blocks] : free_)
      for (void* p : blocks) std::free(p);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t cached_bytes_ = 0;
};

BlockCache& cache() {
  // Never destroyed: storages released during static destruction must still find it.
  static auto* instance = new BlockCache;
  return *instance;
}

}  // namespace

void* allocate_bytes(size_t bytes) { return cache().take(rounded(bytes)); }
void release_bytes(void* pointer, size_t bytes) { cache().give(pointer, rounded(bytes)); }

Storage::Storage(size_t elements)
    : data_(static_cast<float*>(allocate_bytes(elements * sizeof(float)))), elements_(elements) {}

Storage::~Storage() { release_bytes(data_, elements_ * sizeof(float)); }

Handle empty(const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0) throw ShapeError("negative dimension in shape " + to_string(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->numel = numel(shape);
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(impl->numel));
  return impl;
}

Handle clone(const Handle& x) {
  Handle y = empty(x->shape);
  std::memcpy(y->data(), x->data(), sizeof(float) * x->numel);
  return y;
}

Handle view(const Handle& x, const Shape& shape) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = x->storage;
  impl->shape = shape;
  impl->numel = x->numel;
  return impl;
}

const TensorImpl& checked(const Handle& x, const char* op, const char* argument) {
  if (!x) throw ShapeError(std::string(op) + ": argument '" + argument + "' is an undefined tensor");
  return *x;
}

}  // namespace genlab::onednn
