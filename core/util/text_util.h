#pragma once
// Small text helpers shared by option parsers. Plain functions; any thread.

#include <string>

namespace awb {

// `s` without leading and trailing spaces and tabs.
inline std::string trimmed(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t");
    const auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

} // namespace awb
