#include "genlab/config/config.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include <CLI/CLI.hpp>

#include "genlab/config/toml_values.hpp"
#include "genlab/core/error.hpp"

namespace genlab::config {
namespace {

// The shortest text that reads back as the same double: "2e-04", "0.1", "-inf". Whole numbers
// are written out ("100000", not "1e+05") up to where doubles stop being exact integers.
std::string format_number(double value) {
  char buffer[32];
  const bool whole = value == std::trunc(value) && std::abs(value) < 1e15;
  const auto result = whole ? std::to_chars(std::begin(buffer), std::end(buffer), value, std::chars_format::fixed)
                            : std::to_chars(std::begin(buffer), std::end(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string joined;
  for (const auto& word : words) joined += (joined.empty() ? "" : separator) + word;
  return joined;
}

// A TOML basic string: quoted, with quotes, backslashes and control characters escaped.
std::string quote(const std::string& text) {
  std::string quoted = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\b': quoted += "\\b"; break;
      case '\t': quoted += "\\t"; break;
      case '\n': quoted += "\\n"; break;
      case '\f': quoted += "\\f"; break;
      case '\r': quoted += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
          quoted += escape;
        } else {
          quoted += c;
        }
    }
  }
  return quoted + "\"";
}

// How a value reads in an error message: numbers as they are, strings quoted so that an empty
// one is visible.
std::string display(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        if constexpr (std::is_same_v<T, int64_t>) return std::to_string(v);
        if constexpr (std::is_same_v<T, double>) return format_number(v);
        if constexpr (std::is_same_v<T, std::string>) return quote(v);
      },
      value);
}

bool admits_number(const Allowed& allowed, double value) {
  // Written so that NaN is outside every range.
  const bool above_min = !allowed.min || (allowed.min_exclusive ? value > *allowed.min : value >= *allowed.min);
  const bool below_max = !allowed.max || (allowed.max_exclusive ? value < *allowed.max : value <= *allowed.max);
  const bool listed = allowed.numbers.empty() || std::ranges::find(allowed.numbers, value) != allowed.numbers.end();
  return above_min && below_max && listed;
}

bool admits_word(const Allowed& allowed, const std::string& word) {
  return allowed.choices.empty() || std::ranges::find(allowed.choices, word) != allowed.choices.end();
}

// Ranges apply to numbers and choices to strings; a bool is always allowed.
bool admits(const Allowed& allowed, const AttributeValue& value) {
  return std::visit(
      [&allowed](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) return true;
        if constexpr (std::is_same_v<T, int64_t>) return admits_number(allowed, static_cast<double>(v));
        if constexpr (std::is_same_v<T, double>) return admits_number(allowed, v);
        if constexpr (std::is_same_v<T, std::string>) return admits_word(allowed, v);
      },
      value);
}

// The type names used in error messages, with their articles.
std::string type_name(const AttributeValue& value) {
  static const char* const names[] = {"an integer", "a float", "a boolean", "a string"};
  return names[value.index()];
}

std::string expected_type_name(const detail::MemberPointer& member) {
  // A double field also takes an integer, so it asks for "a number".
  static const char* const names[] = {"an integer", "a number", "a boolean", "a string"};
  return names[member.index()];
}

// Stores `value` in the member if the types match; an integer also fits a double.
bool assign(const detail::MemberPointer& member, const AttributeValue& value) {
  return std::visit(
      [&value](auto* target) {
        using T = std::remove_pointer_t<decltype(target)>;
        if (const T* same = std::get_if<T>(&value)) {
          *target = *same;
          return true;
        }
        if constexpr (std::is_same_v<T, double>) {
          if (const int64_t* integer = std::get_if<int64_t>(&value)) {
            *target = static_cast<double>(*integer);
            return true;
          }
        }
        return false;
      },
      member);
}

std::string help_with_allowed(const detail::FieldInfo& info) {
  const std::string allowed = info.allowed.describe();
  return allowed.empty() ? info.help : std::string(info.help) + " (" + allowed + ")";
}

