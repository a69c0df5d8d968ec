#include "io/atomic_file.h"

#include "util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace awb {

namespace {
constexpr std::size_t kBufferSize = 1 << 20;
}

AtomicFileWriter::AtomicFileWriter(std::string path) : m_path(std::move(path))
{
    std::vector<char> tmpl(m_path.begin(), m_path.end());
    const std::string suffix = ".tmp-XXXXXX";
    tmpl.insert(tmpl.end(), suffix.begin(), suffix.end());
    tmpl.push_back('\0');
    m_fd = ::mkstemp(tmpl.data());
    if (m_fd < 0)
        throw IoError(m_path + ": cannot create a temporary file beside it: " + std::strerror(errno));
    m_tempPath = tmpl.data();
    ::fchmod(m_fd, 0644);
    m_buffer.reserve(kBufferSize);
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed && !m_tempPath.empty())
        ::unlink(m_tempPath.c_str());
}

void AtomicFileWriter::writeAll(const char *p, std::size_t left)
{
    while (left > 0) {
        const ssize_t n = ::write(m_fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw IoError(m_path + ": write failed: " + std::strerror(errno));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void AtomicFileWriter::flushBuffer()
{
    writeAll(m_buffer.data(), m_buffer.size());
    m_buffer.clear();
}

void AtomicFileWriter::write(const void *data, std::size_t size)
{
    if (m_committed)
        throw Error(m_path + ": write after commit");
    const char *p = static_cast<const char *>(data);
    if (m_buffer.size() + size > kBufferSize)
        flushBuffer();
    if (size >= kBufferSize)
        writeAll(p, size);   // large blocks skip the buffer
    else
        m_buffer.append(p, size);
}

void AtomicFileWriter::commit()
{
    flushBuffer();
    if (::fsync(m_fd) != 0)
        throw IoError(m_path + ": cannot flush to disk: " + std::strerror(errno));
    if (::close(m_fd) != 0) {
        m_fd = -1;
        throw IoError(m_path + ": close failed: " + std::strerror(errno));
    }
    m_fd = -1;
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0)
        throw IoError(m_path + ": cannot move the new file into place: " + std::strerror(errno));
    m_committed = true;
}

void writeFileAtomically(const std::string &path, const std::string &content)
{
    AtomicFileWriter writer(path);
    writer.write(content);
    writer.commit();
}

AtomicFolder::AtomicFolder(std::string dir)
{
    namespace fs = std::filesystem;
    if (dir.empty())
        throw IoError("no folder named to write to");
    fs::path target = fs::absolute(dir).lexically_normal();
    if (!target.has_filename())
        target = target.parent_path();   // "out/" names "out"
    m_path = target.string();
    std::error_code ec;
    if (fs::exists(target, ec)) {
        if (!fs::is_directory(target, ec))
            throw IoError(m_path + ": exists and is not a folder");
        if (!fs::is_empty(target, ec))
            throw IoError(m_path + ": the folder exists and is not empty; choose a new or empty folder");
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec)
        throw IoError(target.parent_path().string() + ": cannot create the folder: " + ec.message());
    std::string tmpl = m_path + ".tmp-XXXXXX";
    if (!::mkdtemp(tmpl.data()))
        throw IoError(m_path + ": cannot create a staging folder beside it: " + std::strerror(errno));
    m_staging = tmpl;
}

AtomicFolder::~AtomicFolder()
{
    if (!m_committed && !m_staging.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(m_staging, ec);
    }
}

void AtomicFolder::commit()
{
    namespace fs = std::filesystem;
    std::error_code ec;
    ::chmod(m_staging.c_str(), 0755);   // mkdtemp makes it 0700
    if (fs::exists(m_path, ec))
        fs::remove(m_path, ec);   // the empty folder checked by the constructor
    fs::rename(m_staging, m_path, ec);
    if (ec)
        throw IoError(m_path + ": cannot move the finished folder into place from " + m_staging + ": " + ec.message());
    m_committed = true;
}

std::string readWholeFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path + ": cannot open: " + std::strerror(errno));
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad())
        throw IoError(path + ": read failed");
    return out.str();
}

} // namespace awb
