#include "text/token_stream_decoder.h"

#include "text/utf8.h"

#include <utility>

namespace awb {

TokenStreamDecoder::TokenStreamDecoder(Tokenizer tokenizer, bool skipSpecialTokens)
    : m_tokenizer(std::move(tokenizer)), m_skipSpecial(skipSpecialTokens)
{
}

std::string TokenStreamDecoder::push(std::int32_t id)
{
    m_pending += m_tokenizer.decodeToken(id, m_skipSpecial);
    const std::size_t hold = utf8::incompleteTail(m_pending);
    const std::string ready = utf8::sanitize(std::string_view(m_pending).substr(0, m_pending.size() - hold));
    m_pending.erase(0, m_pending.size() - hold);
    return ready;
}

std::string TokenStreamDecoder::finish()
{
    std::string rest = utf8::sanitize(m_pending);
    m_pending.clear();
    return rest;
}

} // namespace awb
