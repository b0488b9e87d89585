// engram simulate hh: the Hodgkin–Huxley neuron under a current step, or its f–I curve and
// rheobase (SPEC M-27, M-43).
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/analysis/hodgkin_huxley.hpp"
#include "engram/io/csv.hpp"
#include "gnuplot.hpp"

namespace engram::cli {

namespace {

struct HhArgs {
  std::optional<double> current;
  std::string fi;
  std::optional<double> ms;
  double onset = 0.0;
  std::optional<double> duration;
  double record_every = 0.025;
  int min_spikes = 3;
  std::string out = "out/simulate";
};

// A finite number in [lo, hi] (or (lo, hi] when open_low), checked before CLI11 converts it.
CLI::Validator finite_in(double lo, double hi, bool open_low = false) {
  const std::string range = fmt::format("{}{}, {}]", open_low ? "(" : "[", lo, hi);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double v = 0;
        try {
          v = finite_number(text, "value");
        } catch (const std::invalid_argument&) {
          return fmt::format("'{}' is not a finite number", text);
        }
        if (v < lo || v > hi || (open_low && v == lo))
          return fmt::format("{} is outside {}", text, range);
        return "";
      },
      "NUMBER in " + range);
}

// "0:20:1" (first:last:step) or "2,6.5,10": the currents of an f–I curve, µA/cm².
Eigen::VectorXd parse_currents(const std::string& text) {
  const std::string what = fmt::format("'{}'", text);
  std::vector<std::string> parts;
  const char sep = text.find(':') != std::string::npos ? ':' : ',';
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, sep);) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.emplace_back();
  std::vector<double> currents;
  if (sep == ':') {
    ENGRAM_CHECK(parts.size() == 3, "{}: expected first:last:step", what);
    const double first = finite_number(parts[0], what), last = finite_number(parts[1], what),
                 step = finite_number(parts[2], what);
    ENGRAM_CHECK(step > 0 && first <= last && (last - first) / step <= 200,
                 "{}: need step > 0, first <= last and at most 200 points", what);
    const auto count = std::llround(std::floor((last - first) / step + 1e-9));
    for (long long k = 0; k <= count; ++k)
      currents.push_back(first + static_cast<double>(k) * step);
  } else {
    for (const std::string& p : parts) currents.push_back(finite_number(p, what));
    ENGRAM_CHECK(currents.size() <= 200, "{}: at most 200 currents", what);
  }
  for (double I : currents)
    ENGRAM_CHECK(std::abs(I) <= 1000, "{}: currents must lie in [-1000, 1000] uA/cm2", what);
  return Eigen::Map<const Eigen::VectorXd>(currents.data(), static_cast<Index>(currents.size()));
}

nlohmann::json parameters_json(const HodgkinHuxley& hh) {
  const HodgkinHuxleyParameters& p = hh.parameters();
  return {{"C_uF_per_cm2", p.C},     {"g_na_mS_per_cm2", p.g_na}, {"g_k_mS_per_cm2", p.g_k},
          {"g_l_mS_per_cm2", p.g_l}, {"e_na_mV", p.e_na},         {"e_k_mV", p.e_k},
          {"e_l_mV", p.e_l}};
}

