#include "genlab/io/hdf5.hpp"

#include <memory>
#include <utility>
#include <variant>

namespace genlab::io::h5 {
namespace {

void init_library() {
  static const bool initialised = [] {
    H5open();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // failures become exceptions, not stderr noise
    return true;
  }();
  (void)initialised;
}

// HDF5's error stack runs from the API call down to the cause; the innermost entry says why.
std::string innermost_reason() {
  std::string reason;
  auto keep_last = [](unsigned, const H5E_error2_t* error, void* out) -> herr_t {
    if (error->desc) *static_cast<std::string*>(out) = error->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_last, &reason);
  return reason;
}

[[noreturn]] void fail(hid_t object, const std::string& name, const std::string& what) {
  // Read the reason first: the next HDF5 call (object_path) clears the error stack.
  const std::string reason = innermost_reason();
  const std::string where = object >= 0 ? object_path(object, name) + ": " : "";
  throw Failure(where + what + (reason.empty() ? "" : " (HDF5: " + reason + ")"));
}

// HDF5 calls return a negative id or status on failure.
template <class Result>
Result check(Result result, hid_t object, const std::string& name, const std::string& what) {
  if (result < 0) fail(object, name, what);
  return result;
}

template <class Result>
Result check(Result result, const std::string& what) {
  return check(result, H5I_INVALID_HID, "", what);
}

void check_component(hid_t parent, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw Failure(object_path(parent) + ": '" + name + "' is not a valid name (empty, '.', '..' or with '/')");
}

herr_t collect_link_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  try {
    static_cast<std::vector<std::string>*>(names)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;  // exceptions must not cross HDF5's C frames
  }
}

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* names) {
  try {
    static_cast<std::vector<std::string>*>(names)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;
  }
}

Handle scalar_space() { return Handle(check(H5Screate(H5S_SCALAR), "cannot create a dataspace"), H5Sclose); }

Handle simple_space(const Shape& shape) {
  if (shape.empty()) return scalar_space();
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  return Handle(check(H5Screate_simple(int(dims.size()), dims.data(), nullptr), "cannot create a dataspace"),
                H5Sclose);
}

Handle bool_type() {
  Handle type(check(H5Tenum_create(H5T_NATIVE_INT8), "cannot create the bool type"), H5Tclose);
  const int8_t no = 0, yes = 1;
  check(H5Tenum_insert(type, "FALSE", &no), "cannot create the bool type");
  check(H5Tenum_insert(type, "TRUE", &yes), "cannot create the bool type");
  return type;
}

Handle utf8_string_type() {
  Handle type(check(H5Tcopy(H5T_C_S1), "cannot create the string type"), H5Tclose);
  check(H5Tset_size(type, H5T_VARIABLE), "cannot create the string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "cannot create the string type");
  return type;
}

// `type` is both the stored and the in-memory type.
void write_scalar_attribute(hid_t object, const std::string& name, hid_t type, const void* data) {
  if (has_attribute(object, name)) remove_attribute(object, name);
  const std::string what = "cannot write attribute '" + name + "'";
  Handle space = scalar_space();
  Handle attribute(check(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), object, "", what),
                   H5Aclose);
  check(H5Awrite(attribute, type, data), object, "", what);
}

void write_value(hid_t object, const std::string& name, int64_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_INT64, &value);
}

void write_value(hid_t object, const std::string& name, double value) {
  write_scalar_attribute(object, name, H5T_NATIVE_DOUBLE, &value);
}

void write_value(hid_t object, const std::string& name, bool value) {
  const int8_t stored = value ? 1 : 0;
  write_scalar_attribute(object, name, bool_type(), &stored);
}

void write_value(hid_t object, const std::string& name, const std::string& value) {
  const char* text = value.c_str();
  write_scalar_attribute(object, name, utf8_string_type(), &text);
}

std::string read_string(hid_t object, const std::string& what, hid_t attribute, hid_t type) {
  if (check(H5Tis_variable_str(type), object, "", what) > 0) {
    char* text = nullptr;
    check(H5Aread(attribute, type, &text), object, "", what);
    const std::unique_ptr<char, herr_t (*)(void*)> owned(text, H5free_memory);
    return text ? std::string(text) : std::string();
  }
  std::string text(H5Tget_size(type), '\0');
  check(H5Aread(attribute, type, text.data()), object, "", what);
  text.resize(text.find('\0') == std::string::npos ? text.size() : text.find('\0'));
  if (H5Tget_strpad(type) == H5T_STR_SPACEPAD) text.erase(text.find_last_not_of(' ') + 1);
  return text;
}

template <class Value>
Value read_number(hid_t object, const std::string& what, hid_t attribute, hid_t memory_type) {
  Value value{};
  check(H5Aread(attribute, memory_type, &value), object, "", what);
  return value;
}

