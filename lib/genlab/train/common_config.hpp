#pragma once
// The settings every `genlab train` command shares. A model's config derives from this struct and
// lists these fields first: DcganConfig::fields() = tuple_cat(CommonConfig::fields<DcganConfig>(), ...).
#include <cstdint>
#include <string>
#include <tuple>

#include "genlab/config/config.hpp"

namespace genlab::train {

struct CommonConfig {
  std::string backend = "onednn";
  std::string device = "cpu";
  int64_t threads = 0;
  int64_t seed = 0;
  int64_t epochs = 5;
  int64_t steps = 0;
  double time_limit = 0.0;
  int64_t batch_size = 64;
  int64_t log_every = 10;
  int64_t checkpoint_every = 500;

  template <class Derived>
  static auto fields() {
    using config::field;
    return std::make_tuple(
        field<Derived, std::string>(&Derived::backend, "backend", "tensor backend", config::one_of({"onednn", "libtorch"})),
        field<Derived, std::string>(&Derived::device, "device", "device: cpu, cuda or cuda:N (cuda needs --backend libtorch)"),
        field<Derived, int64_t>(&Derived::threads, "threads", "CPU threads (0: all cores)", config::at_least(0)),
        field<Derived, int64_t>(&Derived::seed, "seed", "seed of weights, noise and data order", config::at_least(0)),
        field<Derived, int64_t>(&Derived::epochs, "epochs", "passes over the training set", config::at_least(1)),
        field<Derived, int64_t>(&Derived::steps, "steps", "stop after this many training steps (0: no limit)",
                                config::at_least(0)),
        field<Derived, double>(&Derived::time_limit, "time_limit", "stop after this many seconds (0: no limit)",
                               config::at_least(0)),
        field<Derived, int64_t>(&Derived::batch_size, "batch_size", "images per training step", config::at_least(1)),
        field<Derived, int64_t>(&Derived::log_every, "log_every", "log losses every this many steps", config::at_least(1)),
        field<Derived, int64_t>(&Derived::checkpoint_every, "checkpoint_every",
                                "write a checkpoint (and, for generators, a sample grid) every this many steps", config::at_least(1)));
  }
};

}  // namespace genlab::train
