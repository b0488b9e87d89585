#include "engram/models/dense_am.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engram/core/error.hpp"
#include "engram/core/rng.hpp"
#include "engram/neurons/tanh.hpp"
#include "model_file_checks.hpp"

namespace engram {

template <class T>
DenseAssociativeMemory<T>::DenseAssociativeMemory(Mat<T> xi, Interaction interaction, double gain)
    : xi_(std::move(xi)), interaction_(interaction), gain_(gain) {
  ENGRAM_CHECK(xi_.rows() > 0 && xi_.cols() > 0,
               "DenseAssociativeMemory: xi must be non-empty (K x D), got {}x{}", xi_.rows(),
               xi_.cols());
  check_finite(xi_, "DenseAssociativeMemory: xi");
  interaction_.check();
  check_positive(gain, "DenseAssociativeMemory: gain");
  xi_t_ = xi_.transpose();
}

template <class T>
void DenseAssociativeMemory<T>::check_binary(const MatCRef<T>& states, const char* who) const {
  ENGRAM_CHECK(states.cols() == dim(),
               "DenseAssociativeMemory::{}: states must have D = {} columns, got {}", who, dim(),
               states.cols());
  for (Index b = 0; b < states.rows(); ++b)
    for (Index i = 0; i < states.cols(); ++i)
      ENGRAM_CHECK(states(b, i) == T(1) || states(b, i) == T(-1) || states(b, i) == T(0),
                   "DenseAssociativeMemory::{}: states must be +1, -1 or 0 (unknown), got {} at "
                   "({}, {})",
                   who, static_cast<double>(states(b, i)), b, i);
}

template <class T>
double DenseAssociativeMemory<T>::energy_of_overlaps(const Eigen::VectorXd& m) const {
  if (interaction_.kind == Interaction::Kind::log_sum_exp) {
    const double beta = interaction_.beta, top = m.maxCoeff();
    return -top - std::log((beta * (m.array() - top)).exp().sum()) / beta;
  }
  double sum = 0.0;  // M-13: E = −Σ_μ F(m_μ)
  for (Index mu = 0; mu < m.size(); ++mu) sum += interaction_.value(m(mu));
  return -sum;
}

template <class T>
Energies DenseAssociativeMemory<T>::energy(const MatCRef<T>& states) const {
  ENGRAM_CHECK(states.cols() == dim(),
               "DenseAssociativeMemory::energy: states must have D = {} columns, got {}", dim(),
               states.cols());
  check_finite(states, "DenseAssociativeMemory::energy: states");
  const Eigen::MatrixXd m =
      states.template cast<double>() * xi_.template cast<double>().transpose();
  Energies e(states.rows());
  for (Index b = 0; b < states.rows(); ++b) {
    e(b) = energy_of_overlaps(m.row(b).transpose());
    ENGRAM_CHECK(std::isfinite(e(b)),
                 "DenseAssociativeMemory::energy: the energy of state {} overflows ({} with "
                 "beta * max overlap = {}); use log_sum_exp or a smaller beta",
                 b, interaction_.to_string(), interaction_.beta * m.row(b).maxCoeff());
  }
  return e;
}

template <class T>
int DenseAssociativeMemory<T>::preferred_sign(Index i, double s_i, const Eigen::VectorXd& m) const {
  const auto w = xi_t_.row(i);  // ξ_{μi} for every μ
  const Index K = m.size();
  double diff = 0.0;
  if (interaction_.kind == Interaction::Kind::exponential ||
      interaction_.kind == Interaction::Kind::log_sum_exp) {
    // M-13: Σ_μ e^{β(h_μ+ξ_μi)} − e^{β(h_μ−ξ_μi)} relative to its largest exponent (the same
    // comparison decides log_sum_exp, log being increasing).
    const double beta = interaction_.beta;
    double top = -std::numeric_limits<double>::infinity();
    for (Index mu = 0; mu < K; ++mu) {
      const double wm = static_cast<double>(w(mu));
      top = std::max(top, beta * (m(mu) - wm * s_i + std::abs(wm)));
    }
    for (Index mu = 0; mu < K; ++mu) {
      const double wm = static_cast<double>(w(mu)), h = beta * (m(mu) - wm * s_i);
      diff += std::exp(h + beta * wm - top) - std::exp(h - beta * wm - top);
    }
  } else {
    // M-13: Σ_μ F(h_μ + ξ_μi) − F(h_μ − ξ_μi), h_μ = Σ_{j≠i} ξ_μj σ_j
    for (Index mu = 0; mu < K; ++mu) {
      const double wm = static_cast<double>(w(mu)), h = m(mu) - wm * s_i;
      diff += interaction_.value(h + wm) - interaction_.value(h - wm);
    }
  }
  // A polynomial of high degree can overflow double (inf − inf): refuse rather than keep σ_i.
  ENGRAM_CHECK(!std::isnan(diff),
               "DenseAssociativeMemory: {} overflows double at overlaps near {} (unit {}); lower "
               "the degree n",
               interaction_.to_string(), m.cwiseAbs().maxCoeff(), i);
  return diff > 0 ? 1 : (diff < 0 ? -1 : 0);
}

template <class T>
std::vector<double> DenseAssociativeMemory<T>::recall_one(Eigen::VectorXd& sigma,
                                                          const DenseRecallOptions& options,
                                                          std::uint64_t seed, int& steps,
                                                          bool& converged) const {
  const Index D = dim();
  // m = Ξσ in double, read from Ξ in place (no K × D copy per cue).
  Eigen::VectorXd m(num_patterns());
  auto overlaps = [&] {
    for (Index mu = 0; mu < m.size(); ++mu)
      m(mu) = xi_.row(mu).template cast<double>().dot(sigma.transpose());
  };
  overlaps();
  std::vector<double> energies;
  if (options.record_trace) energies.push_back(energy_of_overlaps(m));
  std::vector<Index> order(D);
  std::iota(order.begin(), order.end(), Index(0));
  Rng rng(seed);
  std::vector<int> wanted(D);
  steps = 0;
  converged = false;
  for (int sweep = 1; sweep <= options.max_sweeps; ++sweep) {
    bool changed = false;
    if (options.synchronous) {
      for (Index i = 0; i < D; ++i) {
        wanted[i] = preferred_sign(i, sigma(i), m);
        if (wanted[i] == 0 && sigma(i) == 0) wanted[i] = 1;  // an unknown unit takes +1 on a tie
      }
      for (Index i = 0; i < D; ++i)
        if (wanted[i] != 0 && wanted[i] != sigma(i)) {
          sigma(i) = wanted[i];
          changed = true;
        }
    } else {
      std::shuffle(order.begin(), order.end(), rng.engine());
      for (Index i : order) {
        const double old = sigma(i);
        int s = preferred_sign(i, old, m);
        if (s == 0 && old == 0) s = 1;  // a tie keeps σ_i; an unknown unit takes +1
        if (s != 0 && s != old) {
          sigma(i) = s;
          m += (s - old) * xi_t_.row(i).transpose().template cast<double>();
          changed = true;
        }
      }
    }
    if (!changed) {
      converged = true;
      break;
    }
    overlaps();  // exact again: no drift from the incremental updates
    steps = sweep;
    if (options.record_trace) energies.push_back(energy_of_overlaps(m));
  }
  return energies;
}

template <class T>
Retrieval<T> DenseAssociativeMemory<T>::recall(const MatCRef<T>& cues,
                                               const DenseRecallOptions& options) const {
  check_binary(cues, "recall");
  ENGRAM_CHECK(options.max_sweeps >= 0,
               "DenseAssociativeMemory::recall: max_sweeps must be >= 0, got {}",
               options.max_sweeps);
  const Index B = cues.rows();
  Retrieval<T> r;
  r.states.resize(B, dim());
  r.steps.assign(B, 0);
  r.converged.assign(B, false);
  std::vector<std::vector<double>> energies(B);
  for (Index b = 0; b < B; ++b) {
    Eigen::VectorXd sigma = cues.row(b).template cast<double>().transpose();
    int steps = 0;
    bool converged = false;
    energies[b] =
        recall_one(sigma, options, options.seed + 0x9E3779B97F4A7C15ULL * b, steps, converged);
    r.states.row(b) = sigma.transpose().template cast<T>();
    r.steps[b] = steps;
    r.converged[b] = converged;
    for (double e : energies[b])
      ENGRAM_CHECK(std::isfinite(e),
                   "DenseAssociativeMemory::recall: the energy of cue {} overflows ({}); recall "
                   "with record_trace = false, or use log_sum_exp",
                   b, interaction_.to_string());
  }
  if (options.record_trace) {
    const int rows = 1 + (B > 0 ? *std::max_element(r.steps.begin(), r.steps.end()) : 0);
    r.energy_trace.resize(rows, B);
    for (Index b = 0; b < B; ++b)
      for (int t = 0; t < rows; ++t)
        r.energy_trace(t, b) = energies[b][std::min<std::size_t>(t, energies[b].size() - 1)];
  }
  return r;
}

template <class T>
Mat<T> DenseAssociativeMemory<T>::update(const MatCRef<T>& states) const {
  check_binary(states, "update");
  DenseRecallOptions one;
  one.max_sweeps = 1;
  one.synchronous = true;
  one.record_trace = false;
  Mat<T> out(states.rows(), dim());
  for (Index b = 0; b < states.rows(); ++b) {
    Eigen::VectorXd sigma = states.row(b).template cast<double>().transpose();
    int steps = 0;
    bool converged = false;
    recall_one(sigma, one, 0, steps, converged);
    out.row(b) = sigma.transpose().template cast<T>();
  }
  return out;
}

template <class T>
EnergyGraph<T> DenseAssociativeMemory<T>::graph() const {
  EnergyGraph<T> g;
  g.add_layer("v", {dim()}, Tanh<T>(gain_))
      .add_synapse("memory", {"v"}, MemorySynapse<T>(xi_, interaction_));
  return g;
}

template <class T>
Retrieval<T> DenseAssociativeMemory<T>::relax_continuous(const MatCRef<T>& cues,
                                                         const RelaxOptions& options) const {
  ENGRAM_CHECK(cues.cols() == dim(),
               "DenseAssociativeMemory::relax_continuous: cues must have D = {} columns, got {}",
               dim(), cues.cols());
  check_finite(cues, "DenseAssociativeMemory::relax_continuous: cues");
  const EnergyGraph<T> g = graph();
  State<T> state = g.zeros(cues.rows());
  state["v"] = cues;

  Retrieval<T> r;
  r.steps.assign(cues.rows(), 0);
  Mat<T> previous = cues;  // a step counts for a sample when it moved it (see relax's holding)
  RelaxOptions o = options;
  o.on_step = [&](int step, const Energies& energy) {
    const Mat<T>& v = state["v"];
    for (Index b = 0; b < v.rows(); ++b)
      if (v.row(b) != previous.row(b)) {
        r.steps[b] = step;
        previous.row(b) = v.row(b);
      }
    if (options.on_step) options.on_step(step, energy);
  };
  const RelaxResult result = engram::relax(g, state, o);

  r.states = g.layer("v").lagrangian->activation(state["v"]);
  for (SampleStatus s : result.status) r.converged.push_back(s == SampleStatus::converged);
  r.energy_trace = result.trace;
  return r;
}

template <class T>
ModelFile<T> DenseAssociativeMemory<T>::to_file() const {
  ModelFile<T> f;
  f.kind = "dense_am";
  f.config = {{"F", Interaction::kind_name(interaction_.kind)},
              {"n", interaction_.n},
              {"beta", interaction_.beta},
              {"gain", gain_}};
  f.tensors.emplace("xi", xi_);
  return f;
}

template <class T>
DenseAssociativeMemory<T> DenseAssociativeMemory<T>::from_file(const ModelFile<T>& file) {
  const char* who = "DenseAssociativeMemory::from_file";
  ENGRAM_CHECK(file.kind == "dense_am", "{}: expected kind \"dense_am\", got \"{}\"", who,
               file.kind);
  ENGRAM_CHECK(file.config.is_object(), "{}: config must be a JSON object, got {}", who,
               file.config.dump());
  ENGRAM_CHECK(file.config.contains("F") && file.config["F"].is_string(),
               "{}: config needs a string \"F\" (the interaction kind), got {}", who,
               file.config.dump());
  for (const char* key : {"n", "beta", "gain"})
    ENGRAM_CHECK(file.config.contains(key) && file.config[key].is_number(),
                 "{}: config needs a number \"{}\", got {}", who, key, file.config.dump());
  detail::require_known_tensors(file, {"xi"}, "DenseAssociativeMemory::from_file");
  const auto xi = file.tensors.find("xi");
  ENGRAM_CHECK(xi != file.tensors.end(), "{}: missing tensor \"xi\"", who);
  Interaction f;
  f.kind = Interaction::kind_from_name(file.config["F"].template get<std::string>());
  f.n = file.config["n"].template get<double>();
  f.beta = file.config["beta"].template get<double>();
  return DenseAssociativeMemory(xi->second, f, file.config["gain"].template get<double>());
}

template class DenseAssociativeMemory<float>;
template class DenseAssociativeMemory<double>;

}  // namespace engram
