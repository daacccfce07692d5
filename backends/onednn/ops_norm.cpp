// Batch normalisation on the oneDNN batch_normalization primitives (Ioffe & Szegedy 2015).
#include <bit>

#include "backends/onednn/autograd.hpp"
#include "backends/onednn/primitives.hpp"
#include "genlab/core/shape_rules.hpp"

namespace genlab {
using namespace onednn;

namespace {

enum PlanOp { forward_op, backward_op };

struct ForwardPlan {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward primitive;
};

struct BackwardPlan {
  dnnl::batch_normalization_backward primitive;
};

using flags = dnnl::normalization_flags;

bool has(flags f, flags bit) { return (static_cast<unsigned>(f) & static_cast<unsigned>(bit)) != 0; }

// oneDNN normalises 4-d data; [N, C, ...] is seen as [N, C, rest, 1].
Shape as_4d(const Shape& s) {
  int64_t rest = 1;
  for (size_t d = 2; d < s.size(); ++d) rest *= s[d];
  return {s[0], s[1], rest, 1};
}

const ForwardPlan& forward_plan(const Shape& shape, flags f, float eps) {
  static PlanCache<ForwardPlan> plans;
  PlanKey key(forward_op);
  key << shape << static_cast<int64_t>(f) << static_cast<int64_t>(std::bit_cast<int32_t>(eps));
  return plans.get(key, [&] {
    dnnl::batch_normalization_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_training, plain_desc(shape), eps, f}, cpu_engine());
    return ForwardPlan{pd, dnnl::batch_normalization_forward(pd)};
  });
}

const BackwardPlan& backward_plan(const Shape& shape, flags f, float eps) {
  static PlanCache<BackwardPlan> plans;
  PlanKey key(backward_op);
  key << shape << static_cast<int64_t>(f) << static_cast<int64_t>(std::bit_cast<int32_t>(eps));
  return plans.get(key, [&] {
    const bool affine = has(f, flags::use_scale) || has(f, flags::use_shift);
    dnnl::batch_normalization_backward::primitive_desc pd(
        {affine ? dnnl::prop_kind::backward : dnnl::prop_kind::backward_data, plain_desc(shape), plain_desc(shape), eps, f},
        cpu_engine(), forward_plan(shape, f, eps).pd);
    return BackwardPlan{dnnl::batch_normalization_backward(pd)};
  });
}

}  // namespace

OneDnn::Handle OneDnn::batch_norm(const Handle& x, const Handle& weight, const Handle& bias, Handle& running_mean,
                                  Handle& running_var, const BatchNormOptions& options) {
  checked(x, "batch_norm", "input");
  const bool batch_statistics = options.training || !running_mean || !running_var;
  auto shape_of = [](const Handle& v) { return v ? &v->shape : nullptr; };
  shape_rules::batch_norm(x->shape, {shape_of(weight), shape_of(bias), shape_of(running_mean), shape_of(running_var)},
                          batch_statistics);
  const int64_t channels = x->shape[1];
  const int64_t count = x->numel / channels;

  flags f = flags::none;
  if (weight) f = f | flags::use_scale;
  if (bias) f = f | flags::use_shift;
  if (!batch_statistics) f = f | flags::use_global_stats;
  const float eps = static_cast<float>(options.eps);
  const Shape shape = as_4d(x->shape);
  const auto md = plain_desc(shape);
  const auto& plan = forward_plan(shape, f, eps);

  Handle y = empty(x->shape);
  Handle mean = batch_statistics ? empty({channels}) : running_mean;
  Handle var = batch_statistics ? empty({channels}) : running_var;
  const auto channel_md = plain_desc({channels});
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(md, x->data())},
                                             {DNNL_ARG_DST, wrap(md, y->data())},
                                             {DNNL_ARG_MEAN, wrap(channel_md, mean->data())},
                                             {DNNL_ARG_VARIANCE, wrap(channel_md, var->data())}};
  if (weight) args.emplace(DNNL_ARG_SCALE, wrap(channel_md, weight->data()));
  if (bias) args.emplace(DNNL_ARG_SHIFT, wrap(channel_md, bias->data()));
  execute(plan.primitive, args);

  if (options.training && running_mean && running_var) {
    // PyTorch's convention: the running variance tracks the unbiased batch variance.
    const float m = static_cast<float>(options.momentum);
    const float unbias = static_cast<float>(count) / static_cast<float>(count - 1);
    float* rm = running_mean->data();
    float* rv = running_var->data();
    for (int64_t c = 0; c < channels; ++c) {
      rm[c] = (1 - m) * rm[c] + m * mean->data()[c];
      rv[c] = (1 - m) * rv[c] + m * var->data()[c] * unbias;
    }
  }

  // Saved statistics are private copies when they are the running buffers, which later steps update in place.
  const Handle saved_mean = batch_statistics ? mean : clone(mean);
  const Handle saved_var = batch_statistics ? var : clone(var);
  return record(std::move(y), "batch_norm", {&x, &weight, &bias}, [=] {
    return [=](const Handle& dy, const Node&) {
      const auto& backward = backward_plan(shape, f, eps);
      Handle dx = empty(x->shape);
      Handle dweight = weight ? empty({channels}) : nullptr;
      Handle dbias = bias ? empty({channels}) : nullptr;
      std::unordered_map<int, dnnl::memory> bargs{{DNNL_ARG_SRC, wrap(md, x->data())},
                                                  {DNNL_ARG_MEAN, wrap(channel_md, saved_mean->data())},
                                                  {DNNL_ARG_VARIANCE, wrap(channel_md, saved_var->data())},
                                                  {DNNL_ARG_DIFF_DST, wrap(md, dy->data())},
                                                  {DNNL_ARG_DIFF_SRC, wrap(md, dx->data())}};
      if (weight) {
        bargs.emplace(DNNL_ARG_SCALE, wrap(channel_md, weight->data()));
        bargs.emplace(DNNL_ARG_DIFF_SCALE, wrap(channel_md, dweight->data()));
      }
      if (bias) {
        // oneDNN 2.6 asks for the shift in backward too, though the gradients do not depend on it.
        bargs.emplace(DNNL_ARG_SHIFT, wrap(channel_md, bias->data()));
        bargs.emplace(DNNL_ARG_DIFF_SHIFT, wrap(channel_md, dbias->data()));
      }
      execute(backward.primitive, bargs);
      return std::vector<Handle>{dx, dweight, dbias};
    };
  });
}

}  // namespace genlab
