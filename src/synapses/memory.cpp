#include "engram/synapses/memory.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "engram/core/error.hpp"

namespace engram {

// ---- Interaction -----------------------------------------------------------------------------

Interaction Interaction::polynomial(double n) {
  Interaction f{Kind::polynomial, n, 1.0};
  f.check();
  return f;
}

Interaction Interaction::rectified_polynomial(double n) {
  Interaction f{Kind::rectified_polynomial, n, 1.0};
  f.check();
  return f;
}

Interaction Interaction::exponential(double beta) {
  Interaction f{Kind::exponential, 2.0, beta};
  f.check();
  return f;
}

Interaction Interaction::log_sum_exp(double beta) {
  Interaction f{Kind::log_sum_exp, 2.0, beta};
  f.check();
  return f;
}

const char* Interaction::kind_name(Kind kind) {
  switch (kind) {
    case Kind::polynomial:
      return "polynomial";
    case Kind::rectified_polynomial:
      return "rectified_polynomial";
    case Kind::exponential:
      return "exponential";
    case Kind::log_sum_exp:
      return "log_sum_exp";
  }
  return "unknown";
}

Interaction::Kind Interaction::kind_from_name(std::string_view name) {
  for (Kind k :
       {Kind::polynomial, Kind::rectified_polynomial, Kind::exponential, Kind::log_sum_exp})
    if (name == kind_name(k)) return k;
  ENGRAM_CHECK(false,
               "Interaction: unknown kind \"{}\"; expected polynomial, rectified_polynomial, "
               "exponential or log_sum_exp",
               name);
  return Kind::log_sum_exp;
}

void Interaction::check() const {
  switch (kind) {
    case Kind::polynomial:
      ENGRAM_CHECK(std::isfinite(n) && n >= 2 && n == std::floor(n),
                   "Interaction polynomial: n must be an integer >= 2, got {}", n);
      break;
    case Kind::rectified_polynomial:
      ENGRAM_CHECK(std::isfinite(n) && n >= 2,
                   "Interaction rectified_polynomial: n must be finite and >= 2, got {}", n);
      break;
    case Kind::exponential:
    case Kind::log_sum_exp:
      check_positive(beta, fmt::format("Interaction {}: beta", kind_name(kind)));
      break;
  }
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

double parse_number(std::string_view text, std::string_view spec) {
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  ENGRAM_CHECK(ec == std::errc() && end == text.data() + text.size() && !text.empty(),
               "Interaction::parse(\"{}\"): \"{}\" is not a number", spec, text);
  return v;
}

}  // namespace

Interaction Interaction::parse(std::string_view spec) {
  const std::string_view s = trim(spec);
  const std::size_t open = s.find('(');
  Interaction f;
  f.kind = kind_from_name(trim(s.substr(0, open)));
  const bool polynomial = f.kind == Kind::polynomial || f.kind == Kind::rectified_polynomial;
  const char* expected = polynomial ? "n" : "beta";
  bool has_n = false;
  if (open != std::string_view::npos) {
    ENGRAM_CHECK(s.back() == ')', "Interaction::parse(\"{}\"): missing ')' at the end", spec);
    std::string_view args = s.substr(open + 1, s.size() - open - 2);
    while (!trim(args).empty()) {
      const std::size_t comma = args.find(',');
      const std::string_view item = args.substr(0, comma);
      args = comma == std::string_view::npos ? std::string_view() : args.substr(comma + 1);
      const std::size_t eq = item.find('=');
      ENGRAM_CHECK(eq != std::string_view::npos,
                   "Interaction::parse(\"{}\"): expected key=value, got \"{}\"", spec, trim(item));
      const std::string_view key = trim(item.substr(0, eq));
      ENGRAM_CHECK(key == expected,
                   "Interaction::parse(\"{}\"): unknown parameter \"{}\" for {}; "
                   "expected {}",
                   spec, key, kind_name(f.kind), expected);
      const double v = parse_number(trim(item.substr(eq + 1)), spec);
      if (polynomial) {
        f.n = v;
        has_n = true;
      } else {
        f.beta = v;
      }
    }
  }
  ENGRAM_CHECK(!polynomial || has_n,
               "Interaction::parse(\"{}\"): {} needs its degree, e.g. {}(n=3)", spec,
               kind_name(f.kind), kind_name(f.kind));
  f.check();
  return f;
}

std::string Interaction::to_string() const {
  const bool polynomial = kind == Kind::polynomial || kind == Kind::rectified_polynomial;
  return polynomial ? fmt::format("{}(n={})", kind_name(kind), n)
                    : fmt::format("{}(beta={})", kind_name(kind), beta);
}

namespace {

// mⁿ: by repeated squaring for the integer degrees a DAM uses (several times faster than pow in
// the binary sweeps, which evaluate F twice per memory per unit), pow otherwise.
double power(double m, double n) {
  if (n != std::floor(n) || n > 64) return std::pow(m, n);
  double result = 1.0;
  for (auto e = static_cast<unsigned>(n); e != 0; e >>= 1, m *= m)
    if (e & 1u) result *= m;
  return result;
}

}  // namespace

double Interaction::value(double m) const {
  switch (kind) {
    case Kind::polynomial:
      return power(m, n);
    case Kind::rectified_polynomial:
      return m > 0 ? power(m, n) : 0.0;
    case Kind::exponential:
      return std::exp(beta * m);
    case Kind::log_sum_exp:
      break;
  }
  ENGRAM_ASSERT(false && "log_sum_exp is not elementwise");
  return std::numeric_limits<double>::quiet_NaN();
}

double Interaction::derivative(double m) const {
  switch (kind) {
    case Kind::polynomial:
      return n * std::pow(m, n - 1);
    case Kind::rectified_polynomial:
      return m > 0 ? n * std::pow(m, n - 1) : 0.0;
    case Kind::exponential:
      return beta * std::exp(beta * m);
    case Kind::log_sum_exp:
      break;
  }
  ENGRAM_ASSERT(false && "log_sum_exp is not elementwise");
  return std::numeric_limits<double>::quiet_NaN();
}

double Interaction::second_derivative(double m) const {
  switch (kind) {
    case Kind::polynomial:
      return n * (n - 1) * std::pow(m, n - 2);
    case Kind::rectified_polynomial:
      return m > 0 ? n * (n - 1) * std::pow(m, n - 2) : 0.0;
    case Kind::exponential:
      return beta * beta * std::exp(beta * m);
    case Kind::log_sum_exp:
      break;
  }
  ENGRAM_ASSERT(false && "log_sum_exp is not elementwise");
  return std::numeric_limits<double>::quiet_NaN();
}

// ---- MemorySynapse ---------------------------------------------------------------------------

template <class T>
MemorySynapse<T>::MemorySynapse(Mat<T> xi, Interaction interaction)
    : Synapse<T>("MemorySynapse"), interaction_(interaction) {
  ENGRAM_CHECK(xi.rows() > 0 && xi.cols() > 0,
               "MemorySynapse: xi must be non-empty (K x D), got {}x{}", xi.rows(), xi.cols());
  interaction_.check();
  this->add_param("xi", std::move(xi));
}

template <class T>
std::unique_ptr<Synapse<T>> MemorySynapse<T>::clone() const {
  return std::make_unique<MemorySynapse>(*this);
}

template <class T>
std::string MemorySynapse<T>::name() const {
  return fmt::format("memory({}x{}, {})", xi().rows(), xi().cols(), interaction_.to_string());
}

template <class T>
std::vector<Index> MemorySynapse<T>::operand_sizes() const {
  return {xi().cols()};
}

template <class T>
Hyperparameters MemorySynapse<T>::hyperparameters() const {
  return {{"interaction", static_cast<double>(interaction_.kind)},
          {"n", interaction_.n},
          {"beta", interaction_.beta}};
}

template <class T>
void MemorySynapse<T>::weights(const MatCRef<T>& xhat, Energies* energy, Mat<T>& w) const {
  const Mat<T> m = xhat * xi().transpose();  // B × K overlaps
  w.resize(m.rows(), m.cols());
  if (interaction_.kind == Interaction::Kind::log_sum_exp) {
    // M-12: −β⁻¹ lse(βm) = −m_max − β⁻¹ log Σ_μ e^{β(m_μ − m_max)}; w = softmax(βm).
    const double beta = interaction_.beta;
    for (Index b = 0; b < m.rows(); ++b) {
      const double top = static_cast<double>(m.row(b).maxCoeff());
      double sum = 0.0;
      for (Index mu = 0; mu < m.cols(); ++mu) {
        const double e = std::exp(beta * (static_cast<double>(m(b, mu)) - top));
        w(b, mu) = static_cast<T>(e);
        sum += e;
      }
      w.row(b) /= static_cast<T>(sum);
      if (energy) (*energy)(b) = -top - std::log(sum) / beta;
    }
    return;
  }
  // M-13: E = −Σ_μ F(m_μ), w = F'(m).
  for (Index b = 0; b < m.rows(); ++b) {
    double sum = 0.0;
    for (Index mu = 0; mu < m.cols(); ++mu) {
      const double overlap = static_cast<double>(m(b, mu));
      sum += interaction_.value(overlap);
      w(b, mu) = static_cast<T>(interaction_.derivative(overlap));
    }
    if (energy) (*energy)(b) = -sum;
  }
}

template <class T>
void MemorySynapse<T>::do_evaluate(Operands<T> xhats, Energies* energy, Gradients<T> grads) const {
  Mat<T> w;
  weights(xhats[0], energy, w);
  if (!grads.empty()) grads[0].noalias() -= w * xi();
}

template <class T>
Mat<T> MemorySynapse<T>::weights_directional(const MatCRef<T>& xhat, const MatCRef<T>& u) const {
  const Mat<T> m = xhat * xi().transpose();  // B × K overlaps
  Mat<T> dw = u * xi().transpose();          // v = Ξu per row, then the change of w
  if (interaction_.kind == Interaction::Kind::log_sum_exp) {
    // M-12: w = softmax(βm), so dw = β(p ⊙ v − p (p·v)).
    const double beta = interaction_.beta;
    for (Index b = 0; b < m.rows(); ++b) {
      const double top = static_cast<double>(m.row(b).maxCoeff());
      Eigen::VectorXd p(m.cols());
      for (Index mu = 0; mu < m.cols(); ++mu)
        p(mu) = std::exp(beta * (static_cast<double>(m(b, mu)) - top));
      p /= p.sum();
      const Eigen::VectorXd v = dw.row(b).transpose().template cast<double>();
      dw.row(b) = (beta * (p.cwiseProduct(v) - p * p.dot(v))).transpose().template cast<T>();
    }
  } else {
    // M-13: w = F'(m), so dw = F''(m) ⊙ v.
    for (Index b = 0; b < m.rows(); ++b)
      for (Index mu = 0; mu < m.cols(); ++mu)
        dw(b, mu) *= static_cast<T>(interaction_.second_derivative(static_cast<double>(m(b, mu))));
  }
  return dw;
}

template <class T>
void MemorySynapse<T>::do_grad_directional(Operands<T> xhats, Operands<T> u,
                                           Gradients<T> out) const {
  out[0].noalias() -= weights_directional(xhats[0], u[0]) * xi();
}

template <class T>
std::vector<Mat<T>> MemorySynapse<T>::do_param_grad_directional(Operands<T> xhats,
                                                                Operands<T> u) const {
  // M-35: ∂E/∂Ξ = −Σ_batch w x̂ᵀ moves by −Σ_batch (dw x̂ᵀ + w uᵀ).
  Mat<T> w;
  weights(xhats[0], nullptr, w);
  Mat<T> g = -(weights_directional(xhats[0], u[0]).transpose() * xhats[0]);
  g.noalias() -= w.transpose() * u[0];
  return {std::move(g)};
}

template <class T>
std::vector<Mat<T>> MemorySynapse<T>::do_param_grad(Operands<T> xhats) const {
  Mat<T> w;
  weights(xhats[0], nullptr, w);
  return {-(w.transpose() * xhats[0])};
}

template class MemorySynapse<float>;
template class MemorySynapse<double>;

}  // namespace engram
