// IDX through zlib's gz* interface, which reads plain files transparently, so
// one code path serves both; byte offsets in messages are of the uncompressed data.
#include "data/idx.hpp"

#include <zlib.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <memory>

namespace dlsim {
namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};

class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (!file_) throw DataError(fmt::format("{}: cannot open", path));
    gzbuffer(file_.get(), 1 << 17);
  }
  // Reads exactly `size` bytes or throws naming the offset where the data ended
  // and how many bytes were missing (counting `more` still expected after these).
  void read(void* out, std::size_t size, const char* what, std::uint64_t more = 0) {
    auto* bytes = static_cast<unsigned char*>(out);
    std::size_t done = 0;
    while (done < size) {
      const unsigned chunk = unsigned(std::min<std::size_t>(size - done, 1u << 30));
      const int got = gzread(file_.get(), bytes + done, chunk);
      if (got < 0) throw DataError(fmt::format("{}: byte {}: read error (corrupt gzip data?)", path_, offset_ + done));
      if (got == 0)
        throw DataError(fmt::format("{}: byte {}: truncated {}: expected {} more bytes", path_, offset_ + done, what,
                                    size - done + more));
      done += std::size_t(got);
    }
    offset_ += size;
  }
  std::uint64_t offset() const { return offset_; }

 private:
  std::string path_;
  std::unique_ptr<gzFile_s, GzCloser> file_;
  std::uint64_t offset_ = 0;
};

std::uint32_t big_endian32(const unsigned char* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

std::size_t element_size(unsigned char type) {
  switch (type) {
    case 0x08: case 0x09: return 1;
    case 0x0B: return 2;
    case 0x0C: case 0x0D: return 4;
    case 0x0E: return 8;
    default: return 0;
  }
}

double element(const unsigned char* p, unsigned char type) {
  switch (type) {
    case 0x08: return double(p[0]);
    case 0x09: return double(static_cast<signed char>(p[0]));
    case 0x0B: return double(static_cast<std::int16_t>(std::uint16_t(p[0]) << 8 | p[1]));
    case 0x0C: return double(static_cast<std::int32_t>(big_endian32(p)));
    case 0x0D: return double(std::bit_cast<float>(big_endian32(p)));
    case 0x0E: {
      const std::uint64_t bits = std::uint64_t(big_endian32(p)) << 32 | big_endian32(p + 4);
      return std::bit_cast<double>(bits);
    }
  }
  return 0.0;
}

// More values than any machine holds (2^36 floats = 256 GB): a header asking
// for them is corrupt, and its product of sizes could overflow.
constexpr std::uint64_t kMaxIdxValues = std::uint64_t{1} << 36;
// Values converted per read: memory grows with the data that really arrives,
// never with what a (possibly corrupt) header promises.
constexpr std::size_t kIdxChunk = std::size_t{1} << 20;

}  // namespace

IdxArray read_idx(const std::string& path) {
  GzReader in(path);
  unsigned char magic[4];
  in.read(magic, 4, "header");
  const std::size_t size = element_size(magic[2]);
  if (magic[0] != 0 || magic[1] != 0 || size == 0 || magic[3] == 0)
    throw DataError(fmt::format("{}: byte 0: bad IDX magic {:02x} {:02x} {:02x} {:02x} (expected 00 00, a type, dimensions)",
                                path, magic[0], magic[1], magic[2], magic[3]));
  IdxArray array;
  array.element_size = size;
  std::uint64_t count = 1, nonzero = 1;
  for (unsigned d = 0; d < magic[3]; ++d) {
    unsigned char bytes[4];
    in.read(bytes, 4, "header");
    const std::uint32_t extent = big_endian32(bytes);
    array.shape.push_back(extent);
    if (extent) nonzero *= extent;
    if (nonzero > kMaxIdxValues)
      throw DataError(fmt::format("{}: byte {}: dimension {} makes more than 2^36 values", path, 4 + 4 * d, d));
    count *= extent;
  }
  array.data_offset = in.offset();
  std::vector<unsigned char> raw(std::min<std::uint64_t>(count, kIdxChunk) * size);
  for (std::uint64_t done = 0; done < count;) {
    const std::size_t chunk = std::size_t(std::min<std::uint64_t>(count - done, kIdxChunk));
    in.read(raw.data(), chunk * size, "data", (count - done - chunk) * size);
    array.values.resize(std::size_t(done + chunk));
    float* out = array.values.data() + done;
    if (magic[2] == 0x08) {
      for (std::size_t i = 0; i < chunk; ++i) out[i] = float(raw[i]);
    } else {
      for (std::size_t i = 0; i < chunk; ++i) {
        const double value = element(raw.data() + i * size, magic[2]);
        if (!plausible_data_value(value))
          throw DataError(fmt::format("{}: byte {}: value {} is not a finite number within +-{}", path,
                                      array.data_offset + (done + i) * size, value, kMaxDataMagnitude));
        out[i] = float(value);
      }
    }
    done += chunk;
  }
  return array;
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path, std::size_t num_classes) {
  IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (labels.shape.size() != 1) throw DataError(fmt::format("{}: byte 3: labels must be 1-dimensional", labels_path));
  if (images.shape.empty() || images.shape[0] != labels.shape[0])
    throw DataError(fmt::format("{}: {} labels for {} images in {}", labels_path, labels.shape[0],
                                images.shape.empty() ? 0 : images.shape[0], images_path));
  Dataset data;
  data.name = std::filesystem::path(images_path).filename().string();
  data.dim = 1;
  for (std::size_t d = 1; d < images.shape.size(); ++d) data.dim *= images.shape[d];
  data.dense = std::move(images.values);
  // Classes index the models' output rows: one out of range reads and writes
  // outside them, so every label is checked here.
  const std::size_t limit = num_classes ? num_classes : kMaxIdxClasses;
  std::int32_t largest = 0;
  for (std::size_t i = 0; i < labels.values.size(); ++i) {
    const float v = labels.values[i];
    if (!(v >= 0 && v < float(limit) && v == std::floor(v)))
      throw DataError(fmt::format("{}: byte {}: label {} of sample {} is not a class index in 0..{}", labels_path,
                                  labels.data_offset + i * labels.element_size, v, i, limit - 1));
    data.classes.push_back(std::int32_t(v));
    data.targets.push_back(double(v));
    largest = std::max(largest, data.classes.back());
  }
  data.num_classes = num_classes ? num_classes : std::size_t(largest) + 1;
  for (std::size_t c = 0; c < data.num_classes; ++c) data.label_map.class_labels.push_back(double(c));
  return data;
}

Dataset load_fashion_mnist(const std::string& dir, bool train) {
  const std::string prefix = dir + (train ? "/train" : "/t10k");
  Dataset data = load_idx(prefix + "-images-idx3-ubyte.gz", prefix + "-labels-idx1-ubyte.gz", 10);
  data.name = train ? "fashion-mnist/train" : "fashion-mnist/test";
  for (float& v : data.dense) v /= 255.0f;
  return data;
}

bool fashion_mnist_available(const std::string& dir) {
  for (const char* file : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                           "t10k-labels-idx1-ubyte.gz"})
    if (!std::filesystem::exists(dir + "/" + file)) return false;
  return true;
}

}  // namespace dlsim
