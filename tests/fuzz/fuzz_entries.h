#pragma once
// The entry points of the fuzz targets, shared by the libFuzzer executables
// (fuzz_target.cpp, clang with ASan and UBSan) and the corpus replay test
// (tests/core/tst_fuzz_replay.cpp, the normal build), so both run the same code.
//
// Each entry hands the bytes to one parser of user input through the function
// the CLI and the GUI call (writing them to a scratch file first where that
// function takes a path), in each of the configurations users reach (file
// names that pick the format, options), and checks what a successful parse
// promises its callers. Refusing input with an awb::Error is fine and is caught
// inside the entry; any other exception escapes: Finding for a broken promise,
// or whatever the parser threw. A crash, leak or sanitizer report is a finding too.
//
// Scratch files live in one folder per process (under /dev/shm when it exists),
// removed at exit. Not thread-safe: one caller at a time.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace awb::fuzz {

// A promise of a successful parse that the result breaks.
class Finding : public std::logic_error
{
public:
    using std::logic_error::logic_error;
};

using Entry = void (*)(const std::uint8_t *data, std::size_t size);

struct Target
{
    const char *name;   // fuzz_<name> is the executable, corpus/<name> its corpus, dict/<name>.dict its dictionary
    Entry entry;
};

// Every target, in the order scripts/fuzz.sh runs them.
const std::vector<Target> &targets();

// The entry of a target by name; std::invalid_argument for an unknown one.
Entry entryFor(const std::string &name);

// The entries (fuzz_entries_*.cpp).
void safetensorsHeader(const std::uint8_t *data, std::size_t size);
void promptFile(const std::uint8_t *data, std::size_t size);
void labelFile(const std::uint8_t *data, std::size_t size);
void rewardData(const std::uint8_t *data, std::size_t size);
void storeJson(const std::uint8_t *data, std::size_t size);
void tokenizerJson(const std::uint8_t *data, std::size_t size);
void tokenizerRegex(const std::uint8_t *data, std::size_t size);
void chatTemplate(const std::uint8_t *data, std::size_t size);
void modelConfig(const std::uint8_t *data, std::size_t size);

} // namespace awb::fuzz
