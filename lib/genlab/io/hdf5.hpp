#pragma once
// Private to genlab_io: RAII handles and checked helpers over the HDF5 C API, for the run file.
//
// HDF5's automatic error printing is turned off; every failure throws h5::Failure naming the object
// and what failed, with HDF5's innermost reason:
//   "/checkpoint/generator/conv1.weight: cannot create dataset (HDF5: name already exists)"
// The caller, which knows the file, turns it into an IoError ("cannot read 'runs/x.h5': ...").
//
// Attribute types, chosen so that h5py reads them back as the same Python values:
//   int64  -> H5T_NATIVE_INT64           (h5py: numpy.int64)
//   double -> H5T_NATIVE_DOUBLE          (h5py: numpy.float64)
//   bool   -> enum of int8 {FALSE = 0, TRUE = 1}, h5py's own encoding of numpy bools (h5py: numpy.bool_)
//   string -> variable-length UTF-8 string (h5py: str)
#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "genlab/core/attributes.hpp"
#include "genlab/core/shape.hpp"

namespace genlab::io::h5 {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Owns one HDF5 id and releases it with the H5*close function for its kind. Every id must be
// released before a file can be renamed or opened again, on error paths too.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }

  // Closes now and throws if HDF5 reports an error: closing a file flushes it, and a failed flush
  // must not go unnoticed the way it would in the destructor.
  void close();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// The object's path in its file, "/checkpoint/generator"; `name` appended when given.
std::string object_path(hid_t object, const std::string& name = "");

// Files. Closing a file fails while any of its objects is still open, which makes a leaked id an
// error instead of a file that silently stays open.
bool is_hdf5_file(const std::filesystem::path& path);
Handle create_file(const std::filesystem::path& path);  // replaces a file already there
Handle open_file(const std::filesystem::path& path, bool writable);

// Links and groups: names are single path components.
bool has_child(hid_t group, const std::string& name);
std::vector<std::string> child_names(hid_t group);  // sorted by name
Handle open_group(hid_t parent, const std::string& name);
Handle require_group(hid_t parent, const std::string& name);  // opens it, or creates it when missing
void remove_child(hid_t group, const std::string& name);      // the space it used is not reclaimed

// Attributes of scalar dataspace. Writing replaces an attribute of the same name (one that
// already holds the value is left as it is).
bool has_attribute(hid_t object, const std::string& name);
std::vector<std::string> attribute_names(hid_t object);  // sorted by name
void write_attribute(hid_t object, const std::string& name, const AttributeValue& value);
AttributeValue read_attribute(hid_t object, const std::string& name);
Attributes read_attributes(hid_t object);
void remove_attribute(hid_t object, const std::string& name);
// The HDF5 image spec wants fixed-length, NUL-terminated ASCII strings (h5py: numpy.bytes_).
void write_ascii_attribute(hid_t object, const std::string& name, const std::string& text);
void write_uint8_attribute(hid_t object, const std::string& name, uint8_t value);

// Datatypes.
struct Field {
  const char* name;
  size_t offset;
  hid_t type;
};
Handle compound_type(size_t size, std::initializer_list<Field> fields);

// Datasets of fixed shape; a 0-d shape [] is a scalar dataspace.
Handle create_dataset(hid_t parent, const std::string& name, hid_t type, const Shape& shape);
Handle open_dataset(hid_t parent, const std::string& name);
Shape dataset_shape(hid_t dataset);
bool is_float32(hid_t dataset);
void write_dataset(hid_t dataset, hid_t memory_type, const void* data);  // all of it
void read_dataset(hid_t dataset, hid_t memory_type, void* data);         // all of it

// One-dimensional datasets of records that grow and shrink at the end: chunked, unlimited.
Handle create_series(hid_t parent, const std::string& name, hid_t type, size_t chunk_length);
size_t series_length(hid_t series);
void resize_series(hid_t series, size_t length);
void write_records(hid_t series, hid_t memory_type, size_t offset, const void* records, size_t count);

}  // namespace genlab::io::h5
