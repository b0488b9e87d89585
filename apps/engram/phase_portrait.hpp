// The phase portrait of a 2-D system drawn by gnuplot (`engram analyze`): direction field,
// nullclines, trajectories and fixed points, with the data files and the script left beside it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engram/analysis/integrate.hpp"
#include "engram/analysis/phase_plane.hpp"

namespace engram::cli {

/// A fixed point to mark, with its classification ("stable_node", "saddle", ...).
struct MarkedPoint {
  double x = 0, y = 0;
  std::string kind;
};

/// Writes dir/phase_field.csv, phase_nullclines.csv, phase_trajectories.csv and
/// phase_fixed_points.csv, then draws dir/phase_portrait.png (script phase_portrait.gp). Returns ""
/// or why no picture was made (the data files are written either way).
std::string draw_phase_portrait(const VectorField& field, const PlaneBox& box,
                                const std::vector<MarkedPoint>& fixed_points,
                                const std::vector<Trajectory>& trajectories,
                                const std::filesystem::path& dir);

}  // namespace engram::cli
