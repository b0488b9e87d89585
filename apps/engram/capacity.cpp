// engram capacity: retrieval error against load P/N, and the critical load (SPEC M-16).
#include <cmath>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/experiments/capacity.hpp"
#include "engram/io/csv.hpp"
#include "engram/synapses/memory.hpp"
#include "gnuplot.hpp"
#include "progress.hpp"

namespace engram::cli {

namespace {

struct CapacityArgs {
  std::string model;
  Index n = 200;
  int trials = 10;
  std::string loads;
  double flip = 0.0;
  double tolerance = 0.015;
  std::uint64_t seed = 1;
  std::optional<double> beta;
  std::string interaction;
  std::string mode = "async";
  std::string out = "out/capacity";
};

// "0.02:0.3:0.01" (first:last:step) or "0.05,0.1,0.2".
std::vector<double> parse_loads(const std::string& text) {
  std::vector<double> loads;
  auto number = [&text](const std::string& s) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    ENGRAM_CHECK(used == s.size() && std::isfinite(v) && v > 0,
                 "--loads '{}': '{}' is not a positive number", text, s);
    return v;
  };
  std::vector<std::string> parts;
  const char sep = text.find(':') != std::string::npos ? ':' : ',';
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, sep);) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.emplace_back();  // a trailing separator
  if (sep == ':') {
    ENGRAM_CHECK(parts.size() == 3, "--loads '{}': expected first:last:step", text);
    const double first = number(parts[0]), last = number(parts[1]), step = number(parts[2]);
    ENGRAM_CHECK(first <= last && (last - first) / step <= 10000,
                 "--loads '{}': need first <= last and at most 10,000 points", text);
    const auto count = std::llround(std::floor((last - first) / step + 1e-9));
    for (long long k = 0; k <= count; ++k) loads.push_back(first + static_cast<double>(k) * step);
  } else {
    for (const std::string& p : parts) loads.push_back(number(p));
  }
  ENGRAM_CHECK(!loads.empty(), "--loads '{}': no loads given", text);
  return loads;
}

nlohmann::json to_json(const CapacityReport& r) {
  nlohmann::json points = nlohmann::json::array();
  for (const CapacityPoint& p : r.points)
    points.push_back({{"load", p.load},
                      {"patterns", p.patterns},
                      {"bit_error_rate", p.bit_error_rate},
                      {"bit_error_stderr", number_or_null(p.bit_error_stderr)},
                      {"failure_rate", p.failure_rate},
                      {"mean_steps", p.mean_steps}});
  const CapacityConfig& c = r.config;
  return {{"model", to_string(c.model)},
          {"model_description", r.model_description},
          {"n", c.n},
          {"trials", c.trials},
          {"flip", c.flip},
          {"tolerance", c.tolerance},
          {"seed", c.seed},
          {"critical_load", r.critical_load ? nlohmann::json(*r.critical_load) : nullptr},
          {"critical_note", r.critical_note},
          {"critical_load_rule",
           "first load where the mean final bit error exceeds the tolerance, linearly "
           "interpolated between grid points"},
          {"seconds", r.seconds},
          {"points", points}};
}

