#include "data/text_reader.h"

#include "util/error.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace awb {

TextReader::TextReader(const std::string &path) : m_path(path), m_buffer(1 << 16)
{
    // gzopen's errno is unreliable for a missing file, so ask the OS first.
    if (std::FILE *probe = std::fopen(path.c_str(), "rb"))
        std::fclose(probe);
    else
        throw IoError(path + ": cannot open: " + std::strerror(errno));
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
        throw IoError(path + ": cannot open: is a directory");
    m_file = gzopen(path.c_str(), "rb");
    if (!m_file)
        throw IoError(path + ": cannot open for reading");
}

TextReader::~TextReader()
{
    if (m_file)
        gzclose(static_cast<gzFile>(m_file));
}

bool TextReader::refill()
{
    const int n = gzread(static_cast<gzFile>(m_file), m_buffer.data(), static_cast<unsigned>(m_buffer.size()));
    if (n < 0) {
        int code = 0;
        const char *message = gzerror(static_cast<gzFile>(m_file), &code);
        throw FormatError(m_path + ": cannot decompress: " + (message ? message : "unknown zlib error"));
    }
    m_pos = 0;
    m_end = static_cast<std::size_t>(n);
    return n > 0;
}

bool TextReader::getLine(std::string &line)
{
    line.clear();
    bool any = false;
    for (;;) {
        if (m_pos == m_end && !refill())
            break;
        any = true;
        const char *begin = m_buffer.data() + m_pos;
        const void *nl = std::memchr(begin, '\n', m_end - m_pos);
        if (nl) {
            const auto len = static_cast<std::size_t>(static_cast<const char *>(nl) - begin);
            line.append(begin, len);
            m_pos += len + 1;
            break;
        }
        line.append(begin, m_end - m_pos);
        m_pos = m_end;
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return any;
}

} // namespace awb
