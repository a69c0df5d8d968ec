#include "text/ecma_regex.h"

#include "io/input_limits.h"
#include "text/utf8.h"
#include "util/error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

namespace awb {

namespace {

// ECMAScript WhiteSpace and LineTerminator, as the body of a character class.
constexpr const char *kSpaceBody = "\\t\\n\\x{0B}\\f\\r\\x{20}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}"
                                   "\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
constexpr const char *kDigitBody = "0-9";
constexpr const char *kWordBody = "A-Za-z0-9_";

bool isHex(char c)
{
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

std::string hexCode(unsigned long cp)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "\\x{%lX}", cp);
    return buf;
}

// Reads \uXXXX or \u{X...} at p[i] (p[i] == '\\', p[i+1] == 'u'); returns the
// code point and advances i past it, or returns -1 and leaves i alone.
long readUnicodeEscape(const std::string &p, std::size_t &i)
{
    if (i + 2 < p.size() && p[i + 2] == '{') {
        const std::size_t close = p.find('}', i + 3);
        if (close == std::string::npos || close == i + 3)
            return -1;
        for (std::size_t k = i + 3; k < close; ++k)
            if (!isHex(p[k]))
                return -1;
        // Leading zeros are allowed; past six significant digits the value is beyond U+10FFFF
        // (and beyond what stol reads), which PCRE2 then refuses like ECMAScript does.
        const std::size_t first = std::min(p.find_first_not_of('0', i + 3), close);
        const long cp = close - first > 6 ? 0x110000
                        : first == close  ? 0
                                          : std::stol(p.substr(first, close - first), nullptr, 16);
        i = close + 1;
        return cp;
    }
    if (i + 5 < p.size() && isHex(p[i + 2]) && isHex(p[i + 3]) && isHex(p[i + 4]) && isHex(p[i + 5])) {
        long cp = std::stol(p.substr(i + 2, 4), nullptr, 16);
        std::size_t next = i + 6;
        // A surrogate pair written as two escapes is one code point in u-mode.
        if (cp >= 0xD800 && cp <= 0xDBFF && next + 5 < p.size() && p[next] == '\\' && p[next + 1] == 'u'
            && isHex(p[next + 2]) && isHex(p[next + 3]) && isHex(p[next + 4]) && isHex(p[next + 5])) {
            const long lo = std::stol(p.substr(next + 2, 4), nullptr, 16);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                next += 6;
            }
        }
        i = next;
        return cp;
    }
    return -1;
}

// Translates the escape at p[i] (a backslash). `inClass` selects the form that
// fits inside [...]. Advances i past the escape.
std::string translateEscape(const std::string &p, std::size_t &i, bool inClass)
{
    if (i + 1 >= p.size()) {
        ++i;
        return "\\";
    }
    const char c = p[i + 1];
    const auto body = [&](const char *b) { return inClass ? std::string(b) : "[" + std::string(b) + "]"; };
    const auto negated = [&](const char *b, const char *pcre) {
        // A negated class cannot nest inside another class; PCRE2's own escape is the
        // closest there (it differs only outside ASCII).
        return inClass ? std::string(pcre) : "[^" + std::string(b) + "]";
    };
    switch (c) {
    case 's': i += 2; return body(kSpaceBody);
    case 'S': i += 2; return negated(kSpaceBody, "\\S");
    case 'd': i += 2; return body(kDigitBody);
    case 'D': i += 2; return negated(kDigitBody, "\\D");
    case 'w': i += 2; return body(kWordBody);
    case 'W': i += 2; return negated(kWordBody, "\\W");
    case 'u': {
        const long cp = readUnicodeEscape(p, i);
        if (cp >= 0)
            return hexCode(static_cast<unsigned long>(cp));
        i += 2;
        return "u";
    }
    case 'x':
        if (i + 3 < p.size() && isHex(p[i + 2]) && isHex(p[i + 3])) {
            const std::string hex = p.substr(i + 2, 2);
            i += 4;
            return "\\x{" + hex + "}";
        }
        i += 2;
        return "x";
    case 'p':
    case 'P': {
        const std::size_t close = p.find('}', i + 2);
        if (i + 2 >= p.size() || p[i + 2] != '{' || close == std::string::npos) {
            i += 2;
            return std::string("\\") + c;
        }
        std::string name = p.substr(i + 3, close - i - 3);
        const std::size_t eq = name.find('=');
        if (eq != std::string::npos) {
            const std::string key = name.substr(0, eq);
            if (key == "Script" || key == "sc" || key == "General_Category" || key == "gc")
                name = name.substr(eq + 1);
        }
        i = close + 1;
        return std::string("\\") + c + "{" + name + "}";
    }
    default: {
        // Copy the escape with its whole (possibly multi-byte) character.
        std::size_t n = utf8::sequenceLength(p, i + 1);
        if (n == 0)
            n = 1;
        std::string out = p.substr(i, 1 + n);
        i += 1 + n;
        return out;
    }
    }
}

bool isAsciiLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

char upper(char c)
{
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
}

struct MatchState
{
    pcre2_match_data *data = nullptr;
    pcre2_match_context *context = nullptr;
    pcre2_jit_stack *jitStack = nullptr;