// Whether the attribute already holds `value`; one genlab cannot read does not.
bool holds_value(hid_t object, const std::string& name, const AttributeValue& value) {
  try {
    return read_attribute(object, name) == value;
  } catch (const Failure&) {
    return false;
  }
}

hssize_t point_count(hid_t dataset) {
  Handle space(check(H5Dget_space(dataset), dataset, "", "cannot get the dataspace"), H5Sclose);
  return check(H5Sget_simple_extent_npoints(space), dataset, "", "cannot get the dataspace");
}

}  // namespace

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) closer_(id_);
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ >= 0) closer_(id_);
}

void Handle::close() {
  if (id_ < 0) return;
  check(closer_(std::exchange(id_, H5I_INVALID_HID)), "cannot close (and flush)");
}

std::string object_path(hid_t object, const std::string& name) {
  std::string path = "?";
  if (const ssize_t length = H5Iget_name(object, nullptr, 0); length > 0) {
    path.assign(size_t(length) + 1, '\0');
    H5Iget_name(object, path.data(), path.size());
    path.resize(size_t(length));
  }
  if (name.empty()) return path;
  return path == "/" ? "/" + name : path + "/" + name;
}

bool is_hdf5_file(const std::filesystem::path& path) {
  init_library();
#if H5_VERSION_GE(1, 12, 0)
  return H5Fis_accessible(path.c_str(), H5P_DEFAULT) > 0;
#else
  return H5Fis_hdf5(path.c_str()) > 0;
#endif
}

namespace {

Handle file_access() {
  Handle access(check(H5Pcreate(H5P_FILE_ACCESS), "cannot create file access properties"), H5Pclose);
  check(H5Pset_fclose_degree(access, H5F_CLOSE_SEMI), "cannot set the file close degree");
  return access;
}

}  // namespace

Handle create_file(const std::filesystem::path& path) {
  init_library();
  Handle access = file_access();
  return Handle(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access), "cannot create the file"),
                H5Fclose);
}

Handle open_file(const std::filesystem::path& path, bool writable) {
  init_library();
  Handle access = file_access();
  return Handle(check(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, access), "cannot open the file"),
                H5Fclose);
}

bool has_child(hid_t group, const std::string& name) {
  check_component(group, name);
  return check(H5Lexists(group, name.c_str(), H5P_DEFAULT), group, name, "cannot look it up") > 0;
}

std::vector<std::string> child_names(hid_t group) {
  std::vector<std::string> names;
  check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_link_name, &names), group, "",
        "cannot list its members");
  return names;
}

Handle open_group(hid_t parent, const std::string& name) {
  check_component(parent, name);
  return Handle(check(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), parent, name, "cannot open group"), H5Gclose);
}

Handle require_group(hid_t parent, const std::string& name) {
  if (has_child(parent, name)) return open_group(parent, name);
  return Handle(check(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), parent, name,
                      "cannot create group"),
                H5Gclose);
}

void remove_child(hid_t group, const std::string& name) {
  check_component(group, name);
  check(H5Ldelete(group, name.c_str(), H5P_DEFAULT), group, name, "cannot delete");
}

bool has_attribute(hid_t object, const std::string& name) {
  return check(H5Aexists(object, name.c_str()), object, "", "cannot look up attribute '" + name + "'") > 0;
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  check(H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attribute_name, &names), object, "",
        "cannot list its attributes");
  return names;
}

void write_attribute(hid_t object, const std::string& name, const AttributeValue& value) {
  // An equal value is left alone: HDF5 1.10 does not reuse the space of a replaced attribute once
  // the file has been reopened (a variable-length string leaves a 4 KiB heap block behind), so
  // rewriting unchanged attributes at every commit would grow the file.
  if (has_attribute(object, name) && holds_value(object, name, value)) return;
  std::visit([&](const auto& v) { write_value(object, name, v); }, value);
}

AttributeValue read_attribute(hid_t object, const std::string& name) {
  const std::string what = "cannot read attribute '" + name + "'";
  Handle attribute(check(H5Aopen(object, name.c_str(), H5P_DEFAULT), object, "", what), H5Aclose);
  Handle space(check(H5Aget_space(attribute), object, "", what), H5Sclose);
  if (check(H5Sget_simple_extent_npoints(space), object, "", what) != 1)
    throw Failure(object_path(object) + ": attribute '" + name + "' is an array, not a single value");
  Handle type(check(H5Aget_type(attribute), object, "", what), H5Tclose);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: return read_number<int64_t>(object, what, attribute, H5T_NATIVE_INT64);
    case H5T_FLOAT: return read_number<double>(object, what, attribute, H5T_NATIVE_DOUBLE);
    case H5T_ENUM: return read_number<int8_t>(object, what, attribute, bool_type()) != 0;
    case H5T_STRING: return read_string(object, what, attribute, type);
    default:
      throw Failure(object_path(object) + ": attribute '" + name +
                    "' is not an integer, a float, a bool or a string");
  }
}

