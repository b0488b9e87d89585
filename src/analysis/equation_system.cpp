#include "engram/analysis/equation_system.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <muParser.h>

#include <algorithm>
#include <cctype>
#include <numbers>

#include "engram/core/error.hpp"

namespace engram {

struct EquationSystem::Parsers {
  std::vector<double> values;  // the variables' current values, read by every parser
  std::vector<mu::Parser> parsers;
};

namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool is_identifier(std::string_view s) {
  return !s.empty() && !std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), is_name_char);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// One `lhs = rhs` statement: the variable, the expression and where it starts in the text.
struct Equation {
  std::string variable;
  std::string expression;
  std::size_t offset;  // of the expression's first character in the text
};

/// The variable named by a left side `x'` or `dx/dt`; throws naming the statement otherwise.
std::string variable_of(std::string_view lhs, std::string_view statement) {
  std::string_view name;
  if (!lhs.empty() && lhs.back() == '\'') {
    name = trim(lhs.substr(0, lhs.size() - 1));
  } else if (lhs.size() > 4 && lhs.front() == 'd' && lhs.substr(lhs.size() - 3) == "/dt") {
    name = trim(lhs.substr(1, lhs.size() - 4));
  }
  ENGRAM_CHECK(is_identifier(name),
               "EquationSystem: \"{}\": the left side must be a variable with a prime, e.g. "
               "x' = -x (or dx/dt = -x), got \"{}\"",
               statement, lhs);
  return std::string(name);
}

