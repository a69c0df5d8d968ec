#include "text/normalizer.h"

#include "text/utf8.h"
#include "util/error.h"

#include <nlohmann/json.hpp>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <vector>

namespace awb {

namespace {

const UNormalizer2 *instance(Normalizer::Form form)
{
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *n = nullptr;
    switch (form) {
    case Normalizer::Form::Nfc: n = unorm2_getNFCInstance(&status); break;
    case Normalizer::Form::Nfd: n = unorm2_getNFDInstance(&status); break;
    case Normalizer::Form::Nfkc: n = unorm2_getNFKCInstance(&status); break;
    case Normalizer::Form::Nfkd: n = unorm2_getNFKDInstance(&status); break;
    }
    if (U_FAILURE(status) || !n)
        throw Error(std::string("ICU: normalizer unavailable: ") + u_errorName(status));
    return n;
}

void check(UErrorCode status, const char *what)
{
    if (U_FAILURE(status))
        throw Error(std::string("ICU: ") + what + " failed: " + u_errorName(status));
}

void parseInto(const nlohmann::json &j, const std::string &label, std::vector<Normalizer::Form> &forms)
{
    if (j.is_null())
        return;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw FormatError(label + ": expected an object with a string \"type\"");
    const std::string type = j["type"].get<std::string>();
    if (type == "NFC")
        forms.push_back(Normalizer::Form::Nfc);
    else if (type == "NFD")
        forms.push_back(Normalizer::Form::Nfd);
    else if (type == "NFKC")
        forms.push_back(Normalizer::Form::Nfkc);
    else if (type == "NFKD")
        forms.push_back(Normalizer::Form::Nfkd);
    else if (type == "Sequence") {
        const auto it = j.find("normalizers");
        if (it == j.end() || !it->is_array())
            throw FormatError(label + ".normalizers: missing or not an array");
        for (std::size_t k = 0; k < it->size(); ++k)
            parseInto((*it)[k], label + ".normalizers[" + std::to_string(k) + "]", forms);
    } else {
        throw FormatError(label + ".type: normalizer \"" + type
                          + "\" is not supported (supported: NFC, NFD, NFKC, NFKD, Sequence)");
    }
}

bool isAscii(std::string_view s)
{
    for (const char c : s)
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    return true;
}

} // namespace

Normalizer Normalizer::fromJson(const nlohmann::json &json, const std::string &label)
{
    Normalizer n;
    parseInto(json, label, n.m_forms);
    return n;
}

std::string Normalizer::apply(Form form, std::string_view text)
{
    // ASCII is invariant under all four forms; most text takes this path.
    if (isAscii(text))
        return std::string(text);
    const UNormalizer2 *norm = instance(form);
    // So is text whose every character is inert (unchanged, and composing with
    // nothing): curly quotes, CJK, emoji... Cheaper than the UTF-16 round trip.
    bool inert = true;
    for (std::size_t i = 0; i < text.size() && inert;) {
        const std::size_t n = utf8::sequenceLength(text, i);
        if (n == 0)
            break;   // not valid UTF-8: let ICU report it
        inert = n == 1 || unorm2_isInert(norm, static_cast<UChar32>(utf8::decodeAt(text, i, n)));
        i += n;
    }
    if (inert && utf8::isValid(text))
        return std::string(text);

    UErrorCode status = U_ZERO_ERROR;
    int32_t len16 = 0;
    u_strFromUTF8(nullptr, 0, &len16, text.data(), static_cast<int32_t>(text.size()), &status);
    if (status == U_BUFFER_OVERFLOW_ERROR)
        status = U_ZERO_ERROR;
    check(status, "UTF-8 to UTF-16");
    std::vector<UChar> src(static_cast<std::size_t>(len16) + 1);
    u_strFromUTF8(src.data(), len16 + 1, nullptr, text.data(), static_cast<int32_t>(text.size()), &status);
    check(status, "UTF-8 to UTF-16");

    if (unorm2_isNormalized(norm, src.data(), len16, &status) && U_SUCCESS(status))
        return std::string(text);
    status = U_ZERO_ERROR;

    int32_t lenOut = unorm2_normalize(norm, src.data(), len16, nullptr, 0, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR)
        status = U_ZERO_ERROR;
    check(status, "normalization");
    std::vector<UChar> dst(static_cast<std::size_t>(lenOut) + 1);
    unorm2_normalize(norm, src.data(), len16, dst.data(), lenOut + 1, &status);
    check(status, "normalization");

    int32_t len8 = 0;
    u_strToUTF8(nullptr, 0, &len8, dst.data(), lenOut, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR)
        status = U_ZERO_ERROR;
    check(status, "UTF-16 to UTF-8");
    std::string out(static_cast<std::size_t>(len8), '\0');
    u_strToUTF8(out.data(), len8, nullptr, dst.data(), lenOut, &status);
    if (status == U_STRING_NOT_TERMINATED_WARNING)
        status = U_ZERO_ERROR;
    check(status, "UTF-16 to UTF-8");
    return out;
}

std::string Normalizer::normalize(std::string_view text) const
{
    if (m_forms.empty())
        return std::string(text);
    std::string s(text);
    for (const Form f : m_forms)
        s = apply(f, s);
    return s;
}

} // namespace awb
