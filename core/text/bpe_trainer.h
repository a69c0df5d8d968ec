#pragma once
// Trains a byte-level BPE tokenizer on plain texts, as Hugging Face tokenizers'
// BpeTrainer does with a ByteLevel initial alphabet, and writes it as a
// tokenizer.json + tokenizer_config.json pair that awb::Tokenizer,
// transformers.js and transformers load unchanged. Used to make the embedded
// demo's tokenizer (DESIGN.md, "The embedded demo").
//
// Pipeline (written into tokenizer.json, Qwen2's layout): special tokens are
// split out of each text first (they are never part of a merge), then
// Split(pattern, Isolated) + ByteLevel(no prefix space, no regex) cut the rest
// into words of byte-level characters. Ids: the special tokens 0..n-1, then
// the 256 byte-level characters in code point order ('!' is n, U+0100, which
// stands for byte 0, comes after 'ÿ'), then one id per new merged token.
// Bytes that are not valid UTF-8 are left out of training (they encode as
// single byte tokens anyway).
//
// Merge order: the pair of adjacent symbols with the highest count over all
// words (a word of count c contributes c per occurrence, overlapping ones
// included: "aaa" counts (a, a) twice) is merged next; among equal counts the
// pair with the smaller first id wins, then the smaller second id. This is the
// rule of Hugging Face tokenizers (trainer.rs, `impl Ord for Merge`: count,
// then ascending pair). Training stops when the vocabulary reaches vocabSize,
// or no pair occurs at least minFrequency times (then the vocabulary is
// smaller). When two different pairs make the same string, the later merge
// reuses the earlier token's id, as Hugging Face does. Pair counts are kept
// exact and updated only in the words that hold the merged pair, so the
// result is the same whatever the hash order, and ~1 MB of text trains in
// seconds.
//
// Free functions without shared state: any thread, several at once.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace awb {

struct BpeTrainerOptions
{
    // Total vocabulary size: special tokens + 256 byte tokens + merged tokens.
    // Must be at least specialTokens.size() + 256.
    std::int64_t vocabSize = 2048;
    // A pair must occur at least this often (summed over the corpus) to be merged.
    std::int64_t minFrequency = 2;
    // Added as special tokens with ids 0..n-1, in this order. The first one is
    // eos_token and pad_token in tokenizer_config.json ("<|endoftext|>"); there is no bos_token.
    std::vector<std::string> specialTokens = {"<|endoftext|>", "<|user|>", "<|assistant|>", "<|system|>", "<|end|>"};
    // The Split pre-tokenizer's regex (ECMAScript syntax, as in tokenizer.json);
    // empty means GPT-2's pattern.
    std::string preTokenizerPattern;
    // tokenizer_config.json "model_max_length": the context the demo policy is built for.
    std::int64_t modelMaxLength = 2048;
};

struct BpeTrainerResult
{
    std::string tokenizerJson;         // tokenizer.json content
    std::string tokenizerConfigJson;   // tokenizer_config.json content (chat template: ChatTemplateKind::Demo)
    std::int64_t merges = 0;           // number of merge rules learnt
};

// GPT-2's pre-tokenizer pattern, the default of BpeTrainerOptions::preTokenizerPattern.
const std::string &gpt2PreTokenizerPattern();

// Trains on `texts` (any bytes; see above). `progress(done, total)` is called
// now and then with merges done and the most merges vocabSize allows.
// Deterministic: the same texts and options give byte-identical files.
// Throws Error naming the option for a vocabSize below the base vocabulary, an
// empty or repeated special token; FormatError for a pattern that does not compile.
BpeTrainerResult trainBpeTokenizer(const std::vector<std::string> &texts, const BpeTrainerOptions &options,
                                   const std::function<void(std::int64_t, std::int64_t)> &progress = {});

// Writes dir/tokenizer.json and dir/tokenizer_config.json (creating dir), each
// atomically. Throws IoError naming the file or folder.
void writeTokenizerFiles(const BpeTrainerResult &result, const std::string &dir);

} // namespace awb
