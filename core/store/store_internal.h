#pragma once
// Helpers shared by the store's translation units. Not part of the public API.

#include "store/sqlite_db.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace awb::store_detail {

// Milliseconds since the Unix epoch, the unit of every *_ms column.
std::int64_t nowMs();

// Runs `body`, turning an SQLite failure into one that says what was being
// done: "<file>: cannot <operation>: <SQLite's reason>".
template <class F>
auto withContext(const SqliteDb &db, const std::string &operation, F &&body) -> decltype(body())
{
    try {
        return body();
    } catch (const SqliteError &e) {
        throw SqliteError(db.path(), "cannot " + operation + ": " + e.detail(), e.code());
    }
}

// Numeric leaves of a metrics object, nested objects joined with '.'.
// Strings, booleans, arrays and nulls are skipped.
std::vector<std::pair<std::string, double>> flattenMetrics(const nlohmann::json &metrics);

// {"aspect": value} maps as JSON text; NaN is written as null and read back as NaN.
std::string aspectMapToJson(const std::map<std::string, double> &values);
std::map<std::string, double> aspectMapFromJson(const std::string &text, const std::string &label);

// {"aspect": [values]} maps (an ensemble's members) as JSON text; NaN as null.
std::string aspectListsToJson(const std::map<std::string, std::vector<double>> &values);
std::map<std::string, std::vector<double>> aspectListsFromJson(const std::string &text, const std::string &label);

// Compact JSON text; invalid UTF-8 in strings becomes U+FFFD instead of an error.
std::string dumpJson(const nlohmann::json &json);

// Parses a JSON column, naming the file and the column when it is corrupt.
nlohmann::json jsonColumn(const std::string &text, const std::string &label);

// Checks that the connection's file is a workspace (or new), sets the
// connection's pragmas and migrates an older schema. Returns the version.
std::int64_t prepareWorkspace(SqliteDb &db, int busyTimeoutMs);
std::int64_t latestSchemaVersion();

} // namespace awb::store_detail
