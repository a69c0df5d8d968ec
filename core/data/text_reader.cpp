#include "data/text_reader.h"

#include "util/error.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace awb {

TextReader::TextReader(const std::string &path, const ReadLimits &limits)
    : m_path(path), m_limits(limits), m_buffer(1 << 16)
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
    m_total += n;
    checkInflation();
    return n > 0;
}

void TextReader::checkInflation()
{
    if (m_total > m_limits.maxTextBytes)
        throw FormatError(m_path + ": holds more than " + byteCountText(m_limits.maxTextBytes)
                          + " of text (the limit of a data file" + (gzdirect(static_cast<gzFile>(m_file)) ? "" : ", inflated")
                          + "); split it into smaller files");
    if (m_total <= m_limits.gzipRatioAfterBytes || gzdirect(static_cast<gzFile>(m_file)))
        return;
    const std::int64_t compressed = std::max<std::int64_t>(1, gzoffset(static_cast<gzFile>(m_file)));
    if (m_total / compressed > m_limits.maxGzipRatio)
        throw FormatError(m_path + ": inflates more than " + std::to_string(m_limits.maxGzipRatio)
                          + " times its compressed size (past " + byteCountText(m_limits.gzipRatioAfterBytes)
                          + " of text from " + std::to_string(compressed)
                          + " compressed bytes; the limit of a gzip data file): a gzip bomb?");
}

bool TextReader::getLine(std::string &line)
{
    line.clear();
    bool any = false;
    ++m_lines;
    for (;;) {
        if (m_pos == m_end && !refill())
            break;
        any = true;
        const char *begin = m_buffer.data() + m_pos;
        const void *nl = std::memchr(begin, '\n', m_end - m_pos);
        const auto len = nl ? static_cast<std::size_t>(static_cast<const char *>(nl) - begin) : m_end - m_pos;
        if (static_cast<std::int64_t>(line.size() + len) > m_limits.maxLineBytes)
            throw FormatError(m_path + ":" + std::to_string(m_lines) + ": a line longer than "
                              + byteCountText(m_limits.maxLineBytes) + " (the limit of one line of a data file)");
        line.append(begin, len);
        m_pos += len;
        if (nl) {
            ++m_pos;
            break;
        }
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return any;
}

} // namespace awb
