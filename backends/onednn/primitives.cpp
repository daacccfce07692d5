#include "backends/onednn/primitives.hpp"

namespace genlab::onednn {

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

namespace {
dims to_dims(const Shape& shape) {
  if (shape.empty()) return {1};
  return dims(shape.begin(), shape.end());
}
}  // namespace

dnnl::memory::desc plain_desc(const Shape& shape) {
  const dims d = to_dims(shape);
  return dnnl::memory::desc(d, dnnl::memory::data_type::f32, dims(contiguous_strides(Shape(d.begin(), d.end()))));
}

dnnl::memory::desc strided_desc(const Shape& shape, const std::vector<int64_t>& strides) {
  return dnnl::memory::desc(to_dims(shape), dnnl::memory::data_type::f32, dims(strides.begin(), strides.end()));
}

dnnl::memory::desc any_desc(const Shape& shape) {
  return dnnl::memory::desc(to_dims(shape), dnnl::memory::data_type::f32, tag::any);
}

Relayout::Relayout(const dnnl::memory::desc& plain_, const dnnl::memory::desc& desired_, bool to_desired)
    : plain(plain_), desired(desired_) {
  if (plain == desired) return;
  const auto& engine = cpu_engine();
  if (to_desired)
    reorder.emplace(dnnl::reorder::primitive_desc(engine, plain, engine, desired));
  else
    reorder.emplace(dnnl::reorder::primitive_desc(engine, desired, engine, plain));
}

Staging::~Staging() {
  for (auto [p, bytes] : buffers_) release_bytes(p, bytes);
}

dnnl::memory Staging::scratch(const dnnl::memory::desc& desc) {
  const size_t bytes = desc.get_size();
  void* p = allocate_bytes(bytes);
  buffers_.emplace_back(p, bytes);
  return dnnl::memory(desc, cpu_engine(), p);
}

dnnl::memory Staging::input(const Relayout& layout, const float* data) {
  if (!layout.reorder) return wrap(layout.plain, data);
  dnnl::memory staged = scratch(layout.desired);
  dnnl::memory plain = wrap(layout.plain, data);
  layout.reorder->execute(cpu_stream(), plain, staged);
  return staged;
}

dnnl::memory Staging::output(const Relayout& layout, float* data) {
  if (!layout.reorder) return wrap(layout.plain, data);
  return scratch(layout.desired);
}

void Staging::finish(const Relayout& layout, const dnnl::memory& staged, float* data) {
  if (!layout.reorder) return;
  dnnl::memory source = staged, plain = wrap(layout.plain, data);
  layout.reorder->execute(cpu_stream(), source, plain);
  cpu_stream().wait();
}

void execute(const dnnl::primitive& primitive, const std::unordered_map<int, dnnl::memory>& args) {
  primitive.execute(cpu_stream(), args);
  cpu_stream().wait();
}

}  // namespace genlab::onednn
