// A model's parameters read from a text file (model.init = "file:PATH").
//
// Format: one number per line, in the order of the model's parameter vector
// (for the MLP, layer by layer, weights row-major then biases). Spaces, tabs
// and a trailing CR around a number are ignored, as are empty lines and lines
// whose first non-blank character is '#'. A number is what std::from_chars
// reads in general format ("1", "-2.5", "3e-4"; no "+", no "0x"); it must be
// finite. One number per line rather than CSV rows: a parameter vector has
// no columns, and a line number then names the parameter.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dlsim {

// The `dimension` numbers of the file at `path`. Throws std::invalid_argument
// as "PATH:LINE: ..." for a line that is not one finite number or for the
// first value beyond `dimension`, and as "PATH: ..." for a file that cannot be
// read or holds fewer than `dimension` values. Reads at most one line past the
// last value it needs; O(file size) time, O(dimension) memory.
std::vector<double> read_parameter_file(const std::string& path, std::size_t dimension);

}  // namespace dlsim