void run_trace(const HhArgs& a, const HodgkinHuxley& hh, const std::filesystem::path& out) {
  const double ms = a.ms.value_or(200.0);
  const Current current = Current::step(
      *a.current, a.onset, a.duration.value_or(std::numeric_limits<double>::infinity()));
  const double rest = hh.resting_state()(0);
  const Trajectory tr = simulate(hh, current, ms, std::min(a.record_every, ms));
  ENGRAM_CHECK(tr.status == "finished", "the integration did not finish ({})", tr.status);
  const std::vector<Spike> spikes = detect_spikes(tr.x.col(0), tr.t);
  // Steady-state rate: the second half of the time the step is on within the run.
  const double on_end = std::min(ms, current.onset + current.duration);
  const double from = current.onset + 0.5 * std::max(0.0, on_end - current.onset);
  const double rate = firing_rate(spikes, from, on_end);

  Eigen::MatrixXd table(tr.t.size(), 5);
  table << tr.t, tr.x;
  write_csv(out / "trace.csv", {"t_ms", "V_mV", "m", "h", "n"}, table);
  Eigen::MatrixXd spike_table(static_cast<Index>(spikes.size()), 3);
  nlohmann::json times = nlohmann::json::array();
  for (std::size_t k = 0; k < spikes.size(); ++k) {
    spike_table.row(static_cast<Index>(k)) << spikes[k].time, spikes[k].peak_time, spikes[k].peak;
    times.push_back(spikes[k].time);
  }
  write_csv(out / "spikes.csv", {"time_ms", "peak_time_ms", "peak_mV"}, spike_table);
  write_json(out / "summary.json",
             {{"model", "hodgkin_huxley"},
              {"current",
               {{"amplitude_uA_per_cm2", current.amplitude},
                {"onset_ms", current.onset},
                {"duration_ms", number_or_null(current.duration)}}},
              {"ms", ms},
              {"record_every_ms", std::min(a.record_every, ms)},
              {"resting_potential_mV", rest},
              {"spikes", spikes.size()},
              {"spike_times_ms", times},
              {"firing_rate_hz", rate},
              {"firing_rate_window_ms", {from, on_end}},
              {"firing_rate_rule", "1000 (k - 1) / (t_k - t_1) over the k spikes in the window"},
              {"integrator", "dopri5, abs_tol 1e-9, rel_tol 1e-9"},
              {"steps", tr.steps},
              {"parameters", parameters_json(hh)}});
  LinePlot plot;
  plot.csv = out / "trace.csv";
  plot.png = out / "voltage.png";
  plot.title =
      fmt::format("Hodgkin-Huxley neuron, I = {} uA/cm2 from {} ms{}", current.amplitude,
                  current.onset, a.duration ? fmt::format(" for {} ms", current.duration) : "");
  plot.xlabel = "t (ms)";
  plot.ylabel = "V (mV)";
  plot.curves = {{1, 2, "membrane potential V"}};
  plot.points = false;
  const std::string plot_problem = draw_line_plot(plot);

  fmt::print("Hodgkin-Huxley neuron: resting potential {:.3f} mV\n", rest);
  fmt::print("I = {} uA/cm2 from {} ms{}, {} ms simulated\n", current.amplitude, current.onset,
             a.duration ? fmt::format(" for {} ms", current.duration) : "", ms);
  fmt::print("spikes: {}, firing rate {:.2f} Hz (spikes in [{:.1f}, {:.1f}] ms)\n", spikes.size(),
             rate, from, on_end);
  fmt::print("wrote {}/trace.csv, spikes.csv, summary.json{}\n", out.string(),
             plot_problem.empty() ? ", voltage.png" : "");
  if (!plot_problem.empty()) fmt::print("no voltage plot: {}\n", plot_problem);
}

