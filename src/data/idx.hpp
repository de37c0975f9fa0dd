// IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or plain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace dlsim {

// Where Debian's dataset-fashion-mnist package installs the four files
// (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-...).
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// An IDX array: shape (big-endian 32-bit sizes in the file) and values widened to float.
struct IdxArray {
  std::vector<std::size_t> shape;
  std::vector<float> values;
  std::uint64_t data_offset = 0;  // bytes before the first value (for messages)
  std::size_t element_size = 0;   // bytes per stored value
};

// Reads one IDX file through zlib (gzip or plain, detected by zlib). Element
// types: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32,
// 0x0D float32, 0x0E float64. Memory grows with the data read, not with the
// sizes the header announces. Throws DataError "PATH: byte N: what" for a file
// that cannot be opened, a bad magic number or type, sizes making more than
// 2^36 values, data ending early, or a value that is not finite or exceeds
// kMaxDataMagnitude.
IdxArray read_idx(const std::string& path);

// The most classes an IDX label file may define without a given class count.
inline constexpr std::size_t kMaxIdxClasses = 256;

// Images (n x d1 x d2 ..., flattened per sample to a dense row) and labels
// (n integers) as one classification set. num_classes 0: classes = largest
// label + 1, labels in [0, 255]; otherwise labels must be in [0, num_classes).
// Pixel values are kept as stored (0..255): normalise afterwards (data/normalize.hpp).
// Throws DataError when the counts differ, the shapes are wrong, or a label is
// not a class index in range (naming the byte, the sample and the value).
Dataset load_idx(const std::string& images_path, const std::string& labels_path, std::size_t num_classes = 0);

// Fashion-MNIST from `dir`: train (60,000) or test (10,000), pixels scaled to
// [0, 1], 10 classes (a label outside 0..9 is a DataError).
Dataset load_fashion_mnist(const std::string& dir, bool train);
// Whether the four Fashion-MNIST files are present in `dir`.
bool fashion_mnist_available(const std::string& dir = kFashionMnistDir);

}  // namespace dlsim
