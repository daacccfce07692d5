#pragma once
// The oneDNN backend's tensor: a contiguous float32 buffer in row-major (plain) layout, shared by
// views that only change the shape (reshape), plus what autograd needs.
#include <cstddef>
#include <memory>

#include "backends/onednn/onednn_backend.hpp"

namespace genlab::onednn {

struct Node;  // autograd.hpp

// A 64-byte aligned float buffer from a size-bucketed cache, so the training loop's allocations
// of identical shapes step after step reuse memory instead of going to the system allocator.
class Storage {
 public:
  explicit Storage(size_t elements);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  float* data() const { return data_; }
  size_t size() const { return elements_; }

 private:
  float* data_;
  size_t elements_;
};

// Raw cached allocation for scratch buffers (blocked layouts, workspaces).
void* allocate_bytes(size_t bytes);
void release_bytes(void* pointer, size_t bytes);

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  int64_t numel = 0;

  // Autograd: a leaf that requires a gradient accumulates it in `grad`; a computed tensor that
  // depends on one holds the node that produced it.
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;

  float* data() const { return storage->data(); }
};

using Handle = OneDnn::Handle;

// A fresh tensor of the given shape; contents uninitialised.
Handle empty(const Shape& shape);
// A fresh tensor with the same contents, outside the graph.
Handle clone(const Handle& x);
// A view of x's storage with another shape (same number of elements), outside the graph.
Handle view(const Handle& x, const Shape& shape);

// Throws ShapeError or BackendError naming `op` when x is undefined.
const TensorImpl& checked(const Handle& x, const char* op, const char* argument);

}  // namespace genlab::onednn
