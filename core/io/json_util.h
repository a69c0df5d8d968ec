#pragma once
// JSON helpers with errors that name the file and the field. Every parse
// here refuses JSON nested deeper than kMaxJsonDepth and every file read
// refuses one larger than kMaxJsonFileBytes (input_limits.h), naming the
// file and the limit.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace awb {

// Parses a whole file. Throws IoError when unreadable, FormatError with the
// line and column when it is not valid JSON.
nlohmann::json readJsonFile(const std::string &path);

// The bytes of a JSON file, to parse later (tokenizer.json): IoError when
// unreadable, FormatError when larger than kMaxJsonFileBytes.
std::string readJsonText(const std::string &path);

// The byte offset where `text` opens its (kMaxJsonDepth + 1)-th nested array
// or object, or std::string::npos when it nests no deeper than the limit.
// Strings are skipped as JSON lexes them, so for valid JSON this is exact.
std::size_t jsonDepthExceededAt(std::string_view text);

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
