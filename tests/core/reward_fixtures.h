#pragma once
// Fixtures shared by the reward-model tests: a byte-level tokenizer.json
// written by hand (ids 0..255 are the bytes in GPT-2's byte alphabet, no
// merges, so a text encodes to its byte values; 256..259 are the Demo chat
// template's special tokens) and small Llama configurations.

#include "io/model_config.h"
#include "model/causal_lm.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <string>

namespace rewardtest {

constexpr std::int32_t kSystem = 256, kUser = 257, kAssistant = 258, kEnd = 259;

// GPT-2's bytes_to_unicode, written out from its definition.
inline std::string byteChar(int b)
{
    auto printable = [](int k) { return (k >= 0x21 && k <= 0x7E) || (k >= 0xA1 && k <= 0xAC) || (k >= 0xAE && k <= 0xFF); };
    int cp = b;
    if (!printable(b)) {
        int n = 0;
        for (int k = 0; k < b; ++k)
            n += printable(k) ? 0 : 1;
        cp = 256 + n;
    }
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

inline void writeText(const std::string &path, const std::string &text)
{
    std::ofstream(path, std::ios::binary) << text;
}

// Writes dir/tokenizer.json and dir/tokenizer_config.json (with the Demo chat
// template when `chatTemplate`) and returns dir/tokenizer.json.
inline std::string writeByteTokenizer(const std::string &dir, bool chatTemplate)
{
    using nlohmann::json;
    json vocab = json::object();
    for (int b = 0; b < 256; ++b)
        vocab[byteChar(b)] = b;
    json added = json::array();
    const char *specials[] = {"<|system|>", "<|user|>", "<|assistant|>", "<|end|>"};
    for (int i = 0; i < 4; ++i) {
        vocab[specials[i]] = 256 + i;
        added.push_back({{"id", 256 + i}, {"content", specials[i]}, {"single_word", false}, {"lstrip", false},
                         {"rstrip", false}, {"normalized", false}, {"special", true}});
    }
    const json tokenizer = {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer", nullptr},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
        {"post_processor", nullptr},
        {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"ignore_merges", false},
                   {"byte_fallback", false}, {"vocab", vocab}, {"merges", json::array()}}},
    };
    json config = {{"eos_token", "<|end|>"}, {"model_max_length", 128}};
    if (chatTemplate)
        config["chat_template"] = awb::ChatTemplate::canonicalSource(awb::ChatTemplateKind::Demo);
    writeText(dir + "/tokenizer.json", tokenizer.dump());
    writeText(dir + "/tokenizer_config.json", config.dump());
    return dir + "/tokenizer.json";
}

// A Llama config as config.json would give it.
inline awb::ModelConfig llamaConfig(std::int64_t vocab, std::int64_t hidden, std::int64_t layers, std::int64_t heads,
                                    std::int64_t kvHeads, std::int64_t intermediate, std::int64_t maxPositions = 128,
                                    double initializerRange = 0.02, bool tied = false)
{
    const nlohmann::json j = {
        {"model_type", "llama"},
        {"architectures", {"LlamaForCausalLM"}},
        {"vocab_size", vocab},
        {"hidden_size", hidden},
        {"intermediate_size", intermediate},
        {"num_hidden_layers", layers},
        {"num_attention_heads", heads},
        {"num_key_value_heads", kvHeads},
        {"max_position_embeddings", maxPositions},
        {"rms_norm_eps", 1e-5},
        {"initializer_range", initializerRange},
        {"tie_word_embeddings", tied},
    };
    return awb::parseModelConfig(j, "test config");
}

// Vocabulary 264 (the byte tokenizer's 260 and spare ids), hidden 32, 2 layers.
inline awb::ModelConfig tinyLlama(double initializerRange = 0.02)
{
    return llamaConfig(264, 32, 2, 4, 2, 64, 128, initializerRange);
}

inline std::string errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const std::exception &e) {
        return e.what();
    }
    return "(no exception)";
}

} // namespace rewardtest
