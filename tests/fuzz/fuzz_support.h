#pragma once
// Helpers of the fuzz entries (fuzz_entries.h): scratch files and the one way
// an entry tells an expected refusal (awb::Error) from a finding.

#include "fuzz_entries.h"
#include "util/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace awb::fuzz {

// This process's scratch folder, created on first use and removed at exit.
const std::string &scratchDir();

// Writes `size` bytes to scratchDir()/name (replacing it) and returns the path.
std::string writeScratch(const std::string &name, const std::uint8_t *data, std::size_t size);
std::string writeScratch(const std::string &name, const std::string &bytes);

// Runs f: true when it returns, false when it throws awb::Error (the parser
// refused the input, as it may). Every other exception propagates.
template <typename F>
bool attempt(F &&f)
{
    try {
        f();
        return true;
    } catch (const Error &) {
        return false;
    }
}

// Throws Finding "<what>" unless `ok`.
void require(bool ok, const std::string &what);

} // namespace awb::fuzz
