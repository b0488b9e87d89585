#include "gnuplot.hpp"

#include <sys/wait.h>

#include <cstdio>

#include <fmt/core.h>

#include "engram/io/file.hpp"

namespace engram::cli {

namespace {

// gnuplot string literal: single quotes, with embedded single quotes doubled.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// Shell word: single quotes, with embedded single quotes closed, escaped and reopened.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string draw_line_plot(const LinePlot& plot) {
  std::string script;
  script += "set terminal pngcairo size 900,560 font 'sans,11'\n";
  // Run by hand, the script draws plot.png; engram passes `out` to draw a temporary file, renamed
  // into place only when gnuplot succeeds.
  const std::filesystem::path partial = plot.png.string() + ".partial";
  script +=
      fmt::format("if (!exists(\"out\")) out = {}\nset output out\n", quoted(plot.png.string()));
  script += "set datafile separator ','\nset key autotitle columnhead\nset grid\n";
  script += fmt::format("set title {}\nset xlabel {}\nset ylabel {}\n", quoted(plot.title),
                        quoted(plot.xlabel), quoted(plot.ylabel));
  if (plot.log_y) script += "set logscale y\n";
  if (!plot.marker_label.empty()) {
    script += fmt::format(
        "set arrow from {0},graph 0 to {0},graph 1 nohead dashtype 2 lc rgb 'gray40'\n"
        "set label {1} at {0},graph 0.95 offset 0.5,0\n",
        plot.marker_x, quoted(plot.marker_label));
  }
  script += "plot ";
  for (std::size_t i = 0; i < plot.curves.size(); ++i) {
    const Curve& c = plot.curves[i];
    script += fmt::format(
        "{}{} using {}:{} with {} title {}", i ? ", " : "", quoted(plot.csv.string()), c.x_column,
        c.y_column, plot.points ? "linespoints pt 7 ps 0.5" : "lines lw 1.5", quoted(c.title));
  }
  script += "\n";

  std::filesystem::path script_path = plot.png;
  script_path.replace_extension(".gp");
  write_file_atomic(script_path, script);
  // The script stays beside the picture, so a user can restyle the plot and run gnuplot again.
  const std::string command =
      fmt::format("gnuplot -e {} {} 2>&1", shell_quoted("out = " + quoted(partial.string())),
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
  std::filesystem::rename(partial, plot.png, renamed);
  if (renamed) return fmt::format("could not move the plot into place: {}", renamed.message());
  return "";
}

}  // namespace engram::cli
