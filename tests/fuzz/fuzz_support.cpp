#include "fuzz_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace awb::fuzz {

namespace {

struct ScratchDir
{
    std::string path;

    ScratchDir()
    {
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
        std::string pattern = (base / "awb-fuzz-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("fuzz: cannot create a scratch folder under " + base.string());
        path = pattern;
    }
    ~ScratchDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

} // namespace

const std::string &scratchDir()
{
    static const ScratchDir dir;
    return dir.path;
}

std::string writeScratch(const std::string &name, const std::uint8_t *data, std::size_t size)
{
    const std::string path = scratchDir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    if (!out)
        throw std::runtime_error("fuzz: cannot write " + path);
    return path;
}

std::string writeScratch(const std::string &name, const std::string &bytes)
{
    return writeScratch(name, reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
}

void require(bool ok, const std::string &what)
{
    if (!ok)
        throw Finding(what);
}

} // namespace awb::fuzz
