// Plots drawn by gnuplot (DESIGN.md: engram writes the data and drives a plotting tool; it never
// draws axes itself).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace engram::cli {

/// One curve read from a CSV file: its column numbers (1-based) and its legend.
struct Curve {
  int x_column;
  int y_column;
  std::string title;
};

/// What to draw: a line plot of `curves` from `csv` (with a header row) into `png`.
struct LinePlot {
  std::filesystem::path csv;
  std::filesystem::path png;
  std::string title;
  std::string xlabel;
  std::string ylabel;
  std::vector<Curve> curves;
  bool log_y = false;
  /// Mark each data point (false: lines only, for long traces such as a membrane potential).
  bool points = true;
  /// Optional vertical marker (e.g. the critical load), drawn when it has a label.
  double marker_x = 0.0;
  std::string marker_label;
};

/// Draws `plot` with gnuplot. Returns an empty string on success, else why no plot was made
/// (gnuplot missing or failing); a missing plot is reported, never fatal.
std::string draw_line_plot(const LinePlot& plot);

/// Runs the gnuplot commands `body` (everything after the terminal and output settings) to draw
/// `png` (width × height pixels), keeping the script beside it as png with extension .gp. The
/// picture appears atomically. Returns "" on success, else why no picture was made.
std::string run_gnuplot(const std::string& body, const std::filesystem::path& png, int width = 900,
                        int height = 560);

/// A gnuplot string literal: single quotes, embedded single quotes doubled.
std::string gnuplot_quoted(const std::string& text);

}  // namespace engram::cli
