#pragma once
// Added tokens (tokenizer.json "added_tokens", special or not) are found in the
// raw text before normalization and pre-tokenization, so "<|im_start|>" typed
// into a prompt becomes its one id. Matching follows transformers.js: scan
// left to right, take the longest token starting at each position. Then
//   lstrip / rstrip  remove ECMAScript white space before / after the token;
//   single_word      (Hugging Face tokenizers; transformers.js ignores it) the
//                    token only matches when no letter, digit or '_' touches it;
//   normalized       tokens are matched in the raw text, as transformers.js does.
// Immutable after construction: any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace awb {

struct AddedToken
{
    std::string content;
    std::int32_t id = 0;
    bool special = false;
    bool lstrip = false;
    bool rstrip = false;
    bool singleWord = false;
    bool normalized = false;
};

class AddedTokenMatcher
{
public:
    struct Section
    {
        std::string_view text;   // the token's content when `token` is set
        int token = -1;          // index into tokens(), or -1 for plain text
    };

    AddedTokenMatcher() = default;
    explicit AddedTokenMatcher(std::vector<AddedToken> tokens);

    const std::vector<AddedToken> &tokens() const { return m_tokens; }

    // Splits text into plain sections and added tokens, after stripping.
    // Plain sections may be empty; the views point into `text`.
    std::vector<Section> split(std::string_view text) const;

private:
    struct Node
    {
        std::vector<std::pair<unsigned char, std::int32_t>> next;   // sorted by byte
        int token = -1;
    };

    std::int32_t child(std::int32_t node, unsigned char byte) const;
    bool wordBoundaryOk(std::string_view text, std::size_t begin, std::size_t end) const;

    std::vector<AddedToken> m_tokens;
    std::vector<Node> m_nodes;
    bool m_firstByte[256] = {};
};

} // namespace awb
