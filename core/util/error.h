#pragma once
// Errors raised inside core. Every message says what went wrong and where
// (file, tensor, field), so the thread or CLI boundary that catches it can show
// it to the user unchanged.

#include <stdexcept>
#include <string>

namespace awb {

class Error : public std::runtime_error
{
public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
};

// A file that exists but whose content is wrong (corrupt, inconsistent, truncated).
class FormatError : public Error
{
public:
    using Error::Error;
};

// The operating system refused: a file is missing, unreadable, or the disk is full.
class IoError : public Error
{
public:
    using Error::Error;
};

} // namespace awb
