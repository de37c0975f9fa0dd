// The identity compressor: doubles to fp32 and back, four at a time in two
// SSE2 packed conversions where the processor has them (GCC -O2 leaves the
// plain loops scalar); a packed conversion rounds each value exactly as the
// scalar cast does.
#include "compress/identity.hpp"

#include "compress/detail/util.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dlsim {

void Identity::compress(std::span<const double> x, RandomStream&, CompressedMessage& out) const {
  detail::reset(out, x.size());
  out.values.resize(x.size());
  float* values = out.values.data();
  std::size_t i = 0;
#if defined(__SSE2__)
  for (; i + 4 <= x.size(); i += 4) {
    const __m128 low = _mm_cvtpd_ps(_mm_loadu_pd(x.data() + i));
    const __m128 high = _mm_cvtpd_ps(_mm_loadu_pd(x.data() + i + 2));
    _mm_storeu_ps(values + i, _mm_movelh_ps(low, high));
  }
#endif
  for (; i < x.size(); ++i) values[i] = static_cast<float>(x[i]);
  out.wire_bits = 32ull * x.size();
}

void Identity::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "identity");
  const float* values = message.values.data();
  std::size_t i = 0;
#if defined(__SSE2__)
  for (; i + 4 <= out.size(); i += 4) {
    const __m128 four = _mm_loadu_ps(values + i);
    _mm_storeu_pd(out.data() + i, _mm_cvtps_pd(four));
    _mm_storeu_pd(out.data() + i + 2, _mm_cvtps_pd(_mm_movehl_ps(four, four)));
  }
#endif
  for (; i < out.size(); ++i) out[i] = values[i];
}

}  // namespace dlsim
