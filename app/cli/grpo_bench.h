#pragma once
// `awb bench --phases grpo`: whole GRPO steps on a user's own policy folder,
// timed per phase (generation, scoring, reference, update) with the process's
// peak resident set, in a throw-away workspace. The reward model and prompts
// default to the shipped demo's, so any folder can be measured on its own.

#include "util/runtime.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace awb {

struct GrpoBenchOptions
{
    std::string model;               // the policy folder (required)
    std::string rewardModel;         // empty: the demo's reward model
    std::string prompts;             // empty: the demo's prompts
    std::int64_t promptsPerStep = 4; // B
    std::int64_t numGenerations = 4; // G
    std::int64_t promptTokens = 32;  // max_prompt_length (longer prompts keep their last tokens)
    std::int64_t newTokens = 32;     // max_completion_length
    std::int64_t miniBatchSize = 2;  // completions per forward/backward pass
    std::int64_t steps = 2;          // the first warms up; figures are the last step's
    bool useLora = true;
    // Any other knob of the run (TRL's names), e.g. {"share_prompt_prefix": false}; wins over the above.
    nlohmann::json overrides = nlohmann::json::object();
};

// "KEY=VALUE" as {KEY: VALUE}, the value read as JSON when it parses (false, 0.5, "x"), else as a string.
// Error naming the text when there is no '='.
nlohmann::json parseOptionAssignment(const std::string &text);

// Keys: "grpo": {"steps": [{"step", "generation", "scoring", "reference", "update", "step_s"}],
// "generation_s", "scoring_s", "reference_s", "update_s", "step_s" (the last step),
// "peak_rss_mb", "config"}. Throws Error for a missing folder or bad options.
nlohmann::json runGrpoBench(const GrpoBenchOptions &options, const RuntimeOptions &runtime,
                            const std::function<void(const std::string &)> &log);

} // namespace awb
