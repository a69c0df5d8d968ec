#include "text/added_tokens.h"

#include "text/utf8.h"

#include <unicode/uchar.h>

#include <algorithm>

namespace awb {

namespace {

bool isWordChar(char32_t cp)
{
    return cp == '_' || u_isalnum(static_cast<UChar32>(cp));
}

// The code point that ends just before byte `end`, or 0 when none.
char32_t codePointBefore(std::string_view s, std::size_t end)
{
    if (end == 0)
        return 0;
    std::size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
        --start;
    const std::size_t n = utf8::sequenceLength(s, start);
    return n == end - start ? utf8::decodeAt(s, start, n) : 0;
}

char32_t codePointAt(std::string_view s, std::size_t i)
{
    if (i >= s.size())
        return 0;
    const std::size_t n = utf8::sequenceLength(s, i);
    return n ? utf8::decodeAt(s, i, n) : 0;
}

} // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens) : m_tokens(std::move(tokens))
{
    m_nodes.emplace_back();
    for (std::size_t t = 0; t < m_tokens.size(); ++t) {
        const std::string &content = m_tokens[t].content;
        if (content.empty())
            continue;
        m_firstByte[static_cast<unsigned char>(content[0])] = true;
        std::int32_t node = 0;
        for (const char c : content) {
            const auto byte = static_cast<unsigned char>(c);
            std::int32_t next = child(node, byte);
            if (next < 0) {
                next = static_cast<std::int32_t>(m_nodes.size());
                m_nodes.emplace_back();
                auto &edges = m_nodes[node].next;
                edges.insert(std::lower_bound(edges.begin(), edges.end(), std::make_pair(byte, std::int32_t{0})),
                             {byte, next});
            }
            node = next;
        }
        m_nodes[node].token = static_cast<int>(t);   // a later duplicate wins, as in a JS Map
    }
}

std::int32_t AddedTokenMatcher::child(std::int32_t node, unsigned char byte) const
{
    const auto &edges = m_nodes[node].next;
    const auto it = std::lower_bound(edges.begin(), edges.end(), std::make_pair(byte, std::int32_t{0}));
    return it != edges.end() && it->first == byte ? it->second : -1;
}

bool AddedTokenMatcher::wordBoundaryOk(std::string_view text, std::size_t begin, std::size_t end) const
{
    return !isWordChar(codePointBefore(text, begin)) && !isWordChar(codePointAt(text, end));
}

std::vector<AddedTokenMatcher::Section> AddedTokenMatcher::split(std::string_view text) const
{
    std::vector<Section> sections;
    std::size_t start = 0, i = 0;
    while (i < text.size()) {
        int match = -1;
        std::size_t matchEnd = 0;
        if (m_firstByte[static_cast<unsigned char>(text[i])]) {
            std::int32_t node = 0;
            for (std::size_t j = i; j < text.size(); ++j) {
                node = child(node, static_cast<unsigned char>(text[j]));
                if (node < 0)
                    break;
                const int t = m_nodes[node].token;
                if (t >= 0 && (!m_tokens[t].singleWord || wordBoundaryOk(text, i, j + 1))) {
                    match = t;   // keep the longest
                    matchEnd = j + 1;
                }
            }
        }
        if (match < 0) {
            ++i;
            continue;
        }
        if (i > start)
            sections.push_back({text.substr(start, i - start), -1});
        sections.push_back({text.substr(i, matchEnd - i), match});
        i = start = matchEnd;
    }
    if (start < text.size())
        sections.push_back({text.substr(start), -1});

    for (std::size_t k = 0; k < sections.size(); ++k) {
        if (sections[k].token < 0)
            continue;
        const AddedToken &t = m_tokens[sections[k].token];
        if (t.lstrip && k > 0 && sections[k - 1].token < 0)
            sections[k - 1].text = utf8::trimEcmaEnd(sections[k - 1].text);
        if (t.rstrip && k + 1 < sections.size() && sections[k + 1].token < 0)
            sections[k + 1].text = utf8::trimEcmaStart(sections[k + 1].text);
    }
    return sections;
}

} // namespace awb
