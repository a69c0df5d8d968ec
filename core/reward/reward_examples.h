#pragma once
// What a reward model learns from: per-aspect scores of a response, and
// preference pairs. Plain value types with no LibTorch, so the readers of
// users' data files (reward_data.h) need none; the trainer is reward_trainer.h.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace awb {

struct RewardExample
{
    std::string prompt;
    std::string response;
    std::vector<std::optional<double>> targets;   // one slot per aspect, schema order; nullopt = not labelled
};

struct RewardPreference
{
    std::string prompt;
    std::string chosen;
    std::string rejected;
    std::size_t aspect = 0;   // schema index of the aspect the pair supervises
};

} // namespace awb