    MatchState()
    {
        data = pcre2_match_data_create(1, nullptr);
        context = pcre2_match_context_create(nullptr);
        jitStack = pcre2_jit_stack_create(32 * 1024, static_cast<PCRE2_SIZE>(kMaxRegexJitStackBytes), nullptr);
        if (context && jitStack)
            pcre2_jit_stack_assign(context, nullptr, jitStack);
        if (context) {
            pcre2_set_match_limit(context, kMaxRegexMatchSteps);
            pcre2_set_depth_limit(context, kMaxRegexMatchSteps);
            pcre2_set_heap_limit(context, kMaxRegexHeapKiB);
        }
    }
    ~MatchState()
    {
        pcre2_jit_stack_free(jitStack);
        pcre2_match_context_free(context);
        pcre2_match_data_free(data);
    }
    MatchState(const MatchState &) = delete;
    MatchState &operator=(const MatchState &) = delete;
};

// One per thread, shared by every pattern: the match data holds only the whole match.
MatchState &matchState()
{
    thread_local MatchState state;
    return state;
}

// Why pcre2_match failed, naming the limit when one was hit.
std::string matchFailure(int rc)
{
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
        return "the regex needs more than " + std::to_string(kMaxRegexMatchSteps)
               + " backtracking steps (the limit of a tokenizer regex); it backtracks catastrophically";
    if (rc == PCRE2_ERROR_HEAPLIMIT)
        return "the regex needs more than " + byteCountText(std::int64_t{kMaxRegexHeapKiB} * 1024)
               + " of memory (the limit of a tokenizer regex)";
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        return "the regex needs more than " + byteCountText(kMaxRegexJitStackBytes)
               + " of JIT stack (the limit of a tokenizer regex)";
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(rc, message, sizeof message);
    return reinterpret_cast<const char *>(message);
}

} // namespace

std::string EcmaRegex::toPcre2(const std::string &p)
{
    std::string out;
    out.reserve(p.size() * 2);
    std::vector<bool> groups;   // per open group: case-insensitive?
    const auto caseless = [&] { return !groups.empty() && groups.back(); };

    std::size_t i = 0;
    while (i < p.size()) {
        const char c = p[i];
        if (c == '\\') {
            out += translateEscape(p, i, false);
        } else if (c == '(') {
            if (p.compare(i, 4, "(?i:") == 0) {
                groups.push_back(true);
                out += "(?:";
                i += 4;
            } else {
                groups.push_back(caseless());
                out += '(';
                ++i;
            }
        } else if (c == ')') {
            if (!groups.empty())
                groups.pop_back();
            out += ')';
            ++i;
        } else if (c == '.') {
            out += "[^\\n\\r\\x{2028}\\x{2029}]";
            ++i;
        } else if (c == '[') {
            ++i;
            bool negate = false;
            if (i < p.size() && p[i] == '^') {
                negate = true;
                ++i;
            }
            if (i < p.size() && p[i] == ']') {
                out += negate ? "[\\s\\S]" : "(?!)";   // ECMAScript's [^] and []
                ++i;
                continue;
            }
            out += negate ? "[^" : "[";
            char prev = 0;
            while (i < p.size() && p[i] != ']') {
                const char d = p[i];
                if (d == '\\') {
                    out += translateEscape(p, i, true);
                    prev = 0;
                } else if (d == '[') {
                    out += "\\[";   // literal in ECMAScript, a POSIX class opener in PCRE2
                    ++i;
                    prev = d;
                } else if (caseless() && isAsciiLetter(d) && prev != '-'
                           && !(i + 1 < p.size() && p[i + 1] == '-')) {
                    out += lower(d);
                    out += upper(d);
                    ++i;
                    prev = d;
                } else {
                    out += d;
                    ++i;
                    prev = d;
                }
            }
            if (i < p.size()) {
                out += ']';
                ++i;
            }
        } else if (caseless() && isAsciiLetter(c)) {
            out += '[';
            out += lower(c);
            out += upper(c);
            out += ']';
            ++i;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

EcmaRegex::EcmaRegex(const std::string &ecmaPattern, const std::string &label)
    : m_pattern(toPcre2(ecmaPattern)), m_label(label)
{
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(m_pattern.data()), m_pattern.size(),
                                     PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &errorCode, &errorOffset, nullptr);
    if (!code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof message);
        throw FormatError(label + ": regex " + ecmaPattern + " does not compile (as " + m_pattern + ", at offset "
                          + std::to_string(errorOffset) + "): " + reinterpret_cast<const char *>(message));
    }
    m_code = code;
    std::uint32_t jitAvailable = 0;
    pcre2_config(PCRE2_CONFIG_JIT, &jitAvailable);
    m_jit = jitAvailable && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
}

EcmaRegex::~EcmaRegex()
{
    pcre2_code_free(static_cast<pcre2_code *>(m_code));
}

void EcmaRegex::forEachMatch(std::string_view text,
                             const std::function<void(std::size_t, std::size_t)> &onMatch) const
{
    MatchState &state = matchState();
    auto *code = static_cast<pcre2_code *>(m_code);
    const auto *subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const int rc = pcre2_match(code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, state.data, state.context);
        if (rc == PCRE2_ERROR_NOMATCH)
            return;
        if (rc < 0)
            throw Error(m_label + ": matching regex failed at byte " + std::to_string(pos) + ": " + matchFailure(rc));
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(state.data);
        const std::size_t begin = ov[0], end = ov[1];
        onMatch(begin, end);
        if (end > begin) {
            pos = end;
        } else if (end < text.size()) {
            const std::size_t n = utf8::sequenceLength(text, end);
            pos = end + (n ? n : 1);
        } else {
            return;
        }
    }
}

} // namespace awb
