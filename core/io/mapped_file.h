#pragma once
// A whole file mapped into memory, read-only from the file's point of view:
// the mapping is private and copy-on-write, so code that writes into a tensor
// borrowed from it changes neither the file nor other readers.
// Owned through shared_ptr by everything that borrows its bytes (tensors keep
// it alive through their deleter). Safe to read from any thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace awb {

class MappedFile
{
public:
    // Throws IoError naming the file when it cannot be opened or mapped.
    static std::shared_ptr<MappedFile> open(const std::string &path);
    ~MappedFile();

    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const std::string &path() const { return m_path; }
    std::uint64_t size() const { return m_size; }
    std::uint8_t *data() const { return m_data; }

    // Hands back to the kernel the pages wholly inside [p, p + bytes) when that
    // range lies in a live mapping; any other range is left alone (returns
    // false). A released page reads the file's bytes again on its next access,
    // so this is for ranges whose bytes were copied away (a loaded model's
    // weights): read-only pages touched once still count in the process's
    // resident memory until the mapping goes, and a model read from its file
    // would otherwise hold twice its size at the peak of loading. Writes made
    // into released pages are lost.
    static bool releasePages(const void *p, std::size_t bytes);

private:
    MappedFile() = default;

    std::string m_path;
    std::uint8_t *m_data = nullptr;
    std::uint64_t m_size = 0;
};

} // namespace awb
