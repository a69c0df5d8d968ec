#pragma once
// Writes a file so that readers see either the old content or the complete new
// one, never a torn file: data goes to a temporary file beside the target, is
// flushed to disk, then renamed over it. A failed write (full disk, no
// permission) throws IoError naming the file and leaves the old file untouched.
// One writer per object; not thread-safe.

#include <cstddef>
#include <string>

namespace awb {

class AtomicFileWriter
{
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter();   // removes the temporary file unless commit() succeeded

    AtomicFileWriter(const AtomicFileWriter &) = delete;
    AtomicFileWriter &operator=(const AtomicFileWriter &) = delete;

    void write(const void *data, std::size_t size);
    void write(const std::string &bytes) { write(bytes.data(), bytes.size()); }
    // Flushes, syncs and renames into place.
    void commit();

    const std::string &path() const { return m_path; }

private:
    void flushBuffer();
    void writeAll(const char *data, std::size_t size);

    std::string m_path;
    std::string m_tempPath;
    std::string m_buffer;
    int m_fd = -1;
    bool m_committed = false;
};

// Whole-file convenience on top of AtomicFileWriter.
void writeFileAtomically(const std::string &path, const std::string &content);

// A folder that appears whole or not at all, for exports: files go into a
// staging folder beside the target ("<dir>.tmp-XXXXXX", created by the
// constructor) and commit() renames it to `dir`. The target must not exist or
// must be an empty folder (IoError naming it otherwise, before anything is
// written). Unless committed, the destructor deletes the staging folder.
class AtomicFolder
{
public:
    explicit AtomicFolder(std::string dir);
    ~AtomicFolder();

    AtomicFolder(const AtomicFolder &) = delete;
    AtomicFolder &operator=(const AtomicFolder &) = delete;

    const std::string &staging() const { return m_staging; }
    const std::string &path() const { return m_path; }
    void commit();

private:
    std::string m_path;
    std::string m_staging;
    bool m_committed = false;
};

// Reads a whole file; throws IoError naming it when it cannot.
std::string readWholeFile(const std::string &path);

} // namespace awb