// CLI11's own default capture prints doubles with six digits, so the defaults are formatted here.
CLI::Option* add_option(CLI::App& app, const detail::FieldInfo& info, const detail::MemberPointer& member) {
  const std::string name = option_name(info.name);
  const std::string help = help_with_allowed(info);
  return std::visit(
      [&](auto* target) -> CLI::Option* {
        using T = std::remove_pointer_t<decltype(target)>;
        if constexpr (std::is_same_v<T, bool>) {
          // A flag: "--resume" sets true, "--resume=false" sets false. CLI11 shows no default for
          // flags, so the option text carries it, in the form of the other options' "FLOAT=2e-04".
          return app.add_flag(name, *target, help)->option_text(*target ? "[=BOOL]=true" : "[=BOOL]=false");
        } else if constexpr (std::is_same_v<T, std::string>) {
          return app.add_option(name, *target, help)->default_str(*target);
        } else {
          return app.add_option(name, *target, help)->default_str(display(*target));
        }
      },
      member);
}

std::string snake_case(std::string name) {
  std::ranges::replace(name, '-', '_');
  return name;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  // One row of the Levenshtein table at a time.
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

const detail::FieldSlot* find_slot(const std::vector<detail::FieldSlot>& slots, const std::string& name) {
  const auto found = std::ranges::find_if(slots, [&name](const auto& slot) { return name == slot.info.name; });
  return found == slots.end() ? nullptr : &*found;
}

// "unknown key 'lrr' in run.toml (did you mean 'lr'?)", or the list of keys when none is close.
std::string unknown_key_message(const std::string& key, const std::string& source,
                                const std::vector<detail::FieldSlot>& slots) {
  const std::string message = "unknown key '" + key + "' in " + source;
  const std::string wanted = snake_case(key);
  std::vector<std::string> names;
  const char* closest = nullptr;
  size_t closest_distance = 3;  // suggest only within an edit distance of 2
  for (const auto& slot : slots) {
    names.emplace_back(slot.info.name);
    const size_t distance = edit_distance(wanted, slot.info.name);
    // A distance as long as the key itself would suggest an unrelated name.
    if (distance < closest_distance && distance < wanted.size()) {
      closest = slot.info.name;
      closest_distance = distance;
    }
  }
  if (closest) return message + " (did you mean '" + closest + "'?)";
  return message + " (known keys: " + join(names, ", ") + ")";
}

std::string toml_type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

}  // namespace

std::optional<AttributeValue> scalar_of(const toml::node& node) {
  if (const auto* integer = node.as_integer()) return AttributeValue(std::in_place_type<int64_t>, integer->get());
  if (const auto* number = node.as_floating_point()) return AttributeValue(std::in_place_type<double>, number->get());
  if (const auto* boolean = node.as_boolean()) return AttributeValue(std::in_place_type<bool>, boolean->get());
  if (const auto* string = node.as_string()) return AttributeValue(std::in_place_type<std::string>, string->get());
  return std::nullopt;
}

toml::table parse_toml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(source + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                      ": invalid TOML: " + std::string(error.description()));
  }
}

// A TOML value. Doubles keep a decimal point ("1.0", not "1") so the file shows their type.
std::string toml_literal(const AttributeValue& value) {
  if (const double* number = std::get_if<double>(&value)) {
    std::string text = format_number(*number);
    const bool looks_like_integer = text.find_first_not_of("-0123456789") == std::string::npos;
    return looks_like_integer ? text + ".0" : text;
  }
  return display(value);
}

std::string Allowed::describe() const {
  if (!choices.empty()) return "one of: " + join(choices, ", ");
  if (!numbers.empty()) {
    std::vector<std::string> words;
    for (double n : numbers) words.push_back(format_number(n));
    return "one of: " + join(words, ", ");
  }
  if (min && max) {
    return (min_exclusive ? "(" : "[") + format_number(*min) + ", " + format_number(*max) + (max_exclusive ? ")" : "]");
  }
  if (min) return (min_exclusive ? "> " : ">= ") + format_number(*min);
  if (max) return (max_exclusive ? "< " : "<= ") + format_number(*max);
  return "";
}

Allowed anything() { return {}; }

Allowed at_least(double min) {
  Allowed allowed;
  allowed.min = min;
  return allowed;
}

Allowed greater_than(double min) {
  Allowed allowed = at_least(min);
  allowed.min_exclusive = true;
  return allowed;
}

