// Local differential privacy on messages: the sender adds the noise to what
// it sends, so that nobody who sees its messages (neighbours, the server, an
// eavesdropper) needs to be trusted. Each message is one Gaussian mechanism
// (Dwork, Roth, "The algorithmic foundations of differential privacy", 2014,
// Theorem A.1 / Mironov, "Renyi differential privacy", CSF 2017,
// Proposition 7) on a vector clipped to norm C, with noise N(0, sigma^2 C^2 I),
// composed over the messages a node sends by the Renyi accountant
// (renyi_accountant.hpp) at sampling rate q = 1.
//
// What is protected: a node's whole data set. Local DP holds for any two data
// sets of the sender, so the clipped vector may move anywhere in the ball of
// radius C: the sensitivity is its diameter 2C, and each message is a
// Gaussian mechanism of noise multiplier sigma / 2 relative to it, RDP
// alpha (2C)^2 / (2 sigma^2 C^2) = 2 alpha / sigma^2 per message.
//
// Two forms, one per kind of message:
// - an update (federated uploads: the client's model change) is clipped and
//   noised in place: Delta <- clip(Delta, C) + N(0, sigma^2 C^2 I);
// - a model (decentralized gossip) is released as a correction of the
//   sender's previous release r (public: its neighbours received it; 0 before
//   the first): r <- r + clip(x - r, C) + N(0, sigma^2 C^2 I). The receivers
//   use r as the sender's model. When x - r is within C this is x plus fresh
//   noise (the noise does not accumulate); a larger move is spread over
//   several messages. Clipping the model itself would bound every model to
//   the ball of radius C.
// With C = infinity and sigma = 0 both forms return exactly what would have
// been sent without privacy, bit for bit.
#pragma once

#include <limits>
#include <memory>
#include <span>
#include <vector>

namespace dlsim {

class PrivacyLedger;
class RandomStream;

// What every sender does under privacy.mechanism = "local-dp".
struct MessagePrivacy {
  bool enabled = false;
  double clip_norm = std::numeric_limits<double>::infinity();  // C (> 0; infinity: no clipping)
  double noise_multiplier = 0.0;  // sigma; the noise's standard deviation is sigma C
  // Where each node's messages are recorded for the accountant (one entry per
  // node, rate 1, noise multiplier sigma / 2); null: not accounted (no noise).
  std::shared_ptr<PrivacyLedger> ledger;
};

// The noise multiplier the accountant charges per message: sigma relative to
// the sensitivity 2C of a vector clipped to C (see above).
inline double local_dp_accounted_noise_multiplier(double noise_multiplier) { return noise_multiplier / 2.0; }

// update <- clip(update, C) + N(0, sigma^2 C^2 I), the noise drawn from
// `noise` in coordinate order. O(size).
void privatize_update(std::span<double> update, const MessagePrivacy& privacy, RandomStream& noise);

// released <- released + clip(x - released, C) + N(0, sigma^2 C^2 I), with
// `released` empty meaning the zero vector (resized to x's size). When x -
// released is within C the result is computed as x + noise, so that with C =
// infinity and sigma = 0 it is x exactly. O(size).
void privatize_model(std::span<const double> x, std::vector<double>& released, const MessagePrivacy& privacy,
                     RandomStream& noise);

// Floating-point operations of one private message of d values: the clip (a
// norm and a scale, 4 d) and d normal draws (about 20 each). 0 when disabled.
double local_dp_flops(double dimension, const MessagePrivacy& privacy);

}  // namespace dlsim
