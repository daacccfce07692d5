#include "genlab/io/lossy_formats.hpp"

// jpeglib.h needs size_t and FILE declared before it.
#include <cstddef>
#include <cstdio>
#include <csetjmp>
#include <jpeglib.h>
#include <webp/decode.h>
#include <webp/encode.h>

#include <algorithm>
#include <memory>
#include <string>

#include "genlab/core/error.hpp"

namespace genlab::io {
namespace {

std::string dimensions(const Image& image) {
  return std::to_string(image.width) + " x " + std::to_string(image.height) + " x " + std::to_string(image.channels);
}

// The checks both encoders make: a grey or RGB image whose pixel buffer matches its size.
void check_encodable(const Image& image, const char* codec) {
  const std::string what = std::string("cannot encode ") + codec + ": ";
  if (image.width <= 0 || image.height <= 0) throw IoError(what + "the image is empty (" + dimensions(image) + ")");
  if (image.channels != 1 && image.channels != 3)
    throw IoError(what + "the image has " + std::to_string(image.channels) +
                  " channels; it codes grey (1) or RGB (3) images (io::convert_channels drops alpha)");
  const size_t expected = size_t(image.width) * size_t(image.height) * size_t(image.channels);
  if (image.pixels.size() != expected)
    throw IoError(what + "a " + dimensions(image) + " image needs " + std::to_string(expected) + " bytes, it has " +
                  std::to_string(image.pixels.size()));
}

// ---- JPEG.
//
// libjpeg reports fatal errors through error_exit, which must not return. It jumps back to the
// setjmp in the one function that drives libjpeg; everything that function changes lives in a
// heap-allocated context (never in the jumping function's automatic variables, whose values a
// longjmp would leave indeterminate), and no object with a destructor is created between the
// setjmp and the libjpeg calls.

struct JpegErrors {
  jpeg_error_mgr manager;  // first, so that libjpeg's j_common_ptr->err casts back to JpegErrors
  std::jmp_buf jump;
  bool strict = false;  // decoding: warnings about damaged data are errors
  char message[JMSG_LENGTH_MAX] = {};
};

[[noreturn]] void jpeg_error_exit(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  (*info->err->format_message)(info, errors->message);
  std::longjmp(errors->jump, 1);
}

// Level -1 is a warning about damaged data ("Premature end of JPEG file", "Corrupt JPEG data");
// trace messages (level >= 0) are dropped. libjpeg's default prints warnings to stderr.
void jpeg_emit_message(j_common_ptr info, int level) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  if (level < 0) {
    info->err->num_warnings++;
    if (errors->strict) jpeg_error_exit(info);
  }
}

void install(JpegErrors& errors) {
  jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_error_exit;
  errors.manager.emit_message = jpeg_emit_message;
}

// Compressed bytes into a std::vector, growing it as libjpeg fills it.
struct VectorDestination {
  jpeg_destination_mgr manager;  // first, for the cast back
  std::vector<uint8_t>* out = nullptr;

  static void init(j_compress_ptr info) {
    auto* self = reinterpret_cast<VectorDestination*>(info->dest);
    self->out->resize(1 << 16);
    self->manager.next_output_byte = self->out->data();
    self->manager.free_in_buffer = self->out->size();
  }
  static boolean empty(j_compress_ptr info) {
    auto* self = reinterpret_cast<VectorDestination*>(info->dest);
    const size_t used = self->out->size();  // libjpeg calls this only when the buffer is full
    self->out->resize(2 * used);
    self->manager.next_output_byte = self->out->data() + used;
    self->manager.free_in_buffer = self->out->size() - used;
    return TRUE;
  }
  static void term(j_compress_ptr info) {
    auto* self = reinterpret_cast<VectorDestination*>(info->dest);
    self->out->resize(self->out->size() - self->manager.free_in_buffer);
  }
};

struct JpegEncoding {
  jpeg_compress_struct info{};
  JpegErrors errors;
  VectorDestination destination;
  std::vector<uint8_t> bytes;
  bool created = false;
  ~JpegEncoding() {
    if (created) jpeg_destroy_compress(&info);
  }
};

// False after a libjpeg error (its message in c.errors.message).
bool run_jpeg_encoder(JpegEncoding* c, const Image* image, int quality) {
  if (setjmp(c->errors.jump)) return false;
  c->info.err = &c->errors.manager;
  jpeg_create_compress(&c->info);
  c->created = true;
  c->destination.out = &c->bytes;
  c->destination.manager.init_destination = VectorDestination::init;
  c->destination.manager.empty_output_buffer = VectorDestination::empty;
  c->destination.manager.term_destination = VectorDestination::term;
  c->info.dest = &c->destination.manager;

  c->info.image_width = static_cast<JDIMENSION>(image->width);
  c->info.image_height = static_cast<JDIMENSION>(image->height);
  c->info.input_components = image->channels;
  c->info.in_color_space = image->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&c->info);
  jpeg_set_quality(&c->info, quality, /*force_baseline=*/TRUE);
  c->info.optimize_coding = TRUE;
  if (image->channels == 3) {  // 4:2:0: luma at full resolution, both chroma planes halved both ways
    c->info.comp_info[0].h_samp_factor = c->info.comp_info[0].v_samp_factor = 2;
    for (int k = 1; k < 3; ++k) c->info.comp_info[k].h_samp_factor = c->info.comp_info[k].v_samp_factor = 1;
  }
  jpeg_start_compress(&c->info, TRUE);
  const size_t stride = size_t(image->width) * size_t(image->channels);
  while (c->info.next_scanline < c->info.image_height) {
    // libjpeg's row pointer is not const, but it only reads the input.
    JSAMPROW row = const_cast<JSAMPLE*>(image->pixels.data() + c->info.next_scanline * stride);
    jpeg_write_scanlines(&c->info, &row, 1);
  }
  jpeg_finish_compress(&c->info);
  return true;
}

