#include "train/prompt_budget.h"

#include "util/error.h"

#include <algorithm>

namespace awb {

PromptBudget promptBudget(std::int64_t maxPromptLength, std::int64_t maxCompletionLength, std::int64_t context,
                          const std::string &model)
{
    PromptBudget b{maxPromptLength, {}};
    if (context <= 0 || maxPromptLength + maxCompletionLength <= context)
        return b;
    const std::string where = "the context of " + model + " (max_position_embeddings " + std::to_string(context) + ")";
    if (maxCompletionLength >= context)
        throw Error("max_completion_length " + std::to_string(maxCompletionLength) + " leaves no room for a prompt in "
                    + where + "; lower max_completion_length below " + std::to_string(context)
                    + " (and max_prompt_length to the rest)");
    b.promptTokens = std::min(maxPromptLength, context - maxCompletionLength);
    b.note = "max_prompt_length " + std::to_string(maxPromptLength) + " + max_completion_length "
             + std::to_string(maxCompletionLength) + " exceed " + where + ": prompts keep their last "
             + std::to_string(b.promptTokens) + " tokens, so that a completion fits; lower max_prompt_length to "
             + std::to_string(b.promptTokens) + " (or max_completion_length) to say so in the config";
    return b;
}

} // namespace awb
