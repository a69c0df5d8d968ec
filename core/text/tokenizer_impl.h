#pragma once
// The shared, immutable state behind Tokenizer (internal to core/text):
// tokenizer_load.cpp builds it from tokenizer.json and tokenizer_config.json,
// tokenizer.cpp encodes and decodes with it.

#include "text/added_tokens.h"
#include "text/bpe_model.h"
#include "text/normalizer.h"
#include "text/pre_tokenizer.h"
#include "text/tokenizer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace awb {

struct Tokenizer::Impl
{
    enum class DecodeStep { ByteLevel, ByteFallback };

    std::string label;         // tokenizer.json
    std::string configLabel;   // tokenizer_config.json
    Normalizer normalizer;
    PreTokenizer preTokenizer;
    BpeModel model;
    AddedTokenMatcher added;
    std::vector<std::uint8_t> flags;   // per id: kAdded | kSpecial
    std::vector<DecodeStep> decodeSteps;
    bool joinWithSpaces = false;       // no decoder: tokens joined by " ", as transformers does
    std::vector<std::int32_t> prefixIds, suffixIds;   // added by encode(..., true)
    std::optional<std::int32_t> bos, eos, pad, unk;
    ChatTemplate chat;

    static constexpr std::uint8_t kAdded = 1, kSpecial = 2;

    bool has(std::int32_t id, std::uint8_t flag) const
    {
        return id >= 0 && static_cast<std::size_t>(id) < flags.size() && (flags[id] & flag);
    }

    void encodeText(std::string_view text, std::vector<std::int32_t> &ids, std::vector<std::string> &pieces) const;
    std::string tokenBytes(std::int32_t id) const;
};

} // namespace awb
