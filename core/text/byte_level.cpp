#include "text/byte_level.h"

#include "text/utf8.h"

#include <array>

namespace awb::byte_level {

namespace {

struct Tables
{
    std::array<char32_t, 256> chars{};
    std::array<std::string, 256> utf8;
    std::array<int, 324> bytes{};   // code points 0..323 cover the whole image

    Tables()
    {
        bytes.fill(-1);
        const auto printable = [](int b) {
            return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        };
        int n = 0;
        for (int b = 0; b < 256; ++b) {
            const char32_t cp = printable(b) ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
            chars[b] = cp;
            utf8[b] = utf8::encode(cp);
            bytes[cp] = b;
        }
    }
};

const Tables &tables()
{
    static const Tables t;
    return t;
}

} // namespace

char32_t charOf(std::uint8_t b)
{
    return tables().chars[b];
}

const std::string &utf8Of(std::uint8_t b)
{
    return tables().utf8[b];
}

int byteOf(char32_t cp)
{
    const auto &t = tables();
    return cp < t.bytes.size() ? t.bytes[cp] : -1;
}

void appendEncoded(std::string &out, std::string_view bytes)
{
    const auto &t = tables();
    for (const char c : bytes)
        out += t.utf8[static_cast<unsigned char>(c)];
}

std::string encode(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    appendEncoded(out, bytes);
    return out;
}

bool decode(std::string_view text, std::string &out)
{
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8::sequenceLength(text, i);
        if (n == 0)
            return false;
        const int b = byteOf(utf8::decodeAt(text, i, n));
        if (b < 0)
            return false;
        out += static_cast<char>(b);
        i += n;
    }
    return true;
}

} // namespace awb::byte_level
