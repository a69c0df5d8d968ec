#include "cli/cli.h"

#include "cli/commands.h"

#include "awb_version.h"
#include "util/error.h"

#include <CLI/CLI.hpp>

#include <ostream>
#include <sstream>

namespace awb {

namespace {

// CLI11 prints through std::cout/cerr; the commands print through `out`/`err`
// so tests can read them. The formatter's help text is routed the same way.
std::string usageOf(const CLI::App &app)
{
    return app.help();
}

} // namespace

int runCli(int argc, const char *const *argv, std::ostream &out, std::ostream &err)
{
    CLI::App app{std::string(kProjectName) + ": GRPO against a multi-aspect reward model", "awb"};
    app.set_version_flag("--version", std::string("awb ") + kVersion);
    app.require_subcommand(1);
    app.fallthrough(false);

    CommandContext ctx{out, err, {}};
    registerCommands(app, ctx);

    // CLI11 reports an unknown first word as a missing subcommand; name it instead.
    if (argc > 1 && argv[1][0] != '-') {
        const std::string word = argv[1];
        bool known = false;
        for (const auto *sub : app.get_subcommands([](const CLI::App *) { return true; }))
            known = known || sub->get_name() == word;
        if (!known) {
            err << "awb: unknown command \"" << word << "\"\n\n" << usageOf(app);
            return 2;
        }
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &) {
        out << usageOf(app);
        return 0;
    } catch (const CLI::CallForAllHelp &) {
        out << app.help("", CLI::AppFormatMode::All);
        return 0;
    } catch (const CLI::CallForVersion &) {
        out << app.version() << "\n";
        return 0;
    } catch (const CLI::ParseError &e) {
        // Unknown subcommands and bad flags: say what was wrong, then the usage.
        err << "awb: " << e.what() << "\n\n" << usageOf(*(app.get_subcommands().empty() ? &app : app.get_subcommands().front()));
        return e.get_exit_code() != 0 ? e.get_exit_code() : 2;
    }

    try {
        return ctx.run();
    } catch (const std::exception &e) {
        err << "awb: " << e.what() << "\n";
        return 1;
    }
}

} // namespace awb
