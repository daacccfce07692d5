#pragma once
// Templates of config.hpp. Each one turns a config into a type-erased list of its fields and
// hands that list to a function in config.cpp, so that CLI11 and toml++ are compiled once there
// instead of in every translation unit that includes config.hpp.
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace genlab::config {
namespace detail {

template <class T>
inline constexpr bool is_field_type = std::is_same_v<T, bool> || std::is_same_v<T, int64_t> ||
                                      std::is_same_v<T, double> || std::is_same_v<T, std::string>;

// What a field is, without its type.
struct FieldInfo {
  const char* name;
  const char* help;
  Allowed allowed;
};

// A field and a copy of its value, for reading a config.
struct FieldValue {
  FieldInfo info;
  AttributeValue value;
};

// A field and the address of its member, for writing a config. The alternatives are in the
// order of AttributeValue's.
using MemberPointer = std::variant<int64_t*, double*, bool*, std::string*>;
struct FieldSlot {
  FieldInfo info;
  MemberPointer member;
};

template <class Config, class T>
FieldInfo info_of(const Field<Config, T>& field) {
  static_assert(is_field_type<T>, "config fields must be bool, int64_t, double or std::string");
  return {field.name, field.help, field.allowed};
}

template <class Config>
std::vector<FieldInfo> field_infos() {
  return std::apply([](const auto&... field) { return std::vector<FieldInfo>{info_of(field)...}; },
                    Config::fields());
}

template <class Config>
std::vector<FieldValue> field_values(const Config& config) {
  return std::apply(
      [&config]<class... T>(const Field<Config, T>&... field) {
        // in_place_type keeps a bool from being taken for an int64_t, and vice versa.
        return std::vector<FieldValue>{
            FieldValue{info_of(field), AttributeValue(std::in_place_type<T>, config.*field.member)}...};
      },
      Config::fields());
}

template <class Config>
std::vector<FieldSlot> field_slots(Config& config) {
  return std::apply(
      [&config]<class... T>(const Field<Config, T>&... field) {
        return std::vector<FieldSlot>{
            FieldSlot{info_of(field), MemberPointer(std::in_place_type<T*>, &(config.*field.member))}...};
      },
      Config::fields());
}

// Defined in config.cpp.
void check_values(const std::vector<FieldValue>& values);
void add_slot_options(CLI::App& app, const std::vector<FieldSlot>& slots);
std::vector<std::string> fields_given(const CLI::App& app, const std::vector<FieldInfo>& fields);
std::string read_text_file(const std::string& path);
void assign_from_toml(const std::string& text, const std::string& source, const std::vector<FieldSlot>& slots);
std::string write_toml(const std::vector<FieldValue>& values);
Attributes collect_attributes(const std::vector<FieldValue>& values);
void assign_from_attributes(const Attributes& attributes, const std::vector<FieldSlot>& slots);

}  // namespace detail

template <class Config>
void validate(const Config& config) {
  detail::check_values(detail::field_values(config));
}

template <class Config>
void add_options(CLI::App& app, Config& config) {
  detail::add_slot_options(app, detail::field_slots(config));
}

template <class Config>
std::vector<std::string> given_on_command_line(const CLI::App& app) {
  return detail::fields_given(app, detail::field_infos<Config>());
}

template <class Config>
Config from_toml_file(const std::string& path, Config base) {
  return from_toml_string(detail::read_text_file(path), std::move(base), path);
}

// Assigns the keys present in `text`; does not validate, since a later source (the command line)
// may still change the values.
template <class Config>
Config from_toml_string(const std::string& text, Config base, const std::string& source) {
  detail::assign_from_toml(text, source, detail::field_slots(base));
  return base;
}

template <class Config>
std::string to_toml(const Config& config) {
  return detail::write_toml(detail::field_values(config));
}

template <class Config>
Attributes to_attributes(const Config& config) {
  return detail::collect_attributes(detail::field_values(config));
}

template <class Config>
Config from_attributes(const Attributes& attributes, Config base) {
  detail::assign_from_attributes(attributes, detail::field_slots(base));
  return base;
}

}  // namespace genlab::config
