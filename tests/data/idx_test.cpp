#include "data/idx.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "error_message.hpp"

using namespace dlsim;
using namespace dlsim::testing;

TEST_CASE("idx: plain and gzip files give the same images and labels") {
  for (const char* suffix : {"", ".gz"}) {
    const Dataset data = load_idx(fixture(std::string("idx/images.idx") + suffix), fixture(std::string("idx/labels.idx") + suffix));
    validate(data);
    CHECK(data.size() == 3);
    CHECK(data.dim == 4);  // 2 x 2 images
    CHECK(data.num_classes == 3);
    CHECK(data.classes == std::vector<std::int32_t>{0, 2, 1});
    CHECK(data.row(2)[0] == 255.0f);
    CHECK(data.row(1)[3] == 40.0f);
  }
}

TEST_CASE("idx: malformed files name file and byte offset") {
  CHECK(data_error([] { read_idx(fixture("idx/bad_magic.idx")); }) ==
        fixture("idx/bad_magic.idx") + ": byte 0: bad IDX magic 01 02 08 01 (expected 00 00, a type, dimensions)");
  // 16 header bytes + 12 pixels expected; the file stops after 7 of them.
  CHECK(data_error([] { read_idx(fixture("idx/truncated.idx")); }) ==
        fixture("idx/truncated.idx") + ": byte 23: truncated data: expected 5 more bytes");
  CHECK(data_error([] { load_idx(fixture("idx/images.idx"), fixture("idx/labels_short.idx")); }) ==
        fixture("idx/labels_short.idx") + ": 2 labels for 3 images in " + fixture("idx/images.idx"));
  CHECK(data_error([] { read_idx(fixture("idx/none.idx")); }) == fixture("idx/none.idx") + ": cannot open");
}

namespace {

// A plain IDX file: magic 00 00 type dims, big-endian sizes, then `payload` as is.
void write_idx(const std::string& path, unsigned char type, const std::vector<std::uint32_t>& shape,
               const std::vector<unsigned char>& payload) {
  std::ofstream out(path, std::ios::binary);
  out.put(0).put(0).put(char(type)).put(char(shape.size()));
  for (std::uint32_t extent : shape)
    for (int shift = 24; shift >= 0; shift -= 8) out.put(char((extent >> shift) & 0xff));
  out.write(reinterpret_cast<const char*>(payload.data()), std::streamsize(payload.size()));
}

std::vector<unsigned char> big_endian_int32(const std::vector<std::uint32_t>& values) {
  std::vector<unsigned char> bytes;
  for (std::uint32_t v : values)
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back((v >> shift) & 0xff);
  return bytes;
}

std::string scratch(const std::string& name) {
  const auto dir = std::filesystem::path(DLSIM_BINARY_DIR) / "idx_test" / name;
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A Fashion-MNIST folder (plain files under the .gz names; zlib reads both) of
// three 2 x 2 images per split with the given training labels.
std::string fashion_folder(const std::string& name, unsigned char label_type,
                           const std::vector<unsigned char>& train_labels) {
  const std::string dir = scratch(name);
  for (const char* split : {"train", "t10k"}) {
    write_idx(dir + "/" + split + "-images-idx3-ubyte.gz", 0x08, {3, 2, 2}, std::vector<unsigned char>(12, 7));
    write_idx(dir + "/" + split + "-labels-idx1-ubyte.gz", label_type, {3},
              std::string(split) == "train" ? train_labels : std::vector<unsigned char>{0, 1, 2});
  }
  return dir;
}

}  // namespace

TEST_CASE("idx: Fashion-MNIST labels outside 0..9 are refused, naming file, byte, sample and value") {
  const std::string ok = fashion_folder("ok", 0x08, {0, 9, 3});
  CHECK(load_fashion_mnist(ok, true).classes == std::vector<std::int32_t>{0, 9, 3});
  const std::string ten = fashion_folder("ten", 0x08, {0, 10, 3});
  CHECK(data_error([&] { load_fashion_mnist(ten, true); }) ==
        ten + "/train-labels-idx1-ubyte.gz: byte 9: label 10 of sample 1 is not a class index in 0..9");
  // int32 labels: 1e9 would index far outside the softmax output.
  const std::string huge = fashion_folder("huge", 0x0C, big_endian_int32({1, 2, 1000000000}));
  CHECK(data_error([&] { load_fashion_mnist(huge, true); }) ==
        huge + "/train-labels-idx1-ubyte.gz: byte 16: label 1000000000 of sample 2 is not a class index in 0..9");
  const std::string negative = fashion_folder("negative", 0x09, {0, 0xff, 1});  // signed byte -1
  CHECK(data_error([&] { load_fashion_mnist(negative, true); }) ==
        negative + "/train-labels-idx1-ubyte.gz: byte 9: label -1 of sample 1 is not a class index in 0..9");
}

TEST_CASE("idx: without a class count, labels must be in 0..255") {
  const std::string dir = scratch("plain");
  write_idx(dir + "/images", 0x08, {2, 1}, {1, 2});
  write_idx(dir + "/labels", 0x0C, {2}, big_endian_int32({1, 300}));
  CHECK(data_error([&] { load_idx(dir + "/images", dir + "/labels"); }) ==
        dir + "/labels: byte 12: label 300 of sample 1 is not a class index in 0..255");
}

TEST_CASE("idx: absurd sizes and non-finite values are DataErrors, not bad_alloc") {
  const std::string dir = scratch("sizes");
  // 2^32-1 x 2^32-1 x 2^32-1 values in a 20-byte file.
  write_idx(dir + "/huge", 0x08, {0xffffffffu, 0xffffffffu, 0xffffffffu}, {1, 2, 3, 4});
  CHECK(data_error([&] { read_idx(dir + "/huge"); }) == dir + "/huge: byte 8: dimension 1 makes more than 2^36 values");
  // 2^30 values announced, 4 present: memory follows the data, the error names what is missing.
  write_idx(dir + "/short", 0x08, {1u << 30}, {1, 2, 3, 4});
  CHECK(data_error([&] { read_idx(dir + "/short"); }) ==
        dir + "/short: byte 12: truncated data: expected " + std::to_string((1u << 30) - 4) + " more bytes");
  // float64 NaN and 1e308 pixels.
  std::vector<unsigned char> nan{0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
  write_idx(dir + "/nan", 0x0E, {1}, nan);
  CHECK(data_error([&] { read_idx(dir + "/nan"); }) == dir + "/nan: byte 8: value nan is not a finite number within +-1e+30");
  std::vector<unsigned char> big{0x7f, 0xe1, 0xcc, 0xf3, 0x85, 0xeb, 0xc8, 0xa0};  // 1e308
  write_idx(dir + "/big", 0x0E, {1}, big);
  CHECK(data_error([&] { read_idx(dir + "/big"); }) == dir + "/big: byte 8: value 1e+308 is not a finite number within +-1e+30");
}
