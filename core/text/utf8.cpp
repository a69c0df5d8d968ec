#include "text/utf8.h"

namespace awb::utf8 {

namespace {

bool isCont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

// Number of leading bytes of s[i..] that are a valid prefix of some well-formed
// sequence, together with the length that sequence would need (Unicode table 3-7).
struct Prefix
{
    std::size_t valid = 0;
    std::size_t needed = 0;
};

Prefix prefixAt(std::string_view s, std::size_t i)
{
    const auto c0 = static_cast<unsigned char>(s[i]);
    if (c0 < 0x80)
        return {1, 1};
    std::size_t need = 0;
    unsigned char lo = 0x80, hi = 0xBF;   // allowed range of the second byte
    if (c0 >= 0xC2 && c0 <= 0xDF) {
        need = 2;
    } else if (c0 >= 0xE0 && c0 <= 0xEF) {
        need = 3;
        if (c0 == 0xE0)
            lo = 0xA0;
        else if (c0 == 0xED)
            hi = 0x9F;
    } else if (c0 >= 0xF0 && c0 <= 0xF4) {
        need = 4;
        if (c0 == 0xF0)
            lo = 0x90;
        else if (c0 == 0xF4)
            hi = 0x8F;
    } else {
        return {0, 0};
    }
    std::size_t k = 1;
    while (k < need && i + k < s.size()) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        const bool ok = k == 1 ? (c >= lo && c <= hi) : isCont(c);
        if (!ok)
            break;
        ++k;
    }
    return {k, need};
}

} // namespace

std::size_t sequenceLength(std::string_view s, std::size_t i)
{
    const Prefix p = prefixAt(s, i);
    return p.needed != 0 && p.valid == p.needed ? p.needed : 0;
}

char32_t decodeAt(std::string_view s, std::size_t i, std::size_t n)
{
    const auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k])); };
    switch (n) {
    case 1:
        return b(0);
    case 2:
        return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
        return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
        return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    }
}

void append(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string encode(char32_t cp)
{
    std::string s;
    append(s, cp);
    return s;
}

bool isValid(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = sequenceLength(s, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::size_t incompleteTail(std::string_view s)
{
    // A lead byte at most 3 bytes from the end whose sequence is cut short by the end.
    const std::size_t from = s.size() > 3 ? s.size() - 3 : 0;
    for (std::size_t i = s.size(); i-- > from;) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (isCont(c))
            continue;
        const Prefix p = prefixAt(s, i);
        if (p.needed > 1 && p.valid == s.size() - i && p.valid < p.needed)
            return s.size() - i;
        return 0;
    }
    return 0;
}

std::string sanitize(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const Prefix p = prefixAt(s, i);
        if (p.needed != 0 && p.valid == p.needed) {
            out.append(s.substr(i, p.needed));
            i += p.needed;
        } else {
            out += "\xEF\xBF\xBD";
            i += p.valid > 0 ? p.valid : 1;
        }
    }
    return out;
}

bool isEcmaSpace(char32_t cp)
{
    switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000: case 0xFEFF:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

std::string_view trimEcmaStart(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t n = sequenceLength(s, i);
        if (n == 0 || !isEcmaSpace(decodeAt(s, i, n)))
            break;
        i += n;
    }
    return s.substr(i);
}

std::string_view trimEcmaEnd(std::string_view s)
{
    std::size_t end = s.size();
    while (end > 0) {
        std::size_t start = end - 1;
        while (start > 0 && end - start < 4 && isCont(static_cast<unsigned char>(s[start])))
            --start;
        const std::size_t n = sequenceLength(s, start);
        if (n != end - start || !isEcmaSpace(decodeAt(s, start, n)))
            break;
        end = start;
    }
    return s.substr(0, end);
}

} // namespace awb::utf8
