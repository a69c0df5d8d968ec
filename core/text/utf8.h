#pragma once
// UTF-8 helpers for the tokenizer: code point iteration, validation that finds
// invalid bytes instead of failing, and the ECMAScript notion of white space
// (the reference tokenizer, transformers.js, trims and matches \s with it).
// Free functions on plain strings: any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace awb::utf8 {

// Length of the well-formed UTF-8 sequence starting at s[i] (1 to 4), or 0 when
// the byte there does not start one (stray continuation byte, overlong form,
// surrogate, beyond U+10FFFF, or truncated at the end of s).
std::size_t sequenceLength(std::string_view s, std::size_t i);

// The code point of the well-formed sequence at s[i] of length n (from sequenceLength).
char32_t decodeAt(std::string_view s, std::size_t i, std::size_t n);

void append(std::string &out, char32_t cp);
std::string encode(char32_t cp);

// True when s is entirely well-formed UTF-8.
bool isValid(std::string_view s);

// Number of bytes at the end of s that form an incomplete but so far valid
// sequence (a lead byte followed by fewer continuation bytes than it needs): 0..3.
std::size_t incompleteTail(std::string_view s);

// Replaces every ill-formed subsequence with U+FFFD (one per maximal subpart,
// as the WHATWG decoder does), so the result is valid UTF-8.
std::string sanitize(std::string_view s);

// ECMAScript WhiteSpace or LineTerminator: what \s and String.prototype.trim mean in JS.
bool isEcmaSpace(char32_t cp);

// String.prototype.trimStart / trimEnd on UTF-8 text.
std::string_view trimEcmaStart(std::string_view s);
std::string_view trimEcmaEnd(std::string_view s);

} // namespace awb::utf8
