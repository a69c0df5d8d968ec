#pragma once
// Buffered sequential reader for plain or gzip-compressed text files (zlib
// reads plain files through unchanged), so every prompt-set format streams the
// same way. It enforces ReadLimits (input_limits.h) as it goes: a line longer
// than maxLineBytes, more than maxTextBytes of text, or a gzip stream that
// inflates past maxGzipRatio is a FormatError naming the file and the limit,
// raised before the memory or time is spent. One reader per thread; not copyable.

#include "io/input_limits.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace awb {

class TextReader
{
public:
    // Throws IoError naming the path when it cannot be opened.
    explicit TextReader(const std::string &path, const ReadLimits &limits = {});
    ~TextReader();
    TextReader(const TextReader &) = delete;
    TextReader &operator=(const TextReader &) = delete;

    // Next character as 0..255, or -1 at the end. Throws FormatError on a
    // corrupt gzip stream or past a limit.
    int get()
    {
        if (m_pos == m_end && !refill())
            return -1;
        return static_cast<unsigned char>(m_buffer[m_pos++]);
    }

    // Next line without its "\n" (a trailing "\r" is dropped too); false at the end.
    // Throws FormatError "path:N: a line longer than ..." past maxLineBytes.
    bool getLine(std::string &line);

    const std::string &path() const { return m_path; }
    const ReadLimits &limits() const { return m_limits; }

private:
    bool refill();
    void checkInflation();

    std::string m_path;
    ReadLimits m_limits;
    void *m_file = nullptr; // gzFile, kept opaque so zlib.h stays out of headers
    std::vector<char> m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
    std::int64_t m_total = 0;   // bytes of text read so far
    std::int64_t m_lines = 0;   // lines returned by getLine
};

} // namespace awb
