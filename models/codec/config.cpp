#include "models/codec/config.hpp"

#include <numeric>
#include <sstream>

#include "genlab/core/error.hpp"

namespace genlab::codec {
namespace {

// The lab preset's training length: about an hour on 2 cores of the development machine with the
// feature terms, half that without (docs/models/codec.md, "The training step").
constexpr int64_t lab_steps = 10000;
constexpr int64_t paper_steps = 2000000;

std::vector<int64_t> parse_widths(const std::string& text, const char* field) {
  std::vector<int64_t> widths;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      const long long value = std::stoll(item, &used);
      if (used != item.size() || value < 1) throw std::invalid_argument(item);
      widths.push_back(value);
    } catch (const std::exception&) {
      throw ConfigError(std::string("invalid value for '") + field + "' (" + config::option_name(field) + "): '" + text +
                        "'; expected positive integers separated by commas, e.g. 16,16,32,64");
    }
  }
  if (widths.empty())
    throw ConfigError(std::string("invalid value for '") + field + "' (" + config::option_name(field) + "): it is empty");
  return widths;
}

}  // namespace

CodecConfig CodecConfig::resolved() const {
  CodecConfig c = *this;
  const bool paper = preset == "paper";
  auto fill = [](auto& value, auto paper_value, auto lab_value, bool is_paper) {
    if (value == -1) value = is_paper ? paper_value : lab_value;
  };
  if (c.transforms.empty()) c.transforms = paper ? "hific" : "gdn";
  if (c.transform_channels == -1) c.transform_channels = 64;
  fill(c.base_channels, int64_t{60}, int64_t{16}, paper);
  fill(c.latent_channels, int64_t{220}, int64_t{128}, paper);
  fill(c.hyper_channels, int64_t{320}, int64_t{96}, paper);
  fill(c.residual_blocks, int64_t{9}, int64_t{3}, paper);
  fill(c.crop, int64_t{256}, int64_t{128}, paper);
  fill(c.feature_stages, int64_t{4}, int64_t{1}, paper);
  fill(c.lr, 1e-4, c.transforms == "gdn" ? 1e-3 : 5e-4, paper);  // GDN transforms train stably at 1e-3
  if (c.channel_groups.empty()) c.channel_groups = paper ? "16,16,32,64" : "8,8,16,32";
  if (c.context_channels.empty()) c.context_channels = paper ? "224,128" : "96,64";
  if (c.steps == 0) c.steps = paper ? paper_steps : lab_steps;
  fill(c.rate_warmup_steps, int64_t{50000}, c.steps / 10, paper);
  fill(c.lr_drop_step, int64_t{0}, c.steps * 8 / 10, paper);
  // The semantic ensemble's variants (the paper's Table: L0, L1, L2).
  const double alpha_of[] = {10, 30, 100}, gamma_of[] = {80, 40, 10};
  const int v = variant == "L2" ? 2 : variant == "L1" ? 1 : 0;
  if (c.alpha == -1) c.alpha = alpha_of[v];
  if (c.gamma == -1) c.gamma = gamma_of[v];
  return c;
}

Architecture architecture_of(const CodecConfig& c) {
  Architecture a;
  a.transforms = c.transforms == "gdn" ? Transforms::gdn : Transforms::hific;
  a.transform_channels = c.transform_channels;
  for (int64_t stage = 0; stage < 5; ++stage) a.analysis_channels.push_back(c.base_channels << stage);
  a.latent_channels = c.latent_channels;
  a.hyper_channels = c.hyper_channels;
  a.residual_blocks = c.residual_blocks;
  a.groups = parse_widths(c.channel_groups, "channel_groups");
  const int64_t given = std::accumulate(a.groups.begin(), a.groups.end(), int64_t{0});
  if (given >= a.latent_channels)
    throw ConfigError("channel_groups (--channel-groups) '" + c.channel_groups + "' take " + std::to_string(given) +
                      " of the " + std::to_string(a.latent_channels) +
                      " latent channels; they must leave at least one for the last group");
  a.groups.push_back(a.latent_channels - given);
  a.context_channels = parse_widths(c.context_channels, "context_channels");
  if (c.crop < 64 || c.crop % 64 != 0)
    throw ConfigError("crop (--crop) must be a multiple of 64 (the hyper-latents are 64 times smaller), not " +
                      std::to_string(c.crop));
  return a;
}

}  // namespace genlab::codec
