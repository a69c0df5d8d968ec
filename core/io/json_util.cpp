#include "io/json_util.h"

#include "io/atomic_file.h"
#include "util/error.h"

#include <algorithm>

namespace awb {

nlohmann::json parseJson(const std::string &text, const std::string &label)
{
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &e) {
        // Turn the byte offset into line:column, which editors understand.
        std::size_t line = 1, column = 1;
        const std::size_t stop = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
        for (std::size_t i = 0; i < stop; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        std::string what = e.what();
        const auto colon = what.rfind(": ");
        if (colon != std::string::npos)
            what = what.substr(colon + 2);
        throw FormatError(label + ":" + std::to_string(line) + ":" + std::to_string(column)
                          + ": not valid JSON: " + what);
    }
}

nlohmann::json readJsonFile(const std::string &path)
{
    return parseJson(readWholeFile(path), path);
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
    if (v->is_number_integer())
        return v->get<std::int64_t>();
    // 4096.0 is an integer written as a float by some exporters.
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (d == static_cast<double>(static_cast<std::int64_t>(d)))
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
    }
}

} // namespace awb
