#pragma once
// A Hugging Face tokenizer.json (byte-level BPE: GPT-2, Llama 3, Qwen2/2.5/3,
// SmolLM2, GPT-4o's o200k, the project's demo tokenizer) with its
// tokenizer_config.json, producing the same ids as transformers.js.
//
// Encoding: added tokens are split out of the raw text first (see
// added_tokens.h); every other stretch is normalized, pre-tokenized and
// encoded piece by piece by the BPE model. Input is bytes: stretches that are
// not valid UTF-8 never reach the normalizer or the regex; each invalid byte
// becomes its own byte token (or <0xXX> byte-fallback token), so
// decode(encode(x)) == x for any byte string when the normalizer leaves x
// unchanged (NFC-normalizing tokenizers give back NFC(x)).
//
// Decoding returns raw bytes: added tokens as their content, other tokens
// through the decoder (ByteLevel, ByteFallback, Fuse, or a Sequence of them).
// A whole encoded sequence decodes to valid UTF-8; a slice of one may end in
// the middle of a character, which is what TokenStreamDecoder is for.
// clean_up_tokenization_spaces is off unless asked for, so decoding stays lossless.
//
// Cheap to copy (the tables are shared and immutable). All const methods may
// be called from any number of threads at once; the BPE cache has its own lock.

#include "text/chat_template.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace awb {

struct DecodeOptions
{
    bool skipSpecialTokens = false;           // drop special tokens (special added tokens, additional_special_tokens)
    bool cleanUpTokenizationSpaces = false;   // transformers' " ." -> "." etc.; loses information
};

class Tokenizer
{
public:
    // `pathOrDir` is a model folder holding tokenizer.json, or a tokenizer.json
    // file; tokenizer_config.json beside it is read when present. Throws IoError
    // when unreadable, FormatError naming the file and field when malformed.
    static Tokenizer load(const std::string &pathOrDir);

    // From file contents; `configJson` may be empty. `label` names the tokenizer
    // in errors (normally the tokenizer.json path), `configLabel` the config.
    static Tokenizer fromJsonText(const std::string &tokenizerJson, const std::string &configJson,
                                  const std::string &label, const std::string &configLabel = "tokenizer_config.json");

    std::vector<std::int32_t> encode(const std::string &text, bool addSpecialTokens = false) const;

    // Throws Error naming the id when an id is outside the vocabulary.
    std::string decode(const std::vector<std::int32_t> &ids, bool skipSpecialTokens = false) const;
    std::string decode(const std::vector<std::int32_t> &ids, const DecodeOptions &options) const;

    // The bytes one token decodes to on its own (empty for a skipped special token).
    std::string decodeToken(std::int32_t id, bool skipSpecialTokens = false) const;

    // One more than the largest id (model vocabulary and added tokens).
    std::int32_t vocabSize() const;
    // Whether `id` names a token (ids below vocabSize() may still be holes).
    bool hasId(std::int32_t id) const;
    std::optional<std::int32_t> tokenToId(const std::string &token) const;
    // The vocabulary string of an id (byte-level form). Throws Error for an unknown id.
    std::string idToToken(std::int32_t id) const;
    bool isSpecial(std::int32_t id) const;

    // From tokenizer_config.json (bos_token, eos_token, pad_token, unk_token);
    // std::nullopt when not set or not in the vocabulary.
    std::optional<std::int32_t> bosId() const;
    std::optional<std::int32_t> eosId() const;
    std::optional<std::int32_t> padId() const;
    std::optional<std::int32_t> unkId() const;

    // The normalizer alone (identity for most byte-level tokenizers).
    std::string normalize(const std::string &text) const;

    const ChatTemplate &chatTemplate() const;
    std::string applyChatTemplate(const std::vector<ChatMessage> &messages, bool addGenerationPrompt) const;
    std::string applyChatTemplate(const std::vector<ChatMessage> &messages, const ChatTemplateOptions &options) const;

    const std::string &path() const;   // the tokenizer.json it came from (or the label)

    struct Impl;

private:
    explicit Tokenizer(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
    std::shared_ptr<const Impl> m_impl;
};

} // namespace awb
