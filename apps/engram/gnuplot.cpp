#include "gnuplot.hpp"

#include <sys/wait.h>

#include <cstdio>

#include <fmt/core.h>

#include "engram/io/file.hpp"

namespace engram::cli {

namespace {

// Shell word: single quotes, with embedded single quotes closed, escaped and reopened.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string gnuplot_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string draw_line_plot(const LinePlot& plot) {
  std::string script = "set datafile separator ','\nset key autotitle columnhead\nset grid\n";
  script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\n", gnuplot_quoted(plot.title),
                        gnuplot_quoted(plot.xlabel), gnuplot_quoted(plot.ylabel));
  if (plot.log_y) script += "set logscale y\n";
  if (!plot.marker_label.empty()) {
    script += fmt::format(
        "set arrow from {0},graph 0 to {0},graph 1 nohead dashtype 2 lc rgb 'gray40'\n"
        "set label {1} at {0},graph 0.95 offset 0.5,0\n",
        plot.marker_x, gnuplot_quoted(plot.marker_label));
  }
  script += "plot ";
  for (std::size_t i = 0; i < plot.curves.size(); ++i) {
    const Curve& c = plot.curves[i];
    script += fmt::format("{}{} using {}:{} with {} title {} noenhanced", i ? ", " : "",
                          gnuplot_quoted(plot.csv.string()), c.x_column, c.y_column,
                          plot.points ? "linespoints pt 7 ps 0.5" : "lines lw 1.5",
                          gnuplot_quoted(c.title));
  }
  script += "\n";
  return run_gnuplot(script, plot.png);
}

std::string run_gnuplot(const std::string& body, const std::filesystem::path& png, int width,
                        int height) {
  // Run by hand, the script draws png; engram passes `out` to draw a temporary file, renamed
  // into place only when gnuplot succeeds.
  const std::filesystem::path partial = png.string() + ".partial";
  const std::string script =
      fmt::format("set terminal pngcairo size {},{} font 'sans,11'\n", width, height) +
      fmt::format("if (!exists(\"out\")) out = {}\nset output out\n",
                  gnuplot_quoted(png.string())) +
      body;
  std::filesystem::path script_path = png;
  script_path.replace_extension(".gp");
  write_file_atomic(script_path, script);
  // The script stays beside the picture, so a user can restyle the plot and run gnuplot again.
  const std::string command = fmt::format("gnuplot -e {} {} 2>&1",
                                          shell_quoted("out = " + gnuplot_quoted(partial.string())),
                                          shell_quoted(script_path.string()));
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "could not start gnuplot";
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  std::error_code ignored;
  if (status != 0 || !std::filesystem::exists(partial)) {
    std::filesystem::remove(partial, ignored);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return "gnuplot is not installed";
    return fmt::format("gnuplot failed: {}", output.empty() ? "no output" : output);
  }
  std::error_code renamed;
  std::filesystem::rename(partial, png, renamed);
  if (renamed) return fmt::format("could not move the plot into place: {}", renamed.message());
  return "";
}

}  // namespace engram::cli
