#pragma once
// Reverse-mode autograd for the oneDNN backend.
//
// Every op whose inputs need a gradient records a Node: edges to the nodes (or leaves) of its
// inputs and a backward function holding what it saved. Nodes are numbered in creation order,
// which is a topological order, so backward collects the nodes reachable from the root (an
// iterative walk: deep graphs cannot overflow the stack) and replays them from the newest to the
// oldest, like a tape. Backward functions are written with this backend's ops under no-grad.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "backends/onednn/tensor_impl.hpp"

namespace genlab::onednn {

// Where an input's gradient goes: the node that produced the input, or the leaf itself.
// Both empty: the input needs no gradient.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  bool needed() const { return node || leaf; }
};

struct Node;
// Given the gradient of the node's output, returns one gradient per input (undefined where
// `node.needs(i)` is false). Backward functions run under no-grad, except when gradients are
// asked for with create_graph: then a backward written in this backend's public ops
// (OneDnn::mul, OneDnn::conv_transpose2d, ...) records its own graph and can be differentiated
// again. grad_mode_enabled() tells a backward function which case it is in.
using BackwardFn = std::function<std::vector<Handle>(const Handle& grad_output, const Node& node)>;

struct Node {
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  // Releases what it holds iteratively: a long chain of nodes destroyed recursively would
  // overflow the stack.
  ~Node();

  uint64_t sequence = 0;
  const char* op = "";
  std::vector<Edge> inputs;
  BackwardFn backward;  // released after use unless the graph is retained
  // Whether `backward`, run with gradient mode on, records a differentiable graph.
  bool differentiable_backward = false;
  Handle pending_grad;  // gradient of the output, accumulated during a backward pass
  // Inputs whose gradient this pass wants; empty: all that need one.
  std::vector<bool> wanted;
  bool needs(size_t input) const { return inputs[input].needed() && (wanted.empty() || wanted[input]); }
};

// How a node's backward function is written: with oneDNN primitives directly (fast, first order
// only), or in this backend's public ops (differentiable again under create_graph).
enum class BackwardKind { primitive, differentiable };

bool grad_mode_enabled();
void set_grad_mode(bool enabled);

using Inputs = std::span<const Handle* const>;

// Whether any of `inputs` needs a gradient while gradient mode is on.
bool any_requires_grad(Inputs inputs);

// A node with edges to `inputs`, numbered after every node made before it.
std::shared_ptr<Node> make_node(const char* op, Inputs inputs);

// Attaches a node to `output` when some input requires a gradient (and gradient mode is on).
// Call it after computing the output; `make_backward` is called only when a node is needed, so
// inference saves nothing.
template <class MakeBackward>
Handle record(Handle output, const char* op, Inputs inputs, MakeBackward&& make_backward,
              BackwardKind kind = BackwardKind::primitive) {
  if (!any_requires_grad(inputs)) return output;
  auto node = make_node(op, inputs);
  node->backward = make_backward();
  node->differentiable_backward = kind == BackwardKind::differentiable;
  output->requires_grad = true;
  output->grad_fn = std::move(node);
  return output;
}

template <class MakeBackward>
Handle record(Handle output, const char* op, std::initializer_list<const Handle*> inputs, MakeBackward&& make_backward,
              BackwardKind kind = BackwardKind::primitive) {
  return record(std::move(output), op, Inputs(inputs.begin(), inputs.size()), std::forward<MakeBackward>(make_backward),
                kind);
}

// Sums `grad` over broadcast dimensions so that it has `shape` (the gradient of a broadcast).
Handle sum_to_shape(const Handle& grad, const Shape& shape);

}  // namespace genlab::onednn
