#include "io/json_util.h"

#include "io/atomic_file.h"
#include "io/input_limits.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>

namespace awb {

namespace {

// "line:column" of a byte offset, which editors understand.
std::string lineColumn(const std::string &text, std::size_t offset)
{
    std::size_t line = 1, column = 1;
    const std::size_t stop = std::min(offset, text.size());
    for (std::size_t i = 0; i < stop; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return std::to_string(line) + ":" + std::to_string(column);
}

// nlohmann's message without its "[json.exception.<kind>.<id>] " prefix.
std::string withoutPrefix(const std::string &what)
{
    const auto close = what.find("] ");
    return close == std::string::npos ? what : what.substr(close + 2);
}

std::string depthMessage()
{
    return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels (the limit of nesting in JSON)";
}

} // namespace

std::size_t jsonDepthExceededAt(std::string_view text)
{
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth)
                return i;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return std::string::npos;
}

nlohmann::json parseJson(const std::string &text, const std::string &label)
{
    if (const std::size_t at = jsonDepthExceededAt(text); at != std::string::npos)
        throw FormatError(label + ":" + lineColumn(text, at) + ": " + depthMessage());
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &e) {
        std::string what = e.what();
        const auto colon = what.rfind(": ");
        if (colon != std::string::npos)
            what = what.substr(colon + 2);
        throw FormatError(label + ":" + lineColumn(text, e.byte > 0 ? e.byte - 1 : 0) + ": not valid JSON: " + what);
    } catch (const nlohmann::json::exception &e) {
        // out_of_range.406: a number too large for a double ("1e400"), which has no position.
        throw FormatError(label + ": not valid JSON: " + withoutPrefix(e.what()));
    }
}

std::string readJsonText(const std::string &path)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > static_cast<std::uintmax_t>(kMaxJsonFileBytes))
        throw FormatError(path + ": " + std::to_string(size) + " bytes, larger than " + byteCountText(kMaxJsonFileBytes)
                          + " (the limit of a JSON file)");
    return readWholeFile(path);
}

nlohmann::json readJsonFile(const std::string &path)
{
    return parseJson(readJsonText(path), path);
}

namespace {

const nlohmann::json *field(const nlohmann::json &obj, const char *key)
{
    if (!obj.is_object())
        return nullptr;
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return nullptr;
    return &*it;
}

[[noreturn]] void wrongType(const char *key, const std::string &label, const char *type)
{
    throw FormatError(label + ": field \"" + key + "\" must be " + type);
}

} // namespace

std::optional<std::int64_t> optInt(const nlohmann::json &obj, const char *key, const std::string &label)
{
    const auto *v = field(obj, key);
    if (!v)
        return std::nullopt;
    constexpr double kTwoTo63 = 9223372036854775808.0;
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        wrongType(key, label, "an integer below 2^63");
    if (v->is_number_integer())
        return v->get<std::int64_t>();
    // 4096.0 is an integer written as a float by some exporters. Outside the
    // range of int64 the cast would be undefined, so that is checked first.
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (d >= -kTwoTo63 && d < kTwoTo63 && d == std::trunc(d))
            return static_cast<std::int64_t>(d);
    }
    wrongType(key, label, "an integer");
}

std::optional<double> optNumber(const nlohmann::json &obj, const char *key, const std::string &label)
{
    const auto *v = field(obj, key);
    if (!v)
        return std::nullopt;
    if (!v->is_number())
        wrongType(key, label, "a number");
    return v->get<double>();
}

std::optional<bool> optBool(const nlohmann::json &obj, const char *key, const std::string &label)
{
    const auto *v = field(obj, key);
    if (!v)
        return std::nullopt;
    if (!v->is_boolean())
        wrongType(key, label, "true or false");
    return v->get<bool>();
}

std::optional<std::string> optString(const nlohmann::json &obj, const char *key, const std::string &label)
{
    const auto *v = field(obj, key);
    if (!v)
        return std::nullopt;
    if (!v->is_string())
        wrongType(key, label, "a string");
    return v->get<std::string>();
}

nlohmann::json parseJsonLine(const std::string &line, const std::string &path, std::int64_t lineNo)
{
    if (const std::size_t at = jsonDepthExceededAt(line); at != std::string::npos)
        throw FormatError(path + ":" + std::to_string(lineNo) + ":" + std::to_string(at + 1) + ": " + depthMessage());
    try {
        return nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error &e) {
        // Drop nlohmann's "[json.exception...] parse error at line 1, column N: "
        // prefix: the line it counts is always 1 here, the column is kept below.
        std::string what = e.what();
        const auto at = what.find("parse error");
        const auto colon = what.find(": ", at == std::string::npos ? 0 : at);
        if (colon != std::string::npos)
            what = what.substr(colon + 2);
        throw FormatError(path + ":" + std::to_string(lineNo) + ":" + std::to_string(std::max<std::size_t>(e.byte, 1))
                          + ": not valid JSON: " + what);
    } catch (const nlohmann::json::exception &e) {
        throw FormatError(path + ":" + std::to_string(lineNo) + ": not valid JSON: " + withoutPrefix(e.what()));
    }
}

} // namespace awb
