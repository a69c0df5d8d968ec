#pragma once
// Subcommands of `awb`. Each registers its options on the CLI11 app and sets
// the action that CommandContext::run() performs after parsing.

#include <functional>
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace awb {

struct CommandContext
{
    std::ostream &out;
    std::ostream &err;
    std::function<int()> action;

    int run() const { return action ? action() : 0; }
};

void registerCommands(CLI::App &app, CommandContext &ctx);

// Throws IoError unless db names an existing workspace file (--db), so that a
// typo is not silently created as a new, empty workspace.
void requireWorkspace(const std::string &db);

// One function per topic, each in its own cmd_<topic>.cpp.
void registerTextCommands(CLI::App &app, CommandContext &ctx);    // tokenize
void registerModelCommands(CLI::App &app, CommandContext &ctx);   // logits, generate, bench
void registerTrainCommands(CLI::App &app, CommandContext &ctx);   // train, demo-init
void registerCompareCommands(CLI::App &app, CommandContext &ctx); // compare
void registerActiveLearningCommands(CLI::App &app, CommandContext &ctx);   // active-learning
void registerLabelCommands(CLI::App &app, CommandContext &ctx);   // labels export|import
void registerExportCommands(CLI::App &app, CommandContext &ctx);  // policy export, reward-model export|import
void registerModelInitCommands(CLI::App &app, CommandContext &ctx);   // model init
void registerSteerCommands(CLI::App &app, CommandContext &ctx);   // steer, front

// The `model` group (awb model init, ...): made on the first call, returned
// after, so several cmd_<topic>.cpp can add subcommands beneath it.
CLI::App *modelCommandGroup(CLI::App &app);

} // namespace awb
