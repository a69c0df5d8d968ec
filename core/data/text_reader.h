#pragma once
// Buffered sequential reader for plain or gzip-compressed text files (zlib
// reads plain files through unchanged), so every prompt-set format streams the
// same way. One reader per thread; not copyable.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace awb {

class TextReader
{
public:
    // Throws IoError naming the path when it cannot be opened.
    explicit TextReader(const std::string &path);
    ~TextReader();
    TextReader(const TextReader &) = delete;
    TextReader &operator=(const TextReader &) = delete;

    // Next character as 0..255, or -1 at the end. Throws FormatError on a
    // corrupt gzip stream.
    int get()
    {
        if (m_pos == m_end && !refill())
            return -1;
        return static_cast<unsigned char>(m_buffer[m_pos++]);
    }

    // Next line without its "\n" (a trailing "\r" is dropped too); false at the end.
    bool getLine(std::string &line);

    const std::string &path() const { return m_path; }

private:
    bool refill();

    std::string m_path;
    void *m_file = nullptr; // gzFile, kept opaque so zlib.h stays out of headers
    std::vector<char> m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
};

} // namespace awb
