#include "cli/commands.h"

#include <CLI/CLI.hpp>

namespace awb {

void registerModelCommands(CLI::App &app, CommandContext &ctx)
{
    (void)app;
    (void)ctx;
}

} // namespace awb
