#include "engram/models/modern_hopfield.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engram/core/error.hpp"
#include "engram/neurons/identity.hpp"
#include "engram/synapses/memory.hpp"
#include "model_file_checks.hpp"

namespace engram {

template <class T>
ModernHopfield<T>::ModernHopfield(Mat<T> xi, double beta, Index block)
    : xi_(std::move(xi)), beta_(beta), block_(block) {
  ENGRAM_CHECK(xi_.rows() > 0 && xi_.cols() > 0,
               "ModernHopfield: xi must be non-empty (K x D), got {}x{}", xi_.rows(), xi_.cols());
  check_finite(xi_, "ModernHopfield: xi");
  check_positive(beta, "ModernHopfield: beta");
  ENGRAM_CHECK(block >= 1, "ModernHopfield: block must be >= 1, got {}", block);
}

template <class T>
void ModernHopfield<T>::check_states(const MatCRef<T>& states, const char* who) const {
  ENGRAM_CHECK(states.cols() == dim(),
               "ModernHopfield::{}: states must have D = {} columns, got {}", who, dim(),
               states.cols());
  check_finite(states, fmt::format("ModernHopfield::{}: states", who));
}

template <class T>
void ModernHopfield<T>::step(const MatCRef<T>& states, Energies* energy, MatRef<T> next,
                             Workspace& ws) const {
  const Index B = states.rows(), D = dim(), K = num_patterns();
  if (ws.acc.weighted.rows() != B || ws.acc.weighted.cols() != D) {
    ws.acc = LsePartial<T>::empty(B, D);
  } else {
    ws.acc.max.setConstant(-std::numeric_limits<T>::infinity());
    ws.acc.sum.setZero();
    ws.acc.weighted.setZero();
  }
  for (Index k0 = 0; k0 < K; k0 += block_)  // M-12: lse and softmax average over blocks of Ξ
    lse_accumulate<T>(ws.acc, xi_.middleRows(k0, std::min(block_, K - k0)), states, beta_,
                      ws.logits);
  lse_average<T>(ws.acc, next);
  if (energy) {
    // M-12: E = −β⁻¹ lse(βΞx) + ½xᵀx
    *energy = -lse_value<T>(ws.acc) / beta_;
    for (Index b = 0; b < B; ++b)
      (*energy)(b) += 0.5 * states.row(b).template cast<double>().squaredNorm();
  }
}

template <class T>
Energies ModernHopfield<T>::energy(const MatCRef<T>& states) const {
  check_states(states, "energy");
  Workspace ws;
  Energies e;
  Mat<T> next(states.rows(), dim());
  step(states, &e, next, ws);
  return e;
}

template <class T>
Mat<T> ModernHopfield<T>::update(const MatCRef<T>& states) const {
  check_states(states, "update");
  Workspace ws;
  Mat<T> next(states.rows(), dim());
  step(states, nullptr, next, ws);
  return next;
}

template <class T>
Mat<T> ModernHopfield<T>::attention(const MatCRef<T>& queries) const {
  check_states(queries, "attention");
  Mat<T> w = static_cast<T>(beta_) * (queries * xi_.transpose());  // B × K logits
  for (Index b = 0; b < w.rows(); ++b) {
    w.row(b) = (w.row(b).array() - w.row(b).maxCoeff()).exp().matrix();
    w.row(b) /= w.row(b).sum();
  }
  return w;
}

template <class T>
Retrieval<T> ModernHopfield<T>::retrieve(const MatCRef<T>& queries,
                                         const ModernRetrieveOptions& options) const {
  check_states(queries, "retrieve");
  ENGRAM_CHECK(options.max_steps >= 0, "ModernHopfield::retrieve: max_steps must be >= 0, got {}",
               options.max_steps);
  if (options.tolerance)
    ENGRAM_CHECK(std::isfinite(*options.tolerance) && *options.tolerance >= 0,
                 "ModernHopfield::retrieve: tolerance must be finite and >= 0, got {}",
                 *options.tolerance);
  const double tol =
      options.tolerance.value_or(std::sqrt(static_cast<double>(Eigen::NumTraits<T>::epsilon())));
  const Index B = queries.rows(), D = dim();

  Retrieval<T> r;
  r.states = queries;
  r.steps.assign(B, 0);
  r.converged.assign(B, false);

  // Only queries still moving are updated: x and next hold their rows, active[i] their index.
  std::vector<Index> active(B);
  std::iota(active.begin(), active.end(), Index(0));
  Mat<T> x = queries, next(B, D);
  Workspace ws;
  Energies e;
  const bool record = options.record_trace;
  step(x, record ? &e : nullptr, next, ws);
  std::vector<Energies> trace;
  if (record) trace.push_back(e);

  for (int t = 1; t <= options.max_steps && !active.empty(); ++t) {
    std::vector<Index> moving;  // positions in `active` that have not converged
    for (std::size_t i = 0; i < active.size(); ++i) {
      const Index row = static_cast<Index>(i);
      const double delta = static_cast<double>((next.row(row) - x.row(row)).cwiseAbs().maxCoeff());
      x.row(row) = next.row(row);
      r.steps[active[i]] = t;
      const double size = static_cast<double>(x.row(row).cwiseAbs().maxCoeff());
      if (delta <= tol * (1.0 + size)) {
        r.converged[active[i]] = true;
        r.states.row(active[i]) = x.row(row);
      } else {
        moving.push_back(row);
      }
    }
    if (record) {
      step(x, &e, next, ws);  // energies after update t, and update t + 1
      Energies row_energy = trace.back();
      for (std::size_t i = 0; i < active.size(); ++i)
        row_energy(active[i]) = e(static_cast<Index>(i));
      trace.push_back(std::move(row_energy));
    }

    if (moving.size() < active.size()) {  // drop converged rows (allocates only then)
      const Index n = static_cast<Index>(moving.size());
      Mat<T> x2(n, D), next2(n, D);
      std::vector<Index> active2(moving.size());
      for (Index i = 0; i < n; ++i) {
        x2.row(i) = x.row(moving[i]);
        next2.row(i) = next.row(moving[i]);
        active2[i] = active[moving[i]];
      }
      x = std::move(x2);
      next = std::move(next2);
      active = std::move(active2);
    }
    // Without a trace, only the rows still moving need update t + 1, and none after the last.
    if (!record && t < options.max_steps && !active.empty()) step(x, nullptr, next, ws);
  }
  for (std::size_t i = 0; i < active.size(); ++i)
    r.states.row(active[i]) = x.row(static_cast<Index>(i));

  r.energy_trace.resize(static_cast<Index>(trace.size()), B);
  for (std::size_t t = 0; t < trace.size(); ++t)
    r.energy_trace.row(static_cast<Index>(t)) = trace[t].transpose();
  return r;
}

template <class T>
EnergyGraph<T> ModernHopfield<T>::graph() const {
  EnergyGraph<T> g;
  g.add_layer("x", {dim()}, Identity<T>())
      .add_synapse("memory", {"x"}, MemorySynapse<T>(xi_, Interaction::log_sum_exp(beta_)));
  return g;
}

template <class T>
Retrieval<T> ModernHopfield<T>::retrieve_by_descent(const MatCRef<T>& queries,
                                                    const RelaxOptions& options) const {
  check_states(queries, "retrieve_by_descent");
  const EnergyGraph<T> g = graph();
  State<T> state = g.zeros(queries.rows());
  state["x"] = queries;

  Retrieval<T> r;
  r.steps.assign(queries.rows(), 0);
  // relax() holds converged queries and undoes rejected steps: a step counts for a query when it
  // moved it.
  Mat<T> previous = queries;
  RelaxOptions o = options;
  o.on_step = [&](int step, const Energies& energy) {
    const Mat<T>& x = state["x"];
    for (Index b = 0; b < x.rows(); ++b)
      if (x.row(b) != previous.row(b)) {
        r.steps[b] = step;
        previous.row(b) = x.row(b);
      }
    if (options.on_step) options.on_step(step, energy);
  };
  const RelaxResult result = engram::relax(g, state, o);

  r.states = state["x"];
  for (SampleStatus s : result.status) r.converged.push_back(s == SampleStatus::converged);
  r.energy_trace = result.trace;
  return r;
}

template <class T>
ModelFile<T> ModernHopfield<T>::to_file() const {
  ModelFile<T> f;
  f.kind = "modern_hopfield";
  f.config = {{"beta", beta_}};
  f.tensors.emplace("xi", xi_);
  return f;
}

template <class T>
ModernHopfield<T> ModernHopfield<T>::from_file(const ModelFile<T>& file) {
  ENGRAM_CHECK(file.kind == "modern_hopfield",
               "ModernHopfield::from_file: expected kind \"modern_hopfield\", got \"{}\"",
               file.kind);
  ENGRAM_CHECK(
      file.config.is_object() && file.config.contains("beta") && file.config["beta"].is_number(),
      "ModernHopfield::from_file: config needs a number \"beta\", got {}", file.config.dump());
  detail::require_known_tensors(file, {"xi"}, "ModernHopfield::from_file");
  const auto xi = file.tensors.find("xi");
  ENGRAM_CHECK(xi != file.tensors.end(), "ModernHopfield::from_file: missing tensor \"xi\"");
  return ModernHopfield(xi->second, file.config["beta"].template get<double>());
}

template class ModernHopfield<float>;
template class ModernHopfield<double>;

}  // namespace engram
