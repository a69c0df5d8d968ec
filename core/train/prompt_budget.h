#pragma once
// How many prompt tokens a sampling run keeps, so that every completion fits
// the model's context (max_position_embeddings): checked once when the run
// starts, rather than failing at the first step whose prompt is long.
// A free function of plain values; any thread. No LibTorch.

#include <cstdint>
#include <string>

namespace awb {

struct PromptBudget
{
    std::int64_t promptTokens = 0;   // keep the last this many tokens of a templated prompt
    std::string note;                // non-empty when max_prompt_length had to be lowered: say so in the log
};

// min(max_prompt_length, context - max_completion_length). Throws Error naming
// `model`, the context and max_completion_length when the completion alone
// leaves no room for a prompt (lower max_completion_length); when the two
// lengths together exceed the context, prompts keep fewer tokens and `note`
// says which option to lower. A context <= 0 (unknown) leaves the lengths as given.
PromptBudget promptBudget(std::int64_t maxPromptLength, std::int64_t maxCompletionLength, std::int64_t context,
                          const std::string &model);

} // namespace awb
