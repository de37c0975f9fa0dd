// PowerSGD with Eigen. Orthonormalisation by modified Gram-Schmidt, as in the
// paper's reference implementation (r is small, so it is cheap and stable enough).
#include "compress/power_sgd.hpp"

#include <Eigen/Core>
#include <fmt/format.h>

#include "compress/detail/util.hpp"

namespace dlsim {

PowerSgd::PowerSgd(std::size_t rows, std::size_t rank) : rows_(rows), rank_(rank) {
  if (rows == 0 || rank == 0) throw std::invalid_argument("power-sgd: rows and rank must be >= 1");
}

std::string PowerSgd::name() const { return fmt::format("power-sgd(rows={}, rank={})", rows_, rank_); }

void PowerSgd::compress(std::span<const double> x, RandomStream& rng, CompressedMessage& out) const {
  const std::size_t d = x.size();
  if (d % rows_ != 0)
    throw std::invalid_argument(fmt::format("power-sgd: dimension {} is not a multiple of rows = {}", d, rows_));
  detail::reset(out, d);
  const auto m = Eigen::Index(rows_), n = Eigen::Index(d / rows_);
  const auto r = Eigen::Index(std::min<std::size_t>(rank_, std::min(rows_, d / rows_)));
  const Eigen::Map<const Eigen::MatrixXd> matrix(x.data(), m, n);
  Eigen::MatrixXd q(n, r);
  for (Eigen::Index j = 0; j < q.size(); ++j) q.data()[j] = rng.normal();
  Eigen::MatrixXd p = matrix * q;
  for (Eigen::Index j = 0; j < r; ++j) {
    for (Eigen::Index i = 0; i < j; ++i) p.col(j) -= p.col(i).dot(p.col(j)) * p.col(i);
    const double norm = p.col(j).norm();
    if (norm > 1e-300) p.col(j) /= norm;
    else p.col(j).setZero();  // rank-deficient M: this direction carries nothing
  }
  // P is sent in fp32; Q is computed from the P the receiver will see.
  Eigen::MatrixXd p_sent = p.cast<float>().cast<double>();
  q.noalias() = matrix.transpose() * p_sent;
  out.values.resize(std::size_t((m + n) * r));
  for (Eigen::Index j = 0; j < m * r; ++j) out.values[std::size_t(j)] = static_cast<float>(p_sent.data()[j]);
  for (Eigen::Index j = 0; j < n * r; ++j) out.values[std::size_t(m * r + j)] = static_cast<float>(q.data()[j]);
  out.scale = static_cast<float>(r);  // not sent: r is known; kept so decode needs no dimension arithmetic
  out.wire_bits = 32ull * std::uint64_t((m + n) * r);
}

void PowerSgd::decode(const CompressedMessage& message, std::span<double> out) const {
  detail::check_decode(message, out, "power-sgd");
  const auto m = Eigen::Index(rows_), n = Eigen::Index(message.dim / rows_);
  const auto r = Eigen::Index(message.scale);
  const Eigen::Map<const Eigen::MatrixXf> p(message.values.data(), m, r);
  const Eigen::Map<const Eigen::MatrixXf> q(message.values.data() + m * r, n, r);
  Eigen::Map<Eigen::MatrixXd>(out.data(), m, n).noalias() = p.cast<double>() * q.cast<double>().transpose();
}

}  // namespace dlsim