void run_fi(const HhArgs& a, const HodgkinHuxley& hh, const std::filesystem::path& out) {
  const Eigen::VectorXd currents = parse_currents(a.fi);
  FiringOptions o;
  o.t_ms = a.ms.value_or(500.0);
  o.record_every = std::min(0.05, o.t_ms);
  o.min_spikes = a.min_spikes;
  const FiCurve fi = fi_curve(hh, currents, o);
  // Bracket the rheobase between the last grid current below the first repetitive one and that
  // one, then bisect.
  Rheobase r;
  for (Index i = 1; i < currents.size(); ++i)
    if (fi.spikes[std::size_t(i)] >= o.min_spikes && fi.spikes[std::size_t(i - 1)] < o.min_spikes &&
        currents(i - 1) < currents(i)) {
      r = rheobase(hh, currents(i - 1), currents(i), o);
      break;
    }

  Eigen::MatrixXd table(currents.size(), 3);
  for (Index i = 0; i < currents.size(); ++i)
    table.row(i) << currents(i), fi.rate(i), fi.spikes[std::size_t(i)];
  write_csv(out / "fi.csv", {"current_uA_per_cm2", "rate_hz", "spikes_second_half"}, table);
  write_json(out / "summary.json",
             {{"model", "hodgkin_huxley"},
              {"ms_per_current", o.t_ms},
              {"rate_rule", "1000 (k - 1) / (t_k - t_1) over the k spikes in the second half"},
              {"min_spikes", o.min_spikes},
              {"currents_uA_per_cm2", std::vector<double>(currents.begin(), currents.end())},
              {"rates_hz", std::vector<double>(fi.rate.begin(), fi.rate.end())},
              {"rheobase_uA_per_cm2", r.found ? nlohmann::json(r.current) : nullptr},
              {"rheobase_precision", r.found ? nlohmann::json(r.precision) : nullptr},
              {"rheobase_rule",
               "smallest constant current from rest with at least min_spikes spikes in the second "
               "half of the run, by bisection between grid points"},
              {"resting_potential_mV", hh.resting_state()(0)},
              {"parameters", parameters_json(hh)}});
  LinePlot plot;
  plot.csv = out / "fi.csv";
  plot.png = out / "fi.png";
  plot.title =
      fmt::format("Hodgkin-Huxley f-I curve ({} ms per current, rate over the 2nd half)", o.t_ms);
  plot.xlabel = "I (uA/cm2)";
  plot.ylabel = "firing rate (Hz)";
  plot.curves = {{1, 2, "firing rate"}};
  if (r.found) {
    plot.marker_x = r.current;
    plot.marker_label = fmt::format("rheobase {:.3f}", r.current);
  }
  const std::string plot_problem = draw_line_plot(plot);

  fmt::print("Hodgkin-Huxley f-I curve, {} ms per current from rest\n", o.t_ms);
  fmt::print("  {:>10} {:>10} {:>8}\n", "I", "rate (Hz)", "spikes");
  for (Index i = 0; i < currents.size(); ++i)
    fmt::print("  {:>10.3f} {:>10.2f} {:>8}\n", currents(i), fi.rate(i), fi.spikes[std::size_t(i)]);
  if (r.found)
    fmt::print(
        "rheobase: {:.4f} uA/cm2 (+- {:.1e}, repetitive firing = at least {} spikes in the "
        "second half)\n",
        r.current, r.precision, o.min_spikes);
  else
    fmt::print("rheobase: not bracketed by the grid (no step from quiet to repetitive firing)\n");
  fmt::print("wrote {}/fi.csv, summary.json{}\n", out.string(),
             plot_problem.empty() ? ", fi.png" : "");
  if (!plot_problem.empty()) fmt::print("no f-I plot: {}\n", plot_problem);
}

void run(const HhArgs& a) {
  ENGRAM_CHECK(a.current.has_value() != !a.fi.empty(),
               "give either --current I (one run) or --fi first:last:step (an f-I curve)");
  ENGRAM_CHECK(a.fi.empty() || (a.onset == 0 && !a.duration),
               "--onset and --duration apply to --current runs, not to --fi");
  const HodgkinHuxley hh;
  const std::filesystem::path out = a.out;
  if (a.current)
    run_trace(a, hh, out);
  else
    run_fi(a, hh, out);
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("simulate", "Simulate a neuron model: hh (Hodgkin-Huxley).");
  cmd->require_subcommand(1);
  auto args = std::make_shared<HhArgs>();
  CLI::App* hh = cmd->add_subcommand(
      "hh",
      "Hodgkin-Huxley neuron (standard squid-axon parameters, rest -65 mV) under a current step "
      "(--current), or its f-I curve and rheobase (--fi).");
  hh->add_option("--current", args->current, "Injected current, uA/cm2")
      ->check(finite_in(-1000, 1000));
  hh->add_option("--fi", args->fi, "f-I curve over currents first:last:step or a comma list")
      ->check(parsed_by("CURRENTS", [](const std::string& s) { parse_currents(s); }));
  hh->add_option("--ms", args->ms, "Simulated time, ms (default 200; with --fi, 500 per current)")
      ->check(finite_in(0, 20000, true));
  hh->add_option("--onset", args->onset, "Start of the current step, ms")
      ->check(finite_in(0, 20000))
      ->capture_default_str();
  hh->add_option("--duration", args->duration,
                 "Length of the current step, ms (default: to the end)")
      ->check(finite_in(0, 1e9));
  hh->add_option("--record-every", args->record_every, "Sampling of the trace, ms")
      ->check(finite_in(0, 10, true))
      ->capture_default_str();
  hh->add_option("--min-spikes", args->min_spikes,
                 "Repetitive firing: at least this many spikes in the second half of a run")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  hh->add_option("--out", args->out, "Output folder")->capture_default_str();
  hh->callback([args] { run(*args); });
}

}  // namespace engram::cli
