#include "fuzz_entries.h"

namespace awb::fuzz {

const std::vector<Target> &targets()
{
    static const std::vector<Target> all = {
        {"safetensors_header", safetensorsHeader},
        {"prompt_file", promptFile},
        {"label_file", labelFile},
        {"reward_data", rewardData},
        {"store_json", storeJson},
        {"tokenizer_json", tokenizerJson},
        {"tokenizer_regex", tokenizerRegex},
        {"chat_template", chatTemplate},
        {"model_config", modelConfig},
    };
    return all;
}

Entry entryFor(const std::string &name)
{
    for (const Target &t : targets())
        if (name == t.name)
            return t.entry;
    throw std::invalid_argument("fuzz: no target \"" + name + "\"");
}

} // namespace awb::fuzz
