#pragma once
// The "pre_tokenizer" of tokenizer.json: Split (the file's own regex or
// string, all five delimiter behaviours, invert), ByteLevel (add_prefix_space,
// use_regex with the GPT-2 pattern) and Sequence. Turns one stretch of text
// into the pieces the BPE model encodes one at a time.
//
// Where transformers.js (the reference) and Hugging Face tokenizers differ,
// the two agree on every configuration real byte-level tokenizers use
// (Isolated, and Removed with invert); for the rarer behaviours
// (MergedWithPrevious, MergedWithNext, Contiguous, Isolated with invert) this
// follows Hugging Face tokenizers, which transformers.js treats as Isolated.
//
// Immutable after construction: any thread.

#include "text/ecma_regex.h"

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace awb {

class PreTokenizer
{
public:
    enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

    PreTokenizer() = default;   // no pre-tokenizer: the whole text is one piece

    // `json` is the "pre_tokenizer" value (null for none); `label` names it in
    // errors. Throws FormatError for unknown types and malformed fields.
    static PreTokenizer fromJson(const nlohmann::json &json, const std::string &label);

    // Splits valid UTF-8 text into pieces (empty pieces are dropped).
    void run(std::string_view text, std::vector<std::string> &pieces) const;

    // True when a ByteLevel step maps the pieces to GPT-2's byte alphabet.
    bool isByteLevel() const { return m_byteLevel; }

private:
    struct Step
    {
        enum class Kind { Split, ByteLevel } kind = Kind::Split;
        std::shared_ptr<const EcmaRegex> regex;   // Split's pattern, or ByteLevel's GPT-2 regex when use_regex
        Behavior behavior = Behavior::Isolated;
        bool invert = false;
        bool addPrefixSpace = false;
    };

    static void parseInto(const nlohmann::json &j, const std::string &label, std::vector<Step> &steps);
    static void applySplit(const Step &step, const std::string &piece, std::vector<std::string> &out);
    static void applyByteLevel(const Step &step, const std::string &piece, std::vector<std::string> &out);

    std::vector<Step> m_steps;
    bool m_byteLevel = false;
};

} // namespace awb
