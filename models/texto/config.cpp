#include "models/texto/config.hpp"

#include "genlab/config/size.hpp"
#include "genlab/core/error.hpp"

namespace genlab::texto {

OutputSize parse_output_size(const std::string& text) {
  try {
    const config::Size2 size = config::parse_size(text, "size");
    return {size.first, size.second};
  } catch (const ConfigError&) {
    throw ConfigError("invalid value for 'size' (--size): '" + text +
                      "'; expected WIDTHxHEIGHT with two positive integers, like 1280x768");
  }
}

}  // namespace genlab::texto
