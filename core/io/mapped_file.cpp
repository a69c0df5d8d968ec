#include "io/mapped_file.h"

#include "util/error.h"

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace awb {

namespace {

// Start and size of every live mapping, for releasePages().
struct Mappings
{
    std::mutex mutex;
    std::map<const std::uint8_t *, std::uint64_t> ranges;

    static Mappings &instance()
    {
        static Mappings m;
        return m;
    }
};

} // namespace

std::shared_ptr<MappedFile> MappedFile::open(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw IoError(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw IoError(path + ": cannot stat: " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw IoError(path + ": not a regular file");
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    file->m_size = static_cast<std::uint64_t>(st.st_size);
    if (file->m_size > 0) {
        void *p = ::mmap(nullptr, file->m_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw IoError(path + ": cannot map into memory: " + std::strerror(err));
        }
        file->m_data = static_cast<std::uint8_t *>(p);
        Mappings &m = Mappings::instance();
        std::lock_guard<std::mutex> lock(m.mutex);
        m.ranges[file->m_data] = file->m_size;
    }
    ::close(fd);   // the mapping stays valid without the descriptor
    return file;
}

MappedFile::~MappedFile()
{
    if (!m_data)
        return;
    {
        Mappings &m = Mappings::instance();
        std::lock_guard<std::mutex> lock(m.mutex);
        m.ranges.erase(m_data);
    }
    ::munmap(m_data, m_size);
}

bool MappedFile::releasePages(const void *p, std::size_t bytes)
{
    const auto *begin = static_cast<const std::uint8_t *>(p);
    Mappings &m = Mappings::instance();
    std::lock_guard<std::mutex> lock(m.mutex);   // the mapping stays while the lock is held
    auto it = m.ranges.upper_bound(begin);
    if (it == m.ranges.begin())
        return false;
    --it;
    const std::uint8_t *start = it->first;
    if (begin < start || begin + bytes > start + it->second)
        return false;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto from = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
    const auto to = (reinterpret_cast<std::uintptr_t>(begin) + bytes) / page * page;
    if (to > from)
        ::madvise(reinterpret_cast<void *>(from), to - from, MADV_DONTNEED);
    return true;
}

} // namespace awb
