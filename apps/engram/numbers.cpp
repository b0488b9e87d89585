// Numbers read from the command line, shared by the subcommands.
#include <cmath>

#include "commands.hpp"

namespace engram::cli {

double finite_number(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;  // not a number at all, or out of double's range
  }
  ENGRAM_CHECK(!text.empty() && used == text.size() && std::isfinite(v),
               "{}: '{}' is not a finite number", what, text);
  return v;
}

}  // namespace engram::cli