struct JpegDecoding {
  jpeg_decompress_struct info{};
  JpegErrors errors;
  Image image;
  bool created = false;
  ~JpegDecoding() {
    if (created) jpeg_destroy_decompress(&info);
  }
};

bool run_jpeg_decoder(JpegDecoding* c, const uint8_t* data, size_t size) {
  if (setjmp(c->errors.jump)) return false;
  c->info.err = &c->errors.manager;
  jpeg_create_decompress(&c->info);
  c->created = true;
  jpeg_mem_src(&c->info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&c->info, TRUE);
  c->info.out_color_space = c->info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&c->info);
  c->image.width = static_cast<int>(c->info.output_width);
  c->image.height = static_cast<int>(c->info.output_height);
  c->image.channels = c->info.output_components;
  const size_t stride = size_t(c->image.width) * size_t(c->image.channels);
  c->image.pixels.resize(stride * size_t(c->image.height));
  while (c->info.output_scanline < c->info.output_height) {
    JSAMPROW row = c->image.pixels.data() + c->info.output_scanline * stride;
    jpeg_read_scanlines(&c->info, &row, 1);
  }
  jpeg_finish_decompress(&c->info);
  return true;
}

// ---- WebP.

const char* webp_encoding_error(WebPEncodingError code) {
  switch (code) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY: return "out of memory";
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory for the bitstream";
    case VP8_ENC_ERROR_NULL_PARAMETER: return "a null parameter";
    case VP8_ENC_ERROR_INVALID_CONFIGURATION: return "an invalid configuration";
    case VP8_ENC_ERROR_BAD_DIMENSION: return "bad dimensions (at most 16383 x 16383)";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW: return "partition 0 is larger than 512 KiB";
    case VP8_ENC_ERROR_PARTITION_OVERFLOW: return "a partition is larger than 16 MiB";
    case VP8_ENC_ERROR_BAD_WRITE: return "the output could not be written";
    case VP8_ENC_ERROR_FILE_TOO_BIG: return "the file would be larger than 4 GiB";
    case VP8_ENC_ERROR_USER_ABORT: return "aborted";
    default: return "an unknown error";
  }
}

const char* webp_status(VP8StatusCode status) {
  switch (status) {
    case VP8_STATUS_OUT_OF_MEMORY: return "out of memory";
    case VP8_STATUS_INVALID_PARAM: return "an invalid parameter";
    case VP8_STATUS_BITSTREAM_ERROR: return "not a WebP file or a damaged bitstream";
    case VP8_STATUS_UNSUPPORTED_FEATURE: return "an unsupported feature (animation?)";
    case VP8_STATUS_SUSPENDED: return "suspended";
    case VP8_STATUS_USER_ABORT: return "aborted";
    case VP8_STATUS_NOT_ENOUGH_DATA: return "truncated (not enough data)";
    default: return "an unknown error";
  }
}

// "52 49 46 46 ...": what the bytes start with tells a user what they really are.
std::string first_bytes_hex(std::span<const uint8_t> bytes) {
  std::string hex;
  for (size_t i = 0; i < std::min<size_t>(8, bytes.size()); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof byte, "%02x", bytes[i]);
    hex += (i ? " " : "") + std::string(byte);
  }
  return bytes.size() > 8 ? hex + " ..." : hex;
}

}  // namespace

std::vector<uint8_t> encode_jpeg(const Image& image, int quality) {
  check_encodable(image, "JPEG");
  if (quality < 1 || quality > 100)
    throw IoError("cannot encode JPEG: quality " + std::to_string(quality) + " is outside 1..100");
  if (image.width > JPEG_MAX_DIMENSION || image.height > JPEG_MAX_DIMENSION)
    throw IoError("cannot encode JPEG: a " + dimensions(image) + " image is larger than JPEG's " +
                  std::to_string(JPEG_MAX_DIMENSION) + " pixels per side");
  auto context = std::make_unique<JpegEncoding>();
  install(context->errors);
  if (!run_jpeg_encoder(context.get(), &image, quality))
    throw IoError(std::string("cannot encode JPEG: libjpeg: ") + context->errors.message);
  return std::move(context->bytes);
}

