#include "backends/onednn/autograd.hpp"

#include <algorithm>
#include <atomic>
#include <string>
#include <unordered_set>

#include "genlab/core/error.hpp"

namespace genlab::onednn {
namespace {

thread_local bool grad_enabled = true;
std::atomic<uint64_t> next_sequence{1};

}  // namespace

Node::~Node() {
  // Nodes whose last owner is this one, and backward functions (whose saved tensors may own
  // nodes), are queued and destroyed by the outermost destructor, one at a time.
  thread_local bool draining = false;
  thread_local std::vector<std::shared_ptr<Node>> nodes;
  thread_local std::vector<BackwardFn> functions;
  for (Edge& edge : inputs)
    if (edge.node && edge.node.use_count() == 1) nodes.push_back(std::move(edge.node));
  if (backward) functions.push_back(std::move(backward));
  pending_grad.reset();
  if (draining) return;
  draining = true;
  while (!nodes.empty() || !functions.empty()) {
    if (!functions.empty()) {
      BackwardFn f = std::move(functions.back());
      functions.pop_back();
    } else {
      std::shared_ptr<Node> n = std::move(nodes.back());
      nodes.pop_back();
    }
  }
  draining = false;
}

bool grad_mode_enabled() { return grad_enabled; }
void set_grad_mode(bool enabled) { grad_enabled = enabled; }

bool any_requires_grad(Inputs inputs) {
  if (!grad_enabled) return false;
  for (const Handle* h : inputs)
    if (h && *h && (*h)->requires_grad) return true;
  return false;
}

std::shared_ptr<Node> make_node(const char* op, Inputs inputs) {
  auto node = std::make_shared<Node>();
  node->sequence = next_sequence.fetch_add(1, std::memory_order_relaxed);
  node->op = op;
  node->inputs.reserve(inputs.size());
  for (const Handle* h : inputs) {
    Edge edge;
    if (h && *h && (*h)->requires_grad) {
      if ((*h)->grad_fn)
        edge.node = (*h)->grad_fn;
      else
        edge.leaf = *h;
    }
    node->inputs.push_back(std::move(edge));
  }
  return node;
}

Handle sum_to_shape(const Handle& grad, const Shape& shape) {
  if (grad->shape == shape) return grad;
  const Shape& from = grad->shape;
  const size_t lead = from.size() - shape.size();
  std::vector<int64_t> dims;
  for (size_t i = 0; i < from.size(); ++i) {
    const bool broadcast = i < lead || (shape[i - lead] == 1 && from[i] != 1);
    if (broadcast) dims.push_back(static_cast<int64_t>(i));
  }
  Handle reduced = dims.empty() ? grad : OneDnn::sum(grad, dims, /*keepdim=*/true);
  return view(reduced, shape);
}

namespace {

Handle accumulate(const Handle& total, Handle addition) {
  if (!total) return addition;
  return OneDnn::add(total, addition);
}

// A leaf keeps its gradient; one still shared with another leaf or node (the gradient of an add
// goes to both inputs) is copied so that no two leaves alias one buffer.
Handle owned(Handle grad) {
  if (grad.use_count() > 1) return clone(grad);
  return grad;
}

// The nodes reachable from `root`, newest first: a valid order to replay backward functions in,
// since every node was created after the nodes of its inputs.
std::vector<Node*> reverse_tape(Node* root) {
  std::vector<Node*> nodes;
  std::unordered_set<Node*> seen{root};
  std::vector<Node*> stack{root};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    nodes.push_back(node);
    for (const Edge& edge : node->inputs)
      if (edge.node && seen.insert(edge.node.get()).second) stack.push_back(edge.node.get());
  }
  std::sort(nodes.begin(), nodes.end(), [](const Node* a, const Node* b) { return a->sequence > b->sequence; });
  return nodes;
}

}  // namespace
}  // namespace genlab::onednn

namespace genlab {
using namespace onednn;

OneDnn::NoGradGuard::NoGradGuard() : previous_(grad_mode_enabled()) { set_grad_mode(false); }
OneDnn::NoGradGuard::~NoGradGuard() { set_grad_mode(previous_); }

bool OneDnn::requires_grad(const Handle& x) { return checked(x, "requires_grad", "x").requires_grad; }

void OneDnn::set_requires_grad(Handle& x, bool on) {
  if (checked(x, "requires_grad_", "x").grad_fn)
    throw Error("requires_grad_: only leaf tensors can change whether they require a gradient; "
                "use detach() to make a leaf");
  x->requires_grad = on;
}

OneDnn::Handle OneDnn::grad(const Handle& x) { return checked(x, "grad", "x").grad; }

void OneDnn::clear_grad(Handle& x) {
  checked(x, "zero_grad", "x");
  x->grad.reset();
}

OneDnn::Handle OneDnn::detach(const Handle& x) {
  checked(x, "detach", "x");
  return view(x, x->shape);
}

void OneDnn::backward(const Handle& root, const Handle& gradient, bool retain_graph) {
  checked(root, "backward", "root");
  if (!root->requires_grad)
    throw Error("backward: the tensor does not require a gradient (none of the tensors it was "
                "computed from requires one, or it was computed under a no-grad guard)");
  Handle seed = gradient;
  if (!seed) {
    if (root->numel != 1)
      throw ShapeError("backward: a gradient must be given for a non-scalar tensor of shape " +
                       to_string(root->shape));
    seed = full(root->shape, 1.0, {});
  } else if (seed->shape != root->shape) {
    throw ShapeError("backward: gradient of shape " + to_string(seed->shape) + " for a tensor of shape " +
                     to_string(root->shape));
  }

  NoGradGuard no_grad;
  if (!root->grad_fn) {
    root->grad = owned(accumulate(root->grad, seed));
    return;
  }
  root->grad_fn->pending_grad = seed;
  for (Node* node : reverse_tape(root->grad_fn.get())) {
    Handle grad_output = std::move(node->pending_grad);
    node->pending_grad.reset();
    if (!grad_output) continue;
    if (!node->backward)
      throw Error(std::string("backward: the graph through '") + node->op +
                  "' was already used by a backward pass and freed; pass retain_graph to go through it twice");
    std::vector<Handle> grads = node->backward(grad_output, *node);
    if (!retain_graph) node->backward = nullptr;
    for (size_t i = 0; i < node->inputs.size() && i < grads.size(); ++i) {
      const Edge& edge = node->inputs[i];
      if (!edge.needed() || !grads[i]) continue;
      if (edge.node)
        edge.node->pending_grad = accumulate(edge.node->pending_grad, std::move(grads[i]));
      else
        edge.leaf->grad = owned(accumulate(edge.leaf->grad, std::move(grads[i])));
    }
  }
}

}  // namespace genlab
