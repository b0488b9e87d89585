// engram: the command-line tool (SPEC M-43). One file per subcommand; this one wires them up and
// turns errors into exit codes: 2 with a one-line message for bad arguments, 1 for failures.
#include <cstdio>
#include <stdexcept>

#include <fmt/core.h>

#include "commands.hpp"
#include "engram/core/error.hpp"

namespace {

// The subcommand being run, for messages ("engram recall: ...").
std::string command_name(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) return "engram " + sub->get_name();
  return "engram";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "engram: energy-based associative memory and neurodynamics.\n"
      "Run 'engram <command> --help' for the options of a command."};
  app.name("engram");
  app.require_subcommand(1);
  app.set_version_flag("--version", "engram 0.1.0");
  engram::cli::add_recall_command(app);
  engram::cli::add_capacity_command(app);
  engram::cli::add_compare_command(app);
  engram::cli::add_inspect_command(app);
  engram::cli::add_simulate_command(app);
  engram::cli::add_analyze_command(app);
  engram::cli::add_train_command(app);
  engram::cli::add_sample_command(app);
  engram::cli::add_serve_command(app);
  std::string known;
  bool is_known = false;
  for (const CLI::App* sub : app.get_subcommands({})) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
    is_known = is_known || (argc > 1 && sub->get_name() == argv[1]);
  }
  if (argc > 1 && argv[1][0] != '-' && !is_known) {
    fmt::print(stderr, "engram: error: unknown command '{}' (commands: {})\n", argv[1], known);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: error: {} (see --help)\n", command_name(app), e.what());
    return 2;
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "{}: error: {}\n", command_name(app), e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: failed: {}\n", command_name(app), e.what());
    return 1;
  }
  return 0;
}
