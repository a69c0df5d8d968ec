#include "text/tokenizer_impl.h"

#include "text/byte_level.h"
#include "text/utf8.h"
#include "util/error.h"

#include <cstdio>

namespace awb {

void Tokenizer::Impl::encodeText(std::string_view text, std::vector<std::int32_t> &ids,
                                 std::vector<std::string> &pieces) const
{
    if (text.empty())
        return;
    if (normalizer.isIdentity()) {
        preTokenizer.run(text, pieces);
    } else {
        const std::string normalized = normalizer.normalize(text);
        preTokenizer.run(normalized, pieces);
    }
    for (const auto &piece : pieces)
        model.encodePiece(piece, ids);
}

std::vector<std::int32_t> Tokenizer::encode(const std::string &text, bool addSpecialTokens) const
{
    const Impl &d = *m_impl;
    std::vector<std::int32_t> ids;
    ids.reserve(text.size() / 3 + 4);
    if (addSpecialTokens)
        ids.insert(ids.end(), d.prefixIds.begin(), d.prefixIds.end());
    std::vector<std::string> pieces;
    for (const auto &section : d.added.split(text)) {
        if (section.token >= 0) {
            ids.push_back(d.added.tokens()[section.token].id);
            continue;
        }
        // Valid UTF-8 runs go through the pipeline; invalid bytes become byte tokens.
        const std::string_view s = section.text;
        std::size_t i = 0;
        while (i < s.size()) {
            std::size_t j = i;
            while (j < s.size()) {
                const std::size_t n = utf8::sequenceLength(s, j);
                if (n == 0)
                    break;
                j += n;
            }
            d.encodeText(s.substr(i, j - i), ids, pieces);
            std::size_t k = j;
            while (k < s.size() && utf8::sequenceLength(s, k) == 0)
                ++k;
            d.model.encodeRawBytes(s.substr(j, k - j), d.preTokenizer.isByteLevel(), ids);
            i = k;
        }
    }
    if (addSpecialTokens)
        ids.insert(ids.end(), d.suffixIds.begin(), d.suffixIds.end());
    return ids;
}

std::string Tokenizer::Impl::tokenBytes(std::int32_t id) const
{
    const std::string *token = model.idToToken(id);
    if (!token)
        throw Error(label + ": token id " + std::to_string(id) + " is outside the vocabulary (size "
                    + std::to_string(model.idLimit()) + ")");
    if (has(id, kAdded))
        return *token;
    std::string text = *token;
    for (const DecodeStep step : decodeSteps) {
        if (step == DecodeStep::ByteFallback) {
            unsigned int byte = 0;
            char tail = 0;
            if (text.size() == 6 && std::sscanf(text.c_str(), "<0x%2X%c", &byte, &tail) == 2 && tail == '>')
                text = std::string(1, static_cast<char>(byte));
        } else {
            std::string bytes;
            if (byte_level::decode(text, bytes))
                text = std::move(bytes);   // else keep the token as it is, as Hugging Face tokenizers does
        }
    }
    return text;
}

std::string Tokenizer::decodeToken(std::int32_t id, bool skipSpecialTokens) const
{
    if (skipSpecialTokens && m_impl->has(id, Impl::kSpecial))
        return {};
    return m_impl->tokenBytes(id);
}

std::string Tokenizer::decode(const std::vector<std::int32_t> &ids, bool skipSpecialTokens) const
{
    DecodeOptions options;
    options.skipSpecialTokens = skipSpecialTokens;
    return decode(ids, options);
}

std::string Tokenizer::decode(const std::vector<std::int32_t> &ids, const DecodeOptions &options) const
{
    const Impl &d = *m_impl;
    std::string out;
    bool first = true;
    for (const std::int32_t id : ids) {
        if (options.skipSpecialTokens && d.has(id, Impl::kSpecial))
            continue;
        if (d.joinWithSpaces && !first)
            out += ' ';
        out += d.tokenBytes(id);
        first = false;
    }
    if (options.cleanUpTokenizationSpaces) {
        // transformers' clean_up_tokenization, replacement for replacement.
        static const std::pair<const char *, const char *> kRules[] = {
            {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
            {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"},
        };
        for (const auto &[from, to] : kRules) {
            std::string next;
            const std::string f = from;
            std::size_t pos = 0;
            for (std::size_t hit; (hit = out.find(f, pos)) != std::string::npos; pos = hit + f.size())
                next.append(out, pos, hit - pos).append(to);
            next.append(out, pos, std::string::npos);
            out.swap(next);
        }
    }
    return out;
}

std::int32_t Tokenizer::vocabSize() const
{
    return m_impl->model.idLimit();
}

bool Tokenizer::hasId(std::int32_t id) const
{
    return m_impl->model.idToToken(id) != nullptr;
}

std::optional<std::int32_t> Tokenizer::tokenToId(const std::string &token) const
{
    return m_impl->model.tokenToId(token);
}

std::string Tokenizer::idToToken(std::int32_t id) const
{
    const std::string *token = m_impl->model.idToToken(id);
    if (!token)
        throw Error(m_impl->label + ": token id " + std::to_string(id) + " is outside the vocabulary (size "
                    + std::to_string(vocabSize()) + ")");
    return *token;
}

bool Tokenizer::isSpecial(std::int32_t id) const
{
    return m_impl->has(id, Impl::kSpecial);
}

std::optional<std::int32_t> Tokenizer::bosId() const { return m_impl->bos; }
std::optional<std::int32_t> Tokenizer::eosId() const { return m_impl->eos; }
std::optional<std::int32_t> Tokenizer::padId() const { return m_impl->pad; }
std::optional<std::int32_t> Tokenizer::unkId() const { return m_impl->unk; }

std::string Tokenizer::normalize(const std::string &text) const
{
    // Invalid bytes pass through unchanged, as encode() treats them.
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t j = i;
        while (j < text.size() && utf8::sequenceLength(text, j) != 0)
            j += utf8::sequenceLength(text, j);
        out += m_impl->normalizer.normalize(std::string_view(text).substr(i, j - i));
        std::size_t k = j;
        while (k < text.size() && utf8::sequenceLength(text, k) == 0)
            ++k;
        out.append(text, j, k - j);
        i = k;
    }
    return out;
}

const ChatTemplate &Tokenizer::chatTemplate() const
{
    return m_impl->chat;
}

std::string Tokenizer::applyChatTemplate(const std::vector<ChatMessage> &messages, bool addGenerationPrompt) const
{
    ChatTemplateOptions options;
    options.addGenerationPrompt = addGenerationPrompt;
    return applyChatTemplate(messages, options);
}

std::string Tokenizer::applyChatTemplate(const std::vector<ChatMessage> &messages,
                                         const ChatTemplateOptions &options) const
{
    try {
        return m_impl->chat.apply(messages, options);
    } catch (const Error &e) {
        throw Error(m_impl->configLabel + ": " + e.what());
    }
}

const std::string &Tokenizer::path() const
{
    return m_impl->label;
}

} // namespace awb
