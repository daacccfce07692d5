#include "backends/onednn/autograd.hpp"

#include <algorithm>
#include <atomic>
#include <string>
#include <unordered_map>
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
  return OneDnn::reshape(reduced, shape);
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

// The nodes reachable from `roots`, in creation order: every node comes after the nodes of its
// inputs, so walking the result backwards is a valid order for backward functions (a tape).
std::vector<Node*> tape(const std::vector<Node*>& roots) {
  std::vector<Node*> nodes;
  std::unordered_set<Node*> seen(roots.begin(), roots.end());
  std::vector<Node*> stack(seen.begin(), seen.end());
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    nodes.push_back(node);
    for (const Edge& edge : node->inputs)
      if (edge.node && seen.insert(edge.node.get()).second) stack.push_back(edge.node.get());
  }
  std::sort(nodes.begin(), nodes.end(), [](const Node* a, const Node* b) { return a->sequence < b->sequence; });
  return nodes;
}

// One backward pass. Gradients either accumulate into the leaves' .grad (backward) or are
// collected for chosen tensors (gradients), in which case only nodes that lead to one of them run,
// and of their inputs only those that lead there are differentiated.
class BackwardPass {
 public:
  BackwardPass(std::span<const Handle> roots, std::span<const Handle> seeds, const std::vector<Handle>* targets,
               bool retain_graph, bool create_graph)
      : targets_(targets), retain_graph_(retain_graph), create_graph_(create_graph) {
    if (targets_) {
      grads_.resize(targets_->size());
      for (size_t i = 0; i < targets_->size(); ++i) {
        const TensorImpl* t = (*targets_)[i].get();
        if (t->grad_fn)
          target_nodes_[t->grad_fn.get()] = i;
        else
          target_leaves_[t] = i;
      }
    }
    std::vector<Node*> root_nodes;
    for (size_t i = 0; i < roots.size(); ++i) {
      if (roots[i]->grad_fn) {
        root_nodes.push_back(roots[i]->grad_fn.get());
        seeds_.emplace_back(roots[i]->grad_fn.get(), seeds[i]);
      } else {
        deliver_to_leaf(roots[i], seeds[i]);
      }
    }
    nodes_ = tape(root_nodes);
  }

  // Pending gradients and wanted inputs are per pass: cleared however the pass ends.
  ~BackwardPass() {
    for (Node* node : nodes_) {
      node->pending_grad.reset();
      node->wanted.clear();
    }
  }

