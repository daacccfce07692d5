#pragma once
// The table of backend::Commands for the backend this translation unit instantiates
// (backends/instantiated_backend.hpp): each entry calls the model's or metric's template for it.
// Included by onednn_commands.cpp (the executable) and libtorch_module.cpp (the module) only.
#include "backends/instantiated_backend.hpp"
#include "experiments/backend/backend_commands.hpp"
#include "experiments/codec/rate_quality_measure.hpp"

namespace genlab::backend {

template <Backend B>
Commands commands_of() {
  return {
      .set_num_threads = [](int threads) { B::set_num_threads(threads); },
      .train_dcgan = &dcgan::train<B>,
      .sample_dcgan = &dcgan::sample<B>,
      .generate_dcgan = &dcgan::generate<B>,
      .train_stylegan = &stylegan::train<B>,
      .sample_stylegan = &stylegan::sample<B>,
      .generate_stylegan = &stylegan::generate<B>,
      .train_pga = &pga::train<B>,
      .sample_pga = &pga::sample<B>,
      .generate_pga = &pga::generate<B>,
      .train_classifier = &classifier::train<B>,
      .classifier_accuracy = &classifier::test_accuracy<B>,
      .train_codec = &codec::train<B>,
      .codec_compress = &codec::compress<B>,
      .codec_decompress = &codec::decompress<B>,
      .codec_code_images = &codec::code_images<B>,
      .measure_rate_quality = &codec_eval::measure_on<B>,
      .extract_features = &eval::extract_features<B>,
      .inception_first_pool = &eval::inception_first_pool<B>,
      .mean_paired_metric = &eval::mean_paired_metric<B>,
  };
}

}  // namespace genlab::backend
