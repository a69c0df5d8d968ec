#pragma once
// Turns generated token ids into text as they arrive, for a sampler that
// prints while it samples. A character may be split across tokens (byte-level
// BPE spells rare characters and emoji byte by byte), so push() returns only
// complete UTF-8 and holds back the bytes of a character that is still
// incomplete; bytes that can never become valid UTF-8 come out as U+FFFD.
// The concatenated output of push() and finish() is valid UTF-8 and, for a
// sequence that decodes to valid UTF-8, equal to Tokenizer::decode(ids)
// (except for a tokenizer.json without a decoder, whose decode() puts spaces
// between tokens; the stream does not).
//
// One object per stream, used by one thread at a time. It holds its own copy
// of the tokenizer (a shared pointer), so it may outlive the one it came from.

#include "text/tokenizer.h"

#include <cstdint>
#include <string>

namespace awb {

class TokenStreamDecoder
{
public:
    explicit TokenStreamDecoder(Tokenizer tokenizer, bool skipSpecialTokens = false);

    // The text that became complete with this token (possibly empty).
    // Throws Error for an id outside the vocabulary.
    std::string push(std::int32_t id);

    // Whatever is still held back, as U+FFFD; then the decoder starts afresh.
    std::string finish();

    // Bytes held back because they end in an incomplete character.
    std::size_t pendingBytes() const { return m_pending.size(); }

private:
    Tokenizer m_tokenizer;
    bool m_skipSpecial = false;
    std::string m_pending;
};

} // namespace awb
