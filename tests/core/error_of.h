#pragma once
// The message of the awb::Error a callable throws; empty when it throws none.
#include "util/error.h"

#include <string>

namespace awb::test {

template <typename F>
std::string errorOf(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.what();
    }
    return {};
}

} // namespace awb::test
