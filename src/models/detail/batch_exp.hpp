// Internal to src/models: exp of many doubles at once, in one fixed sequence
// of operations that an AVX2 + FMA kernel (four at a time) and a portable
// loop both follow, bit for bit.
//
// Why: the logistic model needs exp(-|t|) for every sample of a minibatch;
// the C library's exp, one call per sample, was about a tenth of a D-PSGD
// node-round (issue 15), and its last bit may differ between C libraries.
// The method (Cody and Waite's argument reduction, "Software Manual for the
// Elementary Functions", 1980): x = k ln 2 + r with k = round(x / ln 2) and
// |r| <= ln 2 / 2, ln 2 in two parts; exp(r) by its Taylor polynomial of
// degree 13 in Horner form with fused multiply-adds (truncation error below
// 5e-18); then times 2^k as 2^floor(k/2) * 2^(k - floor(k/2)), so that the
// subnormal results round once. x is first clamped to [-746, 710], beyond
// which exp is 0 or infinity in doubles; NaN stays NaN. Within 2 ulp of the
// exact value (tested against std::exp).
#pragma once

#include <span>

namespace dlsim::detail {

// values[j] = exp(values[j]) for every j.
void batch_exp(std::span<double> values);

// The portable loop, whichever processor this is (for the tests).
void portable_batch_exp(std::span<double> values);

}  // namespace dlsim::detail