Image decode_jpeg(std::span<const uint8_t> bytes) {
  if (bytes.empty()) throw IoError("cannot decode JPEG: no bytes");
  auto context = std::make_unique<JpegDecoding>();
  install(context->errors);
  context->errors.strict = true;
  if (!run_jpeg_decoder(context.get(), bytes.data(), bytes.size()))
    throw IoError(std::string("cannot decode JPEG of ") + std::to_string(bytes.size()) + " bytes (first bytes " +
                  first_bytes_hex(bytes) + "): libjpeg: " + context->errors.message);
  return std::move(context->image);
}

std::vector<uint8_t> encode_webp(const Image& image, int quality) {
  check_encodable(image, "WebP");
  if (quality < 0 || quality > 100)
    throw IoError("cannot encode WebP: quality " + std::to_string(quality) + " is outside 0..100");
  if (image.width > WEBP_MAX_DIMENSION || image.height > WEBP_MAX_DIMENSION)
    throw IoError("cannot encode WebP: a " + dimensions(image) + " image is larger than WebP's " +
                  std::to_string(WEBP_MAX_DIMENSION) + " pixels per side");

  WebPConfig config;
  if (!WebPConfigInit(&config)) throw IoError("cannot encode WebP: libwebp's version does not match its headers");
  config.lossless = 0;
  config.quality = static_cast<float>(quality);
  config.method = 6;
  if (!WebPValidateConfig(&config)) throw IoError("cannot encode WebP: libwebp rejects the configuration");

  // Freed on every path, exceptions included.
  struct Resources {
    WebPPicture picture;
    WebPMemoryWriter writer;
    Resources() {
      WebPPictureInit(&picture);
      WebPMemoryWriterInit(&writer);
    }
    ~Resources() {
      WebPPictureFree(&picture);
      WebPMemoryWriterClear(&writer);
    }
  } r;
  r.picture.width = image.width;
  r.picture.height = image.height;
  r.picture.use_argb = 0;  // lossy: the encoder converts to YUV 4:2:0 itself
  r.picture.writer = WebPMemoryWrite;
  r.picture.custom_ptr = &r.writer;

  std::vector<uint8_t> rgb;
  const uint8_t* pixels = image.pixels.data();
  if (image.channels == 1) {
    rgb.resize(image.pixels.size() * 3);
    for (size_t i = 0; i < image.pixels.size(); ++i) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = image.pixels[i];
    pixels = rgb.data();
  }
  if (!WebPPictureImportRGB(&r.picture, pixels, image.width * 3))
    throw IoError("cannot encode WebP: " + std::string(webp_encoding_error(r.picture.error_code)));
  if (!WebPEncode(&config, &r.picture))
    throw IoError("cannot encode WebP: " + std::string(webp_encoding_error(r.picture.error_code)));
  return std::vector<uint8_t>(r.writer.mem, r.writer.mem + r.writer.size);
}

Image decode_webp(std::span<const uint8_t> bytes) {
  const std::string what = "cannot decode WebP of " + std::to_string(bytes.size()) + " bytes";
  if (bytes.empty()) throw IoError("cannot decode WebP: no bytes");
  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &features);
  if (status != VP8_STATUS_OK)
    throw IoError(what + " (first bytes " + first_bytes_hex(bytes) + "): " + webp_status(status));
  if (features.has_animation) throw IoError(what + ": it is an animation; only still images are decoded");

  Image image{features.width, features.height, features.has_alpha ? 4 : 3, {}};
  const size_t stride = size_t(image.width) * size_t(image.channels);
  image.pixels.resize(stride * size_t(image.height));
  const uint8_t* decoded =
      image.channels == 4
          ? WebPDecodeRGBAInto(bytes.data(), bytes.size(), image.pixels.data(), image.pixels.size(), static_cast<int>(stride))
          : WebPDecodeRGBInto(bytes.data(), bytes.size(), image.pixels.data(), image.pixels.size(), static_cast<int>(stride));
  if (decoded == nullptr) {
    // The header was fine; ask the full decoder why the data is not.
    WebPDecoderConfig config;
    WebPInitDecoderConfig(&config);
    const VP8StatusCode why = WebPDecode(bytes.data(), bytes.size(), &config);
    WebPFreeDecBuffer(&config.output);
    throw IoError(what + ": " + (why == VP8_STATUS_OK ? "damaged bitstream" : webp_status(why)));
  }
  return image;
}

}  // namespace genlab::io
