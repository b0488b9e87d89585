// Runs of the Hodgkin–Huxley neuron (SPEC M-27): simulation under a step current, spikes, firing
// rate, f–I curve and rheobase.
#include <algorithm>
#include <cmath>
#include <vector>

#include "engram/analysis/hodgkin_huxley.hpp"
#include "engram/core/error.hpp"

namespace engram {

double Current::at(double t) const {
  return (t >= onset && t - onset < duration) ? amplitude : 0.0;
}

void Current::check(const std::string& what) const {
  ENGRAM_CHECK(std::isfinite(amplitude), "{}: amplitude must be finite, got {}", what, amplitude);
  ENGRAM_CHECK(std::isfinite(onset) && onset >= 0, "{}: onset must be >= 0, got {}", what, onset);
  ENGRAM_CHECK(!std::isnan(duration) && duration >= 0, "{}: duration must be >= 0, got {}", what,
               duration);
}

namespace {

// Appends `tr` (times shifted by t0) to the record, skipping a first point that repeats the
// record's last time.
void append(std::vector<double>& t, std::vector<Eigen::VectorXd>& x, const Trajectory& tr,
            double t0, double same) {
  for (Index k = 0; k < tr.t.size(); ++k) {
    const double time = t0 + tr.t(k);
    if (!t.empty() && time <= t.back() + same) continue;
    t.push_back(time);
    x.push_back(tr.x.row(k).transpose());
  }
}

}  // namespace

Trajectory simulate(const HodgkinHuxley& hh, const Current& current, double t_ms,
                    double record_every, const SimulateOptions& options) {
  current.check("simulate: current");
  ENGRAM_CHECK(std::isfinite(t_ms) && t_ms > 0, "simulate: t_ms must be positive, got {}", t_ms);
  ENGRAM_CHECK(std::isfinite(record_every) && record_every > 0 && record_every <= t_ms,
               "simulate: record_every must be in (0, t_ms = {}], got {}", t_ms, record_every);
  ENGRAM_CHECK(options.method == Integrator::dopri5 || options.method == Integrator::rosenbrock,
               "simulate: method must be dopri5 or rosenbrock (adaptive), got {}",
               to_string(options.method));
  Eigen::VectorXd x = options.x0;
  if (x.size() == 0) {
    const std::vector<Eigen::VectorXd> states = hh.steady_states(hh.current());
    ENGRAM_CHECK(!states.empty(), "simulate: no steady state at I = {} to start from; give x0",
                 hh.current());
    x = states.front();
  }
  hh.check_state(x, "simulate: x0");

  // The current is constant between these times; each piece is one integrate() call.
  std::vector<double> cuts = {0.0, t_ms};
  for (double c : {current.onset, current.onset + current.duration})
    if (c > 0 && c < t_ms) cuts.push_back(c);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  IntegrateOptions o;
  o.method = options.method;
  o.abs_tol = options.abs_tol;
  o.rel_tol = options.rel_tol;
  o.dt = std::min(record_every, 1e-2);
  const double same = 1e-9 * record_every;
  std::vector<double> times;
  std::vector<Eigen::VectorXd> states;
  Trajectory out;
  out.status = "finished";
  for (std::size_t s = 0; s + 1 < cuts.size() && out.status == "finished"; ++s) {
    const double a = cuts[s], b = cuts[s + 1];
    const HodgkinHuxley field = hh.with_current(hh.current() + current.at(0.5 * (a + b)));
    o.record_every = std::min(record_every, b - a);
    const Trajectory piece = integrate(field, x, b - a, o);
    append(times, states, piece, a, same);
    out.steps += piece.steps;
    out.status = piece.status;
    x = piece.final_state();
    // The record grid need not end on b: carry on from the last sample to b exactly.
    const double rest = (b - a) - piece.t(piece.t.size() - 1);
    if (out.status == "finished" && rest > same) {
      IntegrateOptions top = o;
      top.record_every = 0;
      top.dt = rest;
      const Trajectory tail = integrate(field, x, rest, top);
      out.steps += tail.steps;
      out.status = tail.status;
      x = tail.final_state();
      if (b == t_ms) {  // the run's last point is always recorded
        times.push_back(t_ms);
        states.push_back(x);
      }
    }
  }
  const Index T = static_cast<Index>(times.size());
  out.t = Eigen::Map<const Eigen::VectorXd>(times.data(), T);
  out.x.resize(T, 4);
  for (Index k = 0; k < T; ++k) out.x.row(k) = states[static_cast<std::size_t>(k)].transpose();
  return out;
}

std::vector<Spike> detect_spikes(const Eigen::VectorXd& V, const Eigen::VectorXd& t,
                                 double threshold) {
  ENGRAM_CHECK(V.size() == t.size(), "detect_spikes: V has {} samples but t has {}", V.size(),
               t.size());
  ENGRAM_CHECK(std::isfinite(threshold), "detect_spikes: threshold must be finite, got {}",
               threshold);
  check_finite(V, "detect_spikes: V");
  check_finite(t, "detect_spikes: t");
  for (Index k = 1; k < t.size(); ++k)
    ENGRAM_CHECK(t(k) > t(k - 1), "detect_spikes: t must increase, but t[{}] = {} after {}", k,
                 t(k), t(k - 1));
  std::vector<Spike> spikes;
  bool above = V.size() > 0 && V(0) >= threshold;
  bool tracking = false;  // inside the excursion that began with the last crossing
  for (Index k = 1; k < V.size(); ++k) {
    const bool now = V(k) >= threshold;
    if (!above && now) {
      // The crossing, linearly interpolated between samples k − 1 and k.
      const double w = (threshold - V(k - 1)) / (V(k) - V(k - 1));
      spikes.push_back({t(k - 1) + w * (t(k) - t(k - 1)), t(k), V(k)});
      tracking = true;
    } else if (now && tracking && V(k) > spikes.back().peak) {
      spikes.back().peak = V(k);
      spikes.back().peak_time = t(k);
    }
    tracking = tracking && now;
    above = now;
  }
  return spikes;
}

double firing_rate(const std::vector<Spike>& spikes, double from, double to) {
  ENGRAM_CHECK(std::isfinite(from) && std::isfinite(to) && from <= to,
               "firing_rate: need finite from <= to, got [{}, {}]", from, to);
  double first = 0, last = 0;
  int k = 0;
  for (const Spike& s : spikes) {
    if (s.time < from || s.time > to) continue;
    if (k++ == 0) first = s.time;
    last = s.time;
  }
  return k >= 2 ? 1000.0 * (k - 1) / (last - first) : 0.0;
}

namespace {

void check(const FiringOptions& o, const char* what) {
  ENGRAM_CHECK(std::isfinite(o.t_ms) && o.t_ms > 0, "{}: t_ms must be positive, got {}", what,
               o.t_ms);
  ENGRAM_CHECK(o.min_spikes >= 1, "{}: min_spikes must be at least 1, got {}", what, o.min_spikes);
  ENGRAM_CHECK(std::isfinite(o.precision) && o.precision > 0,
               "{}: precision must be positive, got {}", what, o.precision);
}

// Spikes and rate in the second half of a run at constant current I (the first half lets the
// transient from the start state die out).
struct Firing {
  int spikes = 0;
  double rate = 0.0;
};

Firing run_at(const HodgkinHuxley& hh, double I, const FiringOptions& o) {
  const Trajectory tr = simulate(hh, Current::constant(I), o.t_ms, o.record_every, o.simulate);
  ENGRAM_CHECK(tr.status == "finished", "the run at I = {} did not finish ({})", I, tr.status);
  const std::vector<Spike> spikes = detect_spikes(tr.x.col(0), tr.t);
  const double half = 0.5 * o.t_ms;
  Firing f;
  for (const Spike& s : spikes) f.spikes += s.time >= half;
  f.rate = firing_rate(spikes, half, o.t_ms);
  return f;
}

}  // namespace

FiCurve fi_curve(const HodgkinHuxley& hh, const Eigen::VectorXd& currents,
                 const FiringOptions& options) {
  check(options, "fi_curve");
  check_finite(currents, "fi_curve: currents");
  FiCurve out;
  out.current = currents;
  out.rate.resize(currents.size());
  for (Index i = 0; i < currents.size(); ++i) {
    const Firing f = run_at(hh, currents(i), options);
    out.rate(i) = f.rate;
    out.spikes.push_back(f.spikes);
  }
  return out;
}

Rheobase rheobase(const HodgkinHuxley& hh, double lo, double hi, const FiringOptions& options) {
  check(options, "rheobase");
  ENGRAM_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo < hi,
               "rheobase: need finite lo < hi, got [{}, {}]", lo, hi);
  Rheobase r;
  auto repetitive = [&](double I) {
    ++r.runs;
    return run_at(hh, I, options).spikes >= options.min_spikes;
  };
  r.lower = lo;
  r.upper = hi;
  r.precision = hi - lo;
  if (repetitive(lo) || !repetitive(hi)) return r;
  // Bisection on "at least min_spikes spikes in the second half": lower never fires, upper does.
  while (r.upper - r.lower > options.precision) {
    const double mid = 0.5 * (r.lower + r.upper);
    (repetitive(mid) ? r.upper : r.lower) = mid;
  }
  r.precision = r.upper - r.lower;
  r.current = r.upper;
  r.found = true;
  return r;
}

}  // namespace engram
