#pragma once
// GPT-2's byte-to-unicode table: every byte maps to a printable code point
// (printable Latin-1 bytes map to themselves, the other 68 to U+0100..U+0143),
// so byte-level BPE vocabularies are plain strings. Immutable tables: any thread.

#include <cstdint>
#include <string>
#include <string_view>

namespace awb::byte_level {

// The code point that stands for byte b.
char32_t charOf(std::uint8_t b);

// The same as UTF-8 (1 or 2 bytes).
const std::string &utf8Of(std::uint8_t b);

// The byte a code point stands for, or -1 when it stands for none.
int byteOf(char32_t cp);

// Maps raw bytes to their byte-level string.
std::string encode(std::string_view bytes);
void appendEncoded(std::string &out, std::string_view bytes);

// Maps a byte-level string back to raw bytes. Returns false (and leaves the
// partial result) when the string holds a code point that stands for no byte.
bool decode(std::string_view text, std::string &out);

} // namespace awb::byte_level
