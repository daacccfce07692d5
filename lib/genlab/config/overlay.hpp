#pragma once
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

namespace genlab::config {

// `base` with the fields named in `names` taken from `top`: how a value given on the command line
// wins over the same field from a TOML file or a resumed run's stored config.
template <class Config>
Config overlay(Config base, const Config& top, const std::vector<std::string>& names) {
  std::apply(
      [&](const auto&... field) {
        ((std::find(names.begin(), names.end(), field.name) != names.end()
              ? void(base.*(field.member) = top.*(field.member))
              : void()),
         ...);
      },
      Config::fields());
  return base;
}

}  // namespace genlab::config