Allowed between(double min, double max) {
  Allowed allowed = at_least(min);
  allowed.max = max;
  return allowed;
}

Allowed one_of_numbers(std::vector<double> numbers) {
  Allowed allowed;
  allowed.numbers = std::move(numbers);
  return allowed;
}

Allowed one_of(std::vector<std::string> choices) {
  Allowed allowed;
  allowed.choices = std::move(choices);
  return allowed;
}

std::string option_name(const std::string& field_name) {
  std::string name = "--" + field_name;
  std::replace(name.begin() + 2, name.end(), '_', '-');
  return name;
}

namespace detail {

void check_values(const std::vector<FieldValue>& values) {
  for (const auto& [info, value] : values) {
    if (admits(info.allowed, value)) continue;
    throw ConfigError("invalid value for '" + std::string(info.name) + "' (" + option_name(info.name) +
                      "): " + display(value) + "; allowed: " + info.allowed.describe());
  }
}

void add_slot_options(CLI::App& app, const std::vector<FieldSlot>& slots) {
  for (const auto& slot : slots) add_option(app, slot.info, slot.member);
}

std::vector<std::string> fields_given(const CLI::App& app, const std::vector<FieldInfo>& fields) {
  std::vector<std::string> given;
  for (const auto& field : fields) {
    // An app without this field's option has not been given it either.
    const CLI::Option* option = app.get_option_no_throw(option_name(field.name));
    if (option && option->count() > 0) given.emplace_back(field.name);
  }
  return given;
}

std::string read_text_file(const std::string& path) {
  // A directory opens like a file on Linux and then reads as empty, which would pass for an
  // empty config.
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) throw IoError("cannot read " + path + ": it is a directory");
  std::ifstream file(path, std::ios::binary);
  if (!file) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  const std::string text(std::istreambuf_iterator<char>(file), {});
  if (file.bad()) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  return text;
}

void assign_from_toml(const std::string& text, const std::string& source, const std::vector<FieldSlot>& slots) {
  const toml::table table = parse_toml(text, source);
  std::map<std::string, std::string> key_of_field;  // catches "batch_size" and "batch-size" in one file
  for (const auto& [toml_key, node] : table) {
    const std::string key(toml_key.str());
    const FieldSlot* slot = find_slot(slots, snake_case(key));
    if (!slot) throw ConfigError(unknown_key_message(key, source, slots));
    const auto [first, is_new] = key_of_field.emplace(slot->info.name, key);
    if (!is_new) {
      throw ConfigError("keys '" + first->second + "' and '" + key + "' in " + source + " both set '" +
                        slot->info.name + "'");
    }
    const std::optional<AttributeValue> value = scalar_of(node);
    if (!value || !assign(slot->member, *value)) {
      throw ConfigError("key '" + key + "' in " + source + ": expected " + expected_type_name(slot->member) +
                        ", got " + toml_type_name(node.type()));
    }
  }
}

std::string write_toml(const std::vector<FieldValue>& values) {
  std::string toml;
  for (const auto& [info, value] : values) {
    if (!toml.empty()) toml += "\n";
    std::string comment = help_with_allowed(info);
    if (!comment.empty()) {
      // A multi-line help stays a comment on every line.
      for (size_t at = comment.find('\n'); at != std::string::npos; at = comment.find('\n', at + 3)) {
        comment.replace(at, 1, "\n# ");
      }
      toml += "# " + comment + "\n";
    }
    toml += std::string(info.name) + " = " + toml_literal(value) + "\n";
  }
  return toml;
}

Attributes collect_attributes(const std::vector<FieldValue>& values) {
  Attributes attributes;
  for (const auto& [info, value] : values) attributes.emplace(info.name, value);
  return attributes;
}

void assign_from_attributes(const Attributes& attributes, const std::vector<FieldSlot>& slots) {
  for (const auto& slot : slots) {
    const auto found = attributes.find(slot.info.name);
    if (found == attributes.end() || assign(slot.member, found->second)) continue;
    throw ConfigError("attribute '" + std::string(slot.info.name) + "': expected " +
                      expected_type_name(slot.member) + ", got " + type_name(found->second));
  }
}

}  // namespace detail
}  // namespace genlab::config
