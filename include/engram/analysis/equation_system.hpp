// EquationSystem: a dynamical system typed as text, "x' = -x + y; y' = sin(x)" (SPEC M-20, M-28),
// parsed with muparser and usable wherever a VectorField is.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engram/analysis/vector_field.hpp"

namespace engram {

/// dx/dt = f(x) from equations written as text, one per variable:
///
///   EquationSystem eq9("x' = -0.4*x + 0.02*x*y\n"
///                      "y' = 0.8*y - 0.01*y^2*x - 0.1*x*y");
///   EquationSystem damped("x' = v; v' = -k*x - c*v", {{"k", 4.0}, {"c", 0.3}});
///
/// Equations are separated by ';' or newlines; each is `name' = expression` (or
/// `dname/dt = expression`); '#' starts a comment that runs to the end of the line. The variables
/// are the primed names in the order written (names(), the state's coordinates). Expressions use
/// muparser's syntax: + − * / ^, parentheses, the functions sin cos tan asin acos atan sinh cosh
/// tanh asinh acosh atanh log2 log10 log ln exp sqrt sign rint abs min max sum avg, the constants
/// _pi and _e, and the names in `constants`. The system is autonomous: t is not a variable.
///
/// Errors throw std::invalid_argument naming the problem: no equations, a malformed left side, a
/// variable defined twice, an unknown name (listing the variables and constants), or a syntax
/// error (with its position in the expression and in the text).
///
/// The Jacobian is by central differences (has_jacobian() is false). Evaluation goes through
/// muparser objects, which are not thread-safe: rate() takes a lock, so one EquationSystem may be
/// shared between threads but evaluates for one of them at a time (copies evaluate independently).
class EquationSystem final : public VectorField {
 public:
  /// `constants`: name → finite value; names are identifiers distinct from the variables.
  explicit EquationSystem(std::string text, std::map<std::string, double> constants = {});
  /// Copies parse the text again (the parsers point at their own object's variables).
  EquationSystem(const EquationSystem& other);
  EquationSystem& operator=(const EquationSystem& other);
  ~EquationSystem() override;

  Index dim() const override { return static_cast<Index>(variables_.size()); }
  /// f(x): x holds one value per variable, in names() order.
  Eigen::VectorXd rate(const Eigen::VectorXd& x) const override;
  std::vector<std::string> names() const override { return variables_; }
  /// The equations, e.g. "x' = -x + y; y' = sin(x)".
  std::string description() const override;

  const std::string& text() const { return text_; }
  const std::vector<std::string>& variables() const { return variables_; }
  /// The right-hand sides as written (trimmed), in variable order.
  const std::vector<std::string>& expressions() const { return expressions_; }
  const std::map<std::string, double>& constants() const { return constants_; }

 private:
  struct Parsers;  // muparser objects and the variables they read (muParser.h stays private)

  std::string text_;
  std::map<std::string, double> constants_;
  std::vector<std::string> variables_;
  std::vector<std::string> expressions_;
  std::unique_ptr<Parsers> parsers_;
  mutable std::mutex mutex_;
};

}  // namespace engram
