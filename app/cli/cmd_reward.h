#pragma once
// awb reward-model train|score, registered under the "reward-model" subcommand
// that cmd_export.cpp creates (export and import live there).

namespace CLI {
class App;
}

namespace awb {

struct CommandContext;

void registerRewardModelTrainCommands(CLI::App &rewardModel, CommandContext &ctx);
// awb sample: the annotators' cold start (core/train/labelling_sampler.h).
void registerLabellingCommands(CLI::App &app, CommandContext &ctx);

} // namespace awb
