#include "cli/commands.h"

#include <CLI/CLI.hpp>

namespace awb {

void registerTextCommands(CLI::App &app, CommandContext &ctx)
{
    (void)app;
    (void)ctx;
}

} // namespace awb