Attributes read_attributes(hid_t object) {
  Attributes attributes;
  for (const std::string& name : attribute_names(object)) attributes[name] = read_attribute(object, name);
  return attributes;
}

void remove_attribute(hid_t object, const std::string& name) {
  check(H5Adelete(object, name.c_str()), object, "", "cannot delete attribute '" + name + "'");
}

void write_ascii_attribute(hid_t object, const std::string& name, const std::string& text) {
  const std::string what = "cannot write attribute '" + name + "'";
  Handle type(check(H5Tcopy(H5T_C_S1), object, "", what), H5Tclose);
  check(H5Tset_size(type, text.size() + 1), object, "", what);
  check(H5Tset_strpad(type, H5T_STR_NULLTERM), object, "", what);
  write_scalar_attribute(object, name, type, text.c_str());
}

void write_uint8_attribute(hid_t object, const std::string& name, uint8_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_UINT8, &value);
}

Handle compound_type(size_t size, std::initializer_list<Field> fields) {
  Handle type(check(H5Tcreate(H5T_COMPOUND, size), "cannot create a compound type"), H5Tclose);
  for (const Field& field : fields)
    check(H5Tinsert(type, field.name, field.offset, field.type),
          std::string("cannot add field '") + field.name + "' to a compound type");
  return type;
}

Handle create_dataset(hid_t parent, const std::string& name, hid_t type, const Shape& shape) {
  check_component(parent, name);
  for (int64_t dim : shape)
    if (dim < 0) throw Failure(object_path(parent, name) + ": shape " + to_string(shape) + " has a negative size");
  Handle space = simple_space(shape);
  return Handle(check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), parent,
                      name, "cannot create dataset"),
                H5Dclose);
}

Handle open_dataset(hid_t parent, const std::string& name) {
  check_component(parent, name);
  return Handle(check(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), parent, name, "cannot open dataset"), H5Dclose);
}

Shape dataset_shape(hid_t dataset) {
  const std::string what = "cannot get its shape";
  Handle space(check(H5Dget_space(dataset), dataset, "", what), H5Sclose);
  const int rank = check(H5Sget_simple_extent_ndims(space), dataset, "", what);
  std::vector<hsize_t> dims(size_t(rank), 0);
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), dataset, "", what);
  return Shape(dims.begin(), dims.end());
}

bool is_float32(hid_t dataset) {
  Handle type(check(H5Dget_type(dataset), dataset, "", "cannot get its type"), H5Tclose);
  return H5Tget_class(type) == H5T_FLOAT && H5Tget_size(type) == sizeof(float);
}

// Empty datasets are skipped: HDF5 rejects the null buffer an empty std::vector may hand over.
void write_dataset(hid_t dataset, hid_t memory_type, const void* data) {
  if (point_count(dataset) == 0) return;
  check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), dataset, "", "cannot write");
}

void read_dataset(hid_t dataset, hid_t memory_type, void* data) {
  if (point_count(dataset) == 0) return;
  check(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), dataset, "", "cannot read");
}

Handle create_series(hid_t parent, const std::string& name, hid_t type, size_t chunk_length) {
  check_component(parent, name);
  const std::string what = "cannot create dataset";
  const hsize_t length = 0, max_length = H5S_UNLIMITED, chunk = chunk_length;
  Handle space(check(H5Screate_simple(1, &length, &max_length), parent, name, what), H5Sclose);
  Handle creation(check(H5Pcreate(H5P_DATASET_CREATE), parent, name, what), H5Pclose);
  check(H5Pset_chunk(creation, 1, &chunk), parent, name, what);
  return Handle(check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, creation, H5P_DEFAULT), parent,
                      name, what),
                H5Dclose);
}

size_t series_length(hid_t series) {
  const Shape shape = dataset_shape(series);
  if (shape.size() != 1)
    throw Failure(object_path(series) + ": expected a one-dimensional series, found shape " + to_string(shape));
  return size_t(shape[0]);
}

void resize_series(hid_t series, size_t length) {
  const hsize_t extent = length;
  check(H5Dset_extent(series, &extent), series, "", "cannot resize to " + std::to_string(length) + " records");
}

void write_records(hid_t series, hid_t memory_type, size_t offset, const void* records, size_t count) {
  if (count == 0) return;
  if (offset + count > series_length(series)) resize_series(series, offset + count);
  const std::string what = "cannot write records";
  const hsize_t start = offset, size = count;
  Handle file_space(check(H5Dget_space(series), series, "", what), H5Sclose);
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &start, nullptr, &size, nullptr), series, "", what);
  Handle memory_space(check(H5Screate_simple(1, &size, nullptr), series, "", what), H5Sclose);
  check(H5Dwrite(series, memory_type, memory_space, file_space, H5P_DEFAULT, records), series, "", what);
}

}  // namespace genlab::io::h5
