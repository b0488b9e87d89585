// CSV tables of numbers (energy traces, results) with a header row, written atomically.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace engram {

/// CSV text: a header of `columns`, then one line per row of `values` (rows × columns), numbers
/// printed with 17 significant digits so doubles read back exactly.
std::string to_csv(const std::vector<std::string>& columns, const Eigen::MatrixXd& values);

/// Writes to_csv(columns, values) to `path` atomically.
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& columns,
               const Eigen::MatrixXd& values);

}  // namespace engram