std::vector<Equation> split(const std::string& text) {
  std::string clean = text;  // comments blanked out, so positions stay those of the text
  for (std::size_t i = 0; i < clean.size(); ++i)
    if (clean[i] == '#')
      for (; i < clean.size() && clean[i] != '\n'; ++i) clean[i] = ' ';
  std::vector<Equation> out;
  std::size_t start = 0;
  while (start <= clean.size()) {
    std::size_t end = clean.find_first_of(";\n", start);
    if (end == std::string::npos) end = clean.size();
    const std::string_view statement = trim(std::string_view(clean).substr(start, end - start));
    if (!statement.empty()) {
      const std::size_t eq = statement.find('=');
      ENGRAM_CHECK(eq != std::string_view::npos,
                   "EquationSystem: \"{}\" is not an equation; expected name' = expression",
                   statement);
      const std::string_view rhs = statement.substr(eq + 1);
      const std::string_view expression = trim(rhs);
      const std::size_t offset =
          static_cast<std::size_t>(expression.data() - clean.data());  // views into `clean`
      out.push_back(
          {variable_of(trim(statement.substr(0, eq)), statement), std::string(expression), offset});
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

EquationSystem::EquationSystem(std::string text, std::map<std::string, double> constants)
    : text_(std::move(text)), constants_(std::move(constants)) {
  const std::vector<Equation> equations = split(text_);
  ENGRAM_CHECK(!equations.empty(),
               "EquationSystem: no equations in \"{}\"; write one per variable, e.g. "
               "x' = -x + y; y' = -y",
               text_);
  for (const Equation& e : equations) {
    ENGRAM_CHECK(std::find(variables_.begin(), variables_.end(), e.variable) == variables_.end(),
                 "EquationSystem: variable '{}' is defined twice", e.variable);
    variables_.push_back(e.variable);
    expressions_.push_back(e.expression);
  }
  std::vector<std::string> constant_names;
  for (const auto& [name, value] : constants_) {
    ENGRAM_CHECK(is_identifier(name), "EquationSystem: constant name \"{}\" is not an identifier",
                 name);
    ENGRAM_CHECK(std::find(variables_.begin(), variables_.end(), name) == variables_.end(),
                 "EquationSystem: '{}' is both a variable and a constant", name);
    ENGRAM_CHECK(std::isfinite(value), "EquationSystem: constant '{}' must be finite, got {}", name,
                 value);
    constant_names.push_back(name);
  }
  const std::string known =
      constant_names.empty()
          ? fmt::format("variables: {}", fmt::join(variables_, ", "))
          : fmt::format("variables: {}; constants: {}", fmt::join(variables_, ", "),
                        fmt::join(constant_names, ", "));

  parsers_ = std::make_unique<Parsers>();
  parsers_->values.assign(variables_.size(), 0.0);  // never resized: the parsers hold pointers
  parsers_->parsers.resize(equations.size());
  for (std::size_t k = 0; k < equations.size(); ++k) {
    const Equation& e = equations[k];
    mu::Parser& p = parsers_->parsers[k];
    ENGRAM_CHECK(!e.expression.empty(), "EquationSystem: the equation for {}' has no right side",
                 e.variable);
    try {
      for (std::size_t v = 0; v < variables_.size(); ++v)
        p.DefineVar(variables_[v], &parsers_->values[v]);
      // muparser built with GCC defines _pi as 3.141592653589 (it trades digits for the speed of
      // sin(_pi*a)); give it all of them.
      p.DefineConst("_pi", std::numbers::pi);
      for (const auto& [name, value] : constants_) p.DefineConst(name, value);
    } catch (const mu::Parser::exception_type& err) {
      detail::throw_invalid(fmt::format("EquationSystem: {}", err.GetMsg()));
    }
    try {
      p.SetExpr(e.expression);
      // Parses the expression; names it does not know come back with no storage.
      for (const auto& [name, storage] : p.GetUsedVar())
        ENGRAM_CHECK(storage != nullptr,
                     "EquationSystem: unknown variable '{}' in the equation for {}' ({}){}", name,
                     e.variable, known,
                     name == "t" ? "; the system must be autonomous (no t)" : "");
      p.Eval();  // one value: "x, y" is muparser's syntax for several
      ENGRAM_CHECK(p.GetNumResults() == 1,
                   "EquationSystem: the equation for {}' gives {} values (\"{}\"); expected one",
                   e.variable, p.GetNumResults(), e.expression);
    } catch (const mu::Parser::exception_type& err) {
      const int pos = err.GetPos();
      std::string problem = err.GetMsg();
      if (err.GetCode() == mu::ecUNEXPECTED_PARENS && pos > 0) {
        // "sinn(x)": muparser sees a name and then a parenthesis; say which function is unknown.
        std::size_t end = static_cast<std::size_t>(pos);
        while (end > 0 && e.expression[end - 1] == ' ') --end;
        std::size_t begin = end;
        while (begin > 0 && is_name_char(e.expression[begin - 1])) --begin;
        const std::string name = e.expression.substr(begin, end - begin);
        if (is_identifier(name) && !p.GetFunDef().count(name)) {
          std::vector<std::string> functions;
          for (const auto& [f, callback] : p.GetFunDef()) functions.push_back(f);
          problem = fmt::format("unknown function '{}' (functions: {})", name,
                                fmt::join(functions, ", "));
        }
      }
      detail::throw_invalid(fmt::format(
          "EquationSystem: syntax error in the equation for {}' at position {} of \"{}\" "
          "(position {} of the text): {}",
          e.variable, pos, e.expression, e.offset + static_cast<std::size_t>(std::max(pos, 0)),
          problem));
    }
  }
}

EquationSystem::EquationSystem(const EquationSystem& other)
    : EquationSystem(other.text_, other.constants_) {}

EquationSystem& EquationSystem::operator=(const EquationSystem& other) {
  if (this != &other) {
    EquationSystem copy(other);
    const std::lock_guard<std::mutex> lock(mutex_);
    text_ = std::move(copy.text_);
    constants_ = std::move(copy.constants_);
    variables_ = std::move(copy.variables_);
    expressions_ = std::move(copy.expressions_);
    parsers_ = std::move(copy.parsers_);  // the parsers point into *parsers_, which moves whole
  }
  return *this;
}

EquationSystem::~EquationSystem() = default;

Eigen::VectorXd EquationSystem::rate(const Eigen::VectorXd& x) const {
  ENGRAM_CHECK(x.size() == dim(), "EquationSystem: expected {} values ({}), got {}", dim(),
               fmt::join(variables_, ", "), x.size());
  const std::lock_guard<std::mutex> lock(mutex_);
  Eigen::VectorXd f(dim());
  for (Index v = 0; v < dim(); ++v) parsers_->values[static_cast<std::size_t>(v)] = x(v);
  for (std::size_t v = 0; v < variables_.size(); ++v) {
    try {
      f(static_cast<Index>(v)) = parsers_->parsers[v].Eval();
    } catch (const mu::Parser::exception_type& err) {
      detail::throw_invalid(fmt::format("EquationSystem: evaluating the equation for {}': {}",
                                        variables_[v], err.GetMsg()));
    }
  }
  return f;
}

std::string EquationSystem::description() const {
  std::vector<std::string> parts;
  for (std::size_t v = 0; v < variables_.size(); ++v)
    parts.push_back(fmt::format("{}' = {}", variables_[v], expressions_[v]));
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace engram