  void run() {
    if (targets_) mark_wanted_inputs();
    for (auto& [node, seed] : seeds_) node->pending_grad = accumulate(node->pending_grad, seed);
    set_grad_mode(create_graph_);
    for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) run_node(**it);
  }

  std::vector<Handle> take_gradients() {
    for (size_t i = 0; i < grads_.size(); ++i)
      if (!grads_[i]) grads_[i] = OneDnn::full((*targets_)[i]->shape, 0.0, {});
    return std::move(grads_);
  }

 private:
  // In creation order, a node leads to a target when one of its inputs is a target leaf, a target
  // node, or a node that leads to a target.
  void mark_wanted_inputs() {
    for (Node* node : nodes_) {
      node->wanted.assign(node->inputs.size(), false);
      bool any = false;
      for (size_t i = 0; i < node->inputs.size(); ++i) {
        const Edge& edge = node->inputs[i];
        const bool leads = (edge.leaf && target_leaves_.contains(edge.leaf.get())) ||
                           (edge.node && (target_nodes_.contains(edge.node.get()) || leads_to_target_.contains(edge.node.get())));
        node->wanted[i] = leads;
        any = any || leads;
      }
      if (any) leads_to_target_.insert(node);
    }
  }

  void run_node(Node& node) {
    Handle grad_output = std::move(node.pending_grad);
    node.pending_grad.reset();
    if (!grad_output) return;
    if (targets_) {
      if (const auto t = target_nodes_.find(&node); t != target_nodes_.end())
        grads_[t->second] = accumulate(grads_[t->second], grad_output);
      if (!leads_to_target_.contains(&node)) return;
    }
    if (!node.backward)
      throw Error(std::string("backward: the graph through '") + node.op +
                  "' was already used by a backward pass and freed; pass retain_graph to go through it twice");
    if (create_graph_ && !node.differentiable_backward)
      throw BackendError(std::string("second-order gradients through '") + node.op +
                         "' are not supported by the onednn backend; use --backend libtorch for this model");
    std::vector<Handle> grads = node.backward(grad_output, node);
    if (!retain_graph_) node.backward = nullptr;
    for (size_t i = 0; i < node.inputs.size() && i < grads.size(); ++i) {
      const Edge& edge = node.inputs[i];
      if (!node.needs(i) || !grads[i]) continue;
      if (edge.node)
        edge.node->pending_grad = accumulate(edge.node->pending_grad, std::move(grads[i]));
      else
        deliver_to_leaf(edge.leaf, std::move(grads[i]));
    }
  }

  void deliver_to_leaf(const Handle& leaf, Handle grad) {
    if (!targets_) {
      leaf->grad = owned(accumulate(leaf->grad, std::move(grad)));
    } else if (const auto t = target_leaves_.find(leaf.get()); t != target_leaves_.end()) {
      grads_[t->second] = accumulate(grads_[t->second], std::move(grad));
    }
  }

  const std::vector<Handle>* targets_;
  bool retain_graph_, create_graph_;
  std::vector<std::pair<Node*, Handle>> seeds_;
  std::vector<Node*> nodes_;
  std::unordered_map<Node*, size_t> target_nodes_;
  std::unordered_map<const TensorImpl*, size_t> target_leaves_;
  std::unordered_set<Node*> leads_to_target_;
  std::vector<Handle> grads_;
};

// The gradient a root starts with: the given one, or ones for a one-element root.
Handle seed_for(const Handle& root, const Handle& gradient, const char* op) {
  if (!root->requires_grad)
    throw Error(std::string(op) +
                ": the tensor does not require a gradient (none of the tensors it was computed from requires one, "
                "or it was computed under a no-grad guard)");
  if (!gradient) {
    if (root->numel != 1)
      throw ShapeError(std::string(op) + ": a gradient must be given for a non-scalar tensor of shape " +
                       to_string(root->shape));
    return OneDnn::full(root->shape, 1.0, {});
  }
  if (gradient->shape != root->shape)
    throw ShapeError(std::string(op) + ": gradient of shape " + to_string(gradient->shape) + " for a tensor of shape " +
                     to_string(root->shape));
  return gradient;
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
  const Handle seed = seed_for(root, gradient, "backward");
  NoGradGuard no_grad;
  BackwardPass pass({&root, 1}, {&seed, 1}, nullptr, retain_graph, /*create_graph=*/false);
  pass.run();
}

std::vector<OneDnn::Handle> OneDnn::gradients(std::span<const Handle> outputs, std::span<const Handle> inputs,
                                              std::span<const Handle> grad_outputs, bool retain_graph,
                                              bool create_graph) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw ShapeError("gradients: " + std::to_string(grad_outputs.size()) + " output gradients for " +
                     std::to_string(outputs.size()) + " outputs");
  std::vector<Handle> seeds;
  for (size_t i = 0; i < outputs.size(); ++i) {
    checked(outputs[i], "gradients", "outputs");
    seeds.push_back(seed_for(outputs[i], grad_outputs.empty() ? nullptr : grad_outputs[i], "gradients"));
  }
  std::vector<Handle> targets;
  for (const auto& input : inputs) {
    if (!checked(input, "gradients", "inputs").requires_grad)
      throw Error("gradients: an input of shape " + to_string(input->shape) + " does not require a gradient");
    targets.push_back(input);
  }
  NoGradGuard restore_mode;
  BackwardPass pass(outputs, seeds, &targets, retain_graph, create_graph);
  pass.run();
  return pass.take_gradients();
}

}  // namespace genlab
