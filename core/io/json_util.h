#pragma once
// JSON helpers with errors that name the file and the field.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace awb {

// Parses a whole file. Throws IoError when unreadable, FormatError with the
// line and column when it is not valid JSON.
nlohmann::json readJsonFile(const std::string &path);

// Parses text that came from `label` (a file name or "--config"), same errors.
nlohmann::json parseJson(const std::string &text, const std::string &label);

// One line of a JSONL file: FormatError "path:line:column: not valid JSON: ..." otherwise.
nlohmann::json parseJsonLine(const std::string &line, const std::string &path, std::int64_t lineNo);

// Typed, optional field access: std::nullopt when the key is absent or null;
// FormatError "<label>: field \"key\" must be <type>" when it has the wrong type.
std::optional<std::int64_t> optInt(const nlohmann::json &obj, const char *key, const std::string &label);
std::optional<double> optNumber(const nlohmann::json &obj, const char *key, const std::string &label);
std::optional<bool> optBool(const nlohmann::json &obj, const char *key, const std::string &label);
std::optional<std::string> optString(const nlohmann::json &obj, const char *key, const std::string &label);

} // namespace awb
