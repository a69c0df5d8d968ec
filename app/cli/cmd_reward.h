#pragma once
// awb reward-model train|score, registered under the "reward-model" subcommand
// that cmd_export.cpp creates (export and import live there).

namespace CLI {
class App;
}

namespace awb {

struct CommandContext;

void registerRewardModelTrainCommands(CLI::App &rewardModel, CommandContext &ctx);

} // namespace awb
