// Langevin and annealed Langevin (SPEC M-34), for callables and for energy graphs.
#include "engram/sampling/langevin.hpp"

#include <cmath>

#include "engram/core/error.hpp"

namespace engram {

namespace {

void check_options(const LangevinOptions& o) {
  ENGRAM_CHECK(std::isfinite(o.step_size) && o.step_size > 0,
               "langevin: step_size must be finite and > 0, got {}", o.step_size);
  ENGRAM_CHECK(o.burn_in >= 0, "langevin: burn_in must be >= 0, got {}", o.burn_in);
  ENGRAM_CHECK(o.thin >= 1, "langevin: thin must be >= 1, got {}", o.thin);
  ENGRAM_CHECK(!std::isnan(o.lo) && !std::isnan(o.hi) && o.lo < o.hi,
               "langevin: the box needs lo < hi, got [{}, {}]", o.lo, o.hi);
  ENGRAM_CHECK(!o.metropolis || (std::isinf(o.lo) && std::isinf(o.hi)),
               "langevin: metropolis (MALA) cannot be combined with a box [lo, hi]");
}

void check_temperature(double t, bool metropolis) {
  ENGRAM_CHECK(std::isfinite(t) && t >= 0, "langevin: temperature must be finite and >= 0, got {}",
               t);
  ENGRAM_CHECK(!metropolis || t > 0, "langevin: metropolis (MALA) needs temperature > 0, got {}",
               t);
}

/// One chain state: x, E(x), ∇E(x), and the counters shared across the stages of an annealing.
template <class T>
struct Chain {
  Mat<T> x, grad, proposal, proposal_grad;
  Energies energy;
  long accepted = 0, proposed = 0;
  int steps = 0, since_record = 0;
};

template <class T>
void evaluate(const EnergyFunction<T>& f, const Mat<T>& x, Mat<T>& grad, Energies& energy,
              int step) {
  energy = f(x, grad);
  ENGRAM_CHECK(energy.size() == x.rows(), "langevin: the energy returned {} values for {} samples",
               energy.size(), x.rows());
  ENGRAM_CHECK(energy.allFinite() && grad.allFinite(),
               "langevin: energy or gradient is NaN/Inf at step {} (step size too large?)", step);
}

/// Runs `steps` steps at temperature `t`; records after `skip` steps of them (burn-in).
template <class T>
void run_stage(const EnergyFunction<T>& f, Chain<T>& c, double t, int steps, int skip,
               const LangevinOptions& o, Rng& rng, LangevinResult<T>& out) {
  check_temperature(t, o.metropolis);
  const double eps = o.step_size;
  const double noise = std::sqrt(2.0 * t * eps);
  const Index B = c.x.rows(), D = c.x.cols();
  std::normal_distribution<double> normal;
  for (int k = 0; k < steps; ++k) {
    ++c.steps;
    c.proposal = c.x - static_cast<T>(eps) * c.grad;
    if (noise > 0)
      for (Index i = 0; i < c.proposal.size(); ++i)
        c.proposal.data()[i] += static_cast<T>(noise * normal(rng.engine()));
    if (!o.metropolis) {
      if (std::isfinite(o.lo) || std::isfinite(o.hi))
        c.proposal = c.proposal.cwiseMax(static_cast<T>(std::max(o.lo, -1e300)))
                         .cwiseMin(static_cast<T>(std::min(o.hi, 1e300)));
      c.x.swap(c.proposal);
      evaluate(f, c.x, c.grad, c.energy, c.steps);
    } else {
      // MALA: q(y|x) = N(x − ε∇E(x), 2Tε I); accept with min(1, p(y)q(x|y) / p(x)q(y|x)).
      Energies ey;
      c.proposal_grad.resize(B, D);
      evaluate(f, c.proposal, c.proposal_grad, ey, c.steps);
      for (Index b = 0; b < B; ++b) {
        const auto x = c.x.row(b).template cast<double>();
        const auto y = c.proposal.row(b).template cast<double>();
        const double fwd = (y - x + eps * c.grad.row(b).template cast<double>()).squaredNorm();
        const double bwd =
            (x - y + eps * c.proposal_grad.row(b).template cast<double>()).squaredNorm();
        const double log_a = -(ey(b) - c.energy(b)) / t - (bwd - fwd) / (4.0 * t * eps);
        ++c.proposed;
        if (std::log(rng.real(0.0, 1.0)) < log_a) {
          ++c.accepted;
          c.x.row(b) = c.proposal.row(b);
          c.grad.row(b) = c.proposal_grad.row(b);
          c.energy(b) = ey(b);
        }
      }
    }
    if (k < skip) continue;
    if (++c.since_record == o.thin) {
      c.since_record = 0;
      if (o.record) {
        out.samples.push_back(c.x);
        out.temperatures.push_back(t);
      }
    }
  }
}

template <class T>
Chain<T> start(const EnergyFunction<T>& f, const MatCRef<T>& x0) {
  ENGRAM_CHECK(x0.rows() > 0 && x0.cols() > 0, "langevin: x0 is empty ({}x{})", x0.rows(),
               x0.cols());
  check_finite(x0, "langevin: x0");
  Chain<T> c;
  c.x = x0;
  c.grad.resize(x0.rows(), x0.cols());
  evaluate(f, c.x, c.grad, c.energy, 0);
  return c;
}

template <class T>
void close(Chain<T>& c, LangevinResult<T>& out) {
  out.x = std::move(c.x);
  out.energy = std::move(c.energy);
  out.steps = c.steps;
  out.acceptance = c.proposed > 0 ? static_cast<double>(c.accepted) / c.proposed : 1.0;
}

}  // namespace

template <class T>
LangevinResult<T> langevin(const EnergyFunction<T>& energy,
                           const std::type_identity_t<MatCRef<T>>& x0,
                           const LangevinOptions& options, Rng& rng) {
  check_options(options);
  ENGRAM_CHECK(options.steps >= 0, "langevin: steps must be >= 0, got {}", options.steps);
  check_temperature(options.temperature, options.metropolis);
  Chain<T> c = start(energy, x0);
  LangevinResult<T> out;
  run_stage(energy, c, options.temperature, options.burn_in + options.steps, options.burn_in,
            options, rng, out);
  close(c, out);
  return out;
}

template <class T>
LangevinResult<T> annealed_langevin(const EnergyFunction<T>& energy,
                                    const std::type_identity_t<MatCRef<T>>& x0,
                                    const AnnealSchedule& schedule, const LangevinOptions& options,
                                    Rng& rng) {
  check_options(options);
  ENGRAM_CHECK(
      !schedule.temperatures.empty() && schedule.temperatures.size() == schedule.steps.size(),
      "annealed_langevin: schedule needs as many step counts as temperatures (>= 1), got "
      "{} and {}",
      schedule.temperatures.size(), schedule.steps.size());
  for (std::size_t k = 0; k < schedule.steps.size(); ++k) {
    check_temperature(schedule.temperatures[k], options.metropolis);
    ENGRAM_CHECK(schedule.steps[k] >= 0, "annealed_langevin: stage {} has {} steps", k,
                 schedule.steps[k]);
  }
  Chain<T> c = start(energy, x0);
  LangevinResult<T> out;
  run_stage(energy, c, schedule.temperatures.front(), options.burn_in, options.burn_in, options,
            rng, out);
  for (std::size_t k = 0; k < schedule.steps.size(); ++k)
    run_stage(energy, c, schedule.temperatures[k], schedule.steps[k], 0, options, rng, out);
  close(c, out);
  return out;
}

AnnealSchedule geometric_schedule(double t0, double t1, int stages, int steps_per_stage) {
  ENGRAM_CHECK(std::isfinite(t0) && t0 > 0 && std::isfinite(t1) && t1 > 0,
               "geometric_schedule: temperatures must be finite and > 0, got {} and {}", t0, t1);
  ENGRAM_CHECK(stages >= 1, "geometric_schedule: stages must be >= 1, got {}", stages);
  ENGRAM_CHECK(steps_per_stage >= 0, "geometric_schedule: steps_per_stage must be >= 0, got {}",
               steps_per_stage);
  AnnealSchedule s;
  for (int k = 0; k < stages; ++k) {
    const double f = stages == 1 ? 1.0 : static_cast<double>(k) / (stages - 1);
    s.temperatures.push_back(k == stages - 1 ? t1 : t0 * std::pow(t1 / t0, f));
    s.steps.push_back(steps_per_stage);
  }
  return s;
}

AnnealSchedule linear_schedule(double t0, double t1, int stages, int steps_per_stage) {
  ENGRAM_CHECK(std::isfinite(t0) && t0 >= 0 && std::isfinite(t1) && t1 >= 0,
               "linear_schedule: temperatures must be finite and >= 0, got {} and {}", t0, t1);
  ENGRAM_CHECK(stages >= 1, "linear_schedule: stages must be >= 1, got {}", stages);
  ENGRAM_CHECK(steps_per_stage >= 0, "linear_schedule: steps_per_stage must be >= 0, got {}",
               steps_per_stage);
  AnnealSchedule s;
  for (int k = 0; k < stages; ++k) {
    const double f = stages == 1 ? 1.0 : static_cast<double>(k) / (stages - 1);
    s.temperatures.push_back(k == stages - 1 ? t1 : t0 + (t1 - t0) * f);
    s.steps.push_back(steps_per_stage);
  }
  return s;
}

#define ENGRAM_INSTANTIATE(T)                                                                 \
  template LangevinResult<T> langevin(const EnergyFunction<T>&, const MatCRef<T>&,            \
                                      const LangevinOptions&, Rng&);                          \
  template LangevinResult<T> annealed_langevin(const EnergyFunction<T>&, const MatCRef<T>&,   \
                                               const AnnealSchedule&, const LangevinOptions&, \
                                               Rng&);
ENGRAM_INSTANTIATE(float)
ENGRAM_INSTANTIATE(double)
#undef ENGRAM_INSTANTIATE

}  // namespace engram
