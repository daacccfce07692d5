#pragma once
// Modules are plain structs whose members are declared with BOOST_HANA_DEFINE_STRUCT. One generic
// walk over those members reaches every tensor with a dotted name ("gen.conv2.weight"), through
// nested modules, std::vector, std::array and std::optional members, with no registration code.
// It serves optimisers, checkpoints, parameter counts and transfers between backends.
//
// A Tensor<B> member is a trained parameter; a Buffer<B> member is state that is saved but not
// trained (batch-norm running statistics). A module with a `bool training` member (outside the
// reflected ones) switches with set_training().
#include <boost/hana.hpp>

#include <array>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "genlab/core/host_tensor.hpp"
#include "genlab/core/tensor.hpp"

namespace genlab::nn {

template <Backend B>
struct Buffer {
  Tensor<B> value;
};

template <Backend B>
struct NamedTensor {
  std::string name;
  Tensor<B> tensor;
};

namespace detail {

template <class T> struct is_tensor : std::false_type {};
template <Backend B> struct is_tensor<Tensor<B>> : std::true_type {};
template <class T> struct is_buffer : std::false_type {};
template <Backend B> struct is_buffer<Buffer<B>> : std::true_type {};
template <class T> struct is_sequence : std::false_type {};
template <class T, class A> struct is_sequence<std::vector<T, A>> : std::true_type {};
template <class T, size_t N> struct is_sequence<std::array<T, N>> : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};

inline std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Calls on_parameter(name, Tensor&), on_buffer(name, Tensor&) and on_module(Module&) for what
// `value` holds.
template <class T, class OnParameter, class OnBuffer, class OnModule>
void walk(T& value, const std::string& name, OnParameter& on_parameter, OnBuffer& on_buffer, OnModule& on_module) {
  using U = std::remove_const_t<T>;
  if constexpr (is_tensor<U>::value) {
    if (value.defined()) on_parameter(name, value);
  } else if constexpr (is_buffer<U>::value) {
    if (value.value.defined()) on_buffer(name, value.value);
  } else if constexpr (is_optional<U>::value) {
    if (value) walk(*value, name, on_parameter, on_buffer, on_module);
  } else if constexpr (is_sequence<U>::value) {
    for (size_t i = 0; i < value.size(); ++i) walk(value[i], join(name, std::to_string(i)), on_parameter, on_buffer, on_module);
  } else if constexpr (boost::hana::Struct<U>::value) {
    on_module(value);
    boost::hana::for_each(boost::hana::accessors<U>(), [&](auto accessor) {
      const std::string member = boost::hana::to<const char*>(boost::hana::first(accessor));
      walk(boost::hana::second(accessor)(value), join(name, member), on_parameter, on_buffer, on_module);
    });
  }
}

struct Ignore {
  template <class... A>
  void operator()(A&&...) const {}
};

}  // namespace detail

// f(name, Tensor<B>&) for every parameter, in declaration order.
template <class Module, class F>
void for_each_parameter(Module& module, F&& f, const std::string& prefix = "") {
  detail::Ignore ignore;
  detail::walk(module, prefix, f, ignore, ignore);
}

// f(name, Tensor<B>&) for every buffer, in declaration order.
template <class Module, class F>
void for_each_buffer(Module& module, F&& f, const std::string& prefix = "") {
  detail::Ignore ignore;
  detail::walk(module, prefix, ignore, f, ignore);
}

// f(name, Tensor<B>&) for parameters and buffers alike: everything a checkpoint holds.
template <class Module, class F>
void for_each_tensor(Module& module, F&& f, const std::string& prefix = "") {
  detail::Ignore ignore;
  detail::walk(module, prefix, f, f, ignore);
}

// Every parameter as a handle sharing the module's storage (what an optimiser updates).
template <Backend B, class Module>
std::vector<NamedTensor<B>> parameters(Module& module, const std::string& prefix = "") {
  std::vector<NamedTensor<B>> out;
  for_each_parameter(module, [&](const std::string& name, Tensor<B>& p) { out.push_back({name, p}); }, prefix);
  return out;
}

template <class Module>
int64_t parameter_count(Module& module) {
  int64_t n = 0;
  for_each_parameter(module, [&](const std::string&, const auto& p) { n += p.numel(); });
  return n;
}

// f(module&) for the module and every module nested in it.
template <class Module, class F>
void for_each_module(Module& module, F&& f) {
  detail::Ignore ignore;
  detail::walk(module, "", ignore, ignore, f);
}

// Switches batch normalisation (and any module with a `training` flag) between batch and running
// statistics.
template <class Module>
void set_training(Module& module, bool training) {
  detail::Ignore ignore;
  auto on_module = [&](auto& m) {
    if constexpr (requires { m.training = true; }) m.training = training;
  };
  detail::walk(module, "", ignore, ignore, on_module);
}

// Parameters and buffers copied to the host under their dotted names.
template <class Module>
StateDict state_dict(Module& module, const std::string& prefix = "") {
  StateDict out;
  for_each_tensor(module, [&](const std::string& name, const auto& t) { out[name] = HostTensor{t.shape(), t.to_host()}; },
                  prefix);
  return out;
}

// Copies every tensor of the module from `state` in place. Every name must be present with the
// same shape; names in `state` under `prefix` that the module lacks are an error too.
// Copies the tensor called `name` in `state` into `target` in place; `context` names the caller
// in errors ("load_state_dict", "Adam state").
template <Backend B>
void assign_from(Tensor<B>& target, const StateDict& state, const std::string& name, const char* context) {
  const auto it = state.find(name);
  if (it == state.end()) throw ShapeError(std::string(context) + ": missing tensor '" + name + "'");
  if (it->second.shape != target.shape())
    throw ShapeError(std::string(context) + ": tensor '" + name + "' has shape " + to_string(it->second.shape) +
                     " in the file but " + to_string(target.shape()) + " in the model");
  target.copy_(ops::from_host<B>(std::span<const float>(it->second.values), it->second.shape, target.options()));
}

template <class Module>
void load_state_dict(Module& module, const StateDict& state, const std::string& prefix = "") {
  std::set<std::string> names;
  for_each_tensor(module, [&](const std::string& name, auto& t) {
    assign_from(t, state, name, "load_state_dict");
    names.insert(name);
  }, prefix);
  for (const auto& [name, tensor] : state)
    if ((prefix.empty() || name.starts_with(prefix + ".")) && !names.contains(name))
      throw ShapeError("load_state_dict: unexpected tensor '" + name + "' for this model");
}

}  // namespace genlab::nn
