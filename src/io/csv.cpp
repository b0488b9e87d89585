#include "engram/io/csv.hpp"

#include <fmt/format.h>

#include "engram/core/error.hpp"
#include "engram/io/file.hpp"

namespace engram {

std::string to_csv(const std::vector<std::string>& columns, const Eigen::MatrixXd& values) {
  ENGRAM_CHECK(static_cast<Eigen::Index>(columns.size()) == values.cols(),
               "to_csv: {} column names for {} columns of values", columns.size(), values.cols());
  std::string out;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    ENGRAM_CHECK(columns[c].find_first_of(",\"\n") == std::string::npos,
                 "to_csv: column name '{}' contains a comma, quote or newline", columns[c]);
    out += (c ? "," : "") + columns[c];
  }
  out += '\n';
  for (Eigen::Index r = 0; r < values.rows(); ++r) {
    for (Eigen::Index c = 0; c < values.cols(); ++c)
      out += fmt::format("{}{:.17g}", c ? "," : "", values(r, c));
    out += '\n';
  }
  return out;
}

void write_csv(const std::filesystem::path& path, const std::vector<std::string>& columns,
               const Eigen::MatrixXd& values) {
  write_file_atomic(path, to_csv(columns, values));
}

}  // namespace engram