void run(const CapacityArgs& a) {
  CapacityConfig config;
  config.model = parse_model_family(a.model);
  config.n = a.n;
  config.trials = a.trials;
  if (!a.loads.empty()) config.loads = parse_loads(a.loads);
  config.flip = a.flip;
  config.tolerance = a.tolerance;
  config.seed = a.seed;
  config.beta = a.beta;
  config.interaction = a.interaction;
  config.mode = a.mode;
  // The bar is made at the first report, when the total (loads × trials) is known.
  std::unique_ptr<ProgressBar> sized;
  config.on_progress = [&sized](Index done, Index total) {
    if (!sized) sized = std::make_unique<ProgressBar>("capacity", total);
    sized->update(done);
  };

  const CapacityReport r = run_capacity(config);
  if (sized) sized->finish();

  const std::filesystem::path out = a.out;
  Eigen::MatrixXd table(static_cast<Index>(r.points.size()), 6);
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const CapacityPoint& p = r.points[i];
    table.row(static_cast<Index>(i)) << p.load, static_cast<double>(p.patterns), p.bit_error_rate,
        p.bit_error_stderr, p.failure_rate, p.mean_steps;
  }
  write_csv(
      out / "capacity.csv",
      {"load", "patterns", "bit_error_rate", "bit_error_stderr", "failure_rate", "mean_steps"},
      table);
  write_json(out / "capacity.json", to_json(r));
  LinePlot plot;
  plot.csv = out / "capacity.csv";
  plot.png = out / "capacity.png";
  plot.title = fmt::format("{}, N = {}, {} trials", r.model_description, a.n, a.trials);
  plot.xlabel = "load P/N";
  plot.ylabel = "fraction of bits / of patterns";
  plot.curves = {{1, 3, "bit error rate"}, {1, 5, "failure rate"}};
  if (r.critical_load) {
    plot.marker_x = *r.critical_load;
    plot.marker_label = fmt::format("critical load {:.3f}", *r.critical_load);
  }
  const std::string plot_problem = draw_line_plot(plot);

  fmt::print("{}: N = {}, {} trials per load, cue flips {}\n", r.model_description, a.n, a.trials,
             a.flip);
  fmt::print("  {:>8} {:>9} {:>15} {:>13} {:>11}\n", "load", "patterns", "bit error rate",
             "failure rate", "mean steps");
  for (const CapacityPoint& p : r.points)
    fmt::print("  {:>8.4f} {:>9} {:>15.5f} {:>13.4f} {:>11.2f}\n", p.load, p.patterns,
               p.bit_error_rate, p.failure_rate, p.mean_steps);
  if (r.critical_load)
    fmt::print("critical load: {:.4f} (bit error first above {:.1f}%)\n", *r.critical_load,
               100 * a.tolerance);
  else
    fmt::print("critical load: none ({})\n", r.critical_note);
  fmt::print("wrote {}/capacity.csv, capacity.json{} ({:.1f} s)\n", out.string(),
             plot_problem.empty() ? ", capacity.png" : "", r.seconds);
  if (!plot_problem.empty()) fmt::print("no capacity plot: {}\n", plot_problem);
}

}  // namespace

void add_capacity_command(CLI::App& app) {
  auto args = std::make_shared<CapacityArgs>();
  CLI::App* cmd = app.add_subcommand(
      "capacity", "Bit error and retrieval failure against load P/N; the critical load.");
  cmd->add_option("--model", args->model, "Model family")
      ->required()
      ->check(CLI::IsMember({"classical", "dam", "modern"}));
  cmd->add_option("--n", args->n, "Units per pattern")
      ->check(CLI::Range(Index{8}, Index{10000}))
      ->capture_default_str();
  cmd->add_option("--trials", args->trials, "Independent pattern sets per load")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--loads", args->loads,
                  "Loads P/N as first:last:step or a comma list (default: per model)")
      ->check(parsed_by("LOADS", [](const std::string& s) { parse_loads(s); }));
  cmd->add_option("--flip", args->flip, "Fraction of bits flipped in each cue")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  cmd->add_option("--tolerance", args->tolerance, "Bit error that still counts as retrieved")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the patterns, cues and update orders")
      ->capture_default_str();
  cmd->add_option("--beta", args->beta, "Inverse temperature (modern)")->check(CLI::PositiveNumber);
  cmd->add_option("--interaction", args->interaction,
                  "DAM interaction F: polynomial(n=N), rectified_polynomial(n=N), "
                  "exponential(beta=B) or log_sum_exp(beta=B) (default polynomial(n=3))")
      ->check(parsed_by("F", [](const std::string& s) { Interaction::parse(s); }));
  cmd->add_option("--mode", args->mode, "Classical update order")
      ->check(CLI::IsMember({"async", "sync"}))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "Output folder")->capture_default_str();
  cmd->callback([args] { run(*args); });
}

}  // namespace engram::cli
