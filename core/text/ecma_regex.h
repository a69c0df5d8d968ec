#pragma once
// A pre-tokenizer regex from tokenizer.json, run by PCRE2 (UTF + UCP, JIT when
// available) with the meaning the reference tokenizer gives it.
//
// The reference, transformers.js, compiles these patterns as ECMAScript regexes
// with the `u` flag, and PCRE2 reads a few constructs differently. toPcre2()
// rewrites them so that both engines match the same text:
//   \s \S   ECMAScript white space (includes U+FEFF, excludes U+0085), written out
//   \d \w   ASCII only, as in ECMAScript (and their negations)
//   .       anything but \n \r U+2028 U+2029
//   (?i:x)  ASCII letters in x become [xX]: transformers.js rewrites the one
//           case-insensitive group it meets ("(?i:'s|'t|...)") the same way, so
//           Unicode case folding (U+017F matching s) never applies
//   \uXXXX, \u{X}, surrogate pairs, \xHH   as \x{...}
//   \p{Script=X}, \p{sc=X}, \p{gc=X}, \p{General_Category=X}   as \p{X}
//   []  and [^]   the empty class and "any character"
// Property classes (\p{L}, \p{N}, ...) come from PCRE2's Unicode tables, which
// may be an older Unicode version than the reference's: code points assigned
// after that version are classified differently.
//
// Immutable after construction; match from any number of threads at once.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace awb {

class EcmaRegex
{
public:
    // `label` names the pattern's origin in errors, e.g. "tokenizer.json: pre_tokenizer.pattern.Regex".
    // Throws FormatError when the pattern does not compile.
    EcmaRegex(const std::string &ecmaPattern, const std::string &label);
    ~EcmaRegex();
    EcmaRegex(const EcmaRegex &) = delete;
    EcmaRegex &operator=(const EcmaRegex &) = delete;

    // The PCRE2 pattern that an ECMAScript pattern (with the u flag) becomes.
    static std::string toPcre2(const std::string &ecmaPattern);

    // Every match of a global search, in order, as String.prototype.matchAll
    // finds them: after an empty match the search resumes one code point later.
    // `text` must be valid UTF-8 (it is not checked again).
    void forEachMatch(std::string_view text, const std::function<void(std::size_t begin, std::size_t end)> &onMatch) const;

    bool usesJit() const { return m_jit; }
    const std::string &pattern() const { return m_pattern; }

private:
    std::string m_pattern;
    std::string m_label;
    void *m_code = nullptr;   // pcre2_code_8, kept out of the header
    bool m_jit = false;
};

} // namespace awb
