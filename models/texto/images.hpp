#pragma once
// Between 8-bit images (io/image.hpp) and the float images Texto works on, values in [0, 1].
#include <filesystem>
#include <string>

#include "genlab/io/image.hpp"
#include "genlab/ot/float_image.hpp"

namespace genlab::texto {

// An exemplar as Texto learns it: grey stays grey and colour stays RGB (alpha is dropped) for
// colour "auto"; "grey" and "rgb" convert. Throws IoError for a file that is not an image.
ot::FloatImage read_exemplar(const std::filesystem::path& path, const std::string& colour);

ot::FloatImage to_float_image(const io::Image& image);

// Values clipped to [0, 1] and rounded to 8 bits.
io::Image to_image(const ot::FloatImage& image);

}  // namespace genlab::texto
