// 128-bit integers for exact 64 x 64-bit products (random integers, unit
// conversion). They are a GCC and clang extension; __extension__ keeps
// -Wpedantic quiet about it in every file that includes these names.
#pragma once

namespace dlsim {

__extension__ typedef unsigned __int128 UnsignedInt128;
__extension__ typedef __int128 SignedInt128;

}  // namespace dlsim
