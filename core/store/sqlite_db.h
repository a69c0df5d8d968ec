#pragma once
// A thin RAII layer over SQLite's C API, used by Store only: a connection
// (SqliteDb), a prepared statement (SqliteStatement) and a write transaction
// (SqliteTransaction). Every failure throws SqliteError, an IoError whose
// message starts with the database file, so even an error that escapes without
// more context still names the file.
//
// A connection belongs to one thread at a time; statements and transactions
// borrow their connection and must not outlive it.

#include "util/error.h"

#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace awb {

class SqliteError : public IoError
{
public:
    // `detail` is SQLite's own message ("database is locked"); `code` its
    // extended result code.
    SqliteError(const std::string &path, const std::string &detail, int code)
        : IoError(path + ": " + detail), m_detail(detail), m_code(code)
    {
    }
    const std::string &detail() const { return m_detail; }
    int code() const { return m_code; }

private:
    std::string m_detail;
    int m_code = 0;
};

class SqliteDb
{
public:
    // Opens (creating if needed) the file read-write with extended result codes.
    static SqliteDb open(const std::string &path);

    SqliteDb() = default;
    ~SqliteDb();
    SqliteDb(SqliteDb &&other) noexcept;
    SqliteDb &operator=(SqliteDb &&other) noexcept;
    SqliteDb(const SqliteDb &) = delete;
    SqliteDb &operator=(const SqliteDb &) = delete;

    sqlite3 *handle() const { return m_db; }
    const std::string &path() const { return m_path; }

    // Runs one or more statements that return nothing of interest.
    void exec(const std::string &sql);
    // The first column of the first row of a one-row query (a PRAGMA, a COUNT).
    std::int64_t queryInt(const std::string &sql);
    std::string queryText(const std::string &sql);

    void setBusyTimeout(int milliseconds);
    std::int64_t lastInsertId() const;
    std::int64_t changes() const;
    bool inTransaction() const;

    // SqliteError for result code `rc` with the connection's latest message.
    SqliteError error(int rc) const;
    [[noreturn]] void fail(int rc) const;

private:
    sqlite3 *m_db = nullptr;
    std::string m_path;
};

class SqliteStatement
{
public:
    SqliteStatement(SqliteDb &db, const std::string &sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    // Parameters are 1-based, as in SQLite. Binding returns *this so calls chain.
    SqliteStatement &bind(int index, std::int64_t value);
    SqliteStatement &bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    SqliteStatement &bind(int index, double value);   // NaN is stored as NULL (SQLite's rule)
    SqliteStatement &bind(int index, const std::string &value);
    SqliteStatement &bind(int index, const char *value) { return bind(index, std::string(value)); }
    SqliteStatement &bindNull(int index);
    SqliteStatement &bind(int index, const std::optional<std::int64_t> &value);
    SqliteStatement &bind(int index, const std::optional<std::string> &value);

    // Advances: true when a row is available, false when done.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    // Ready to run again with new bindings.
    void reset();

    bool isNull(int column) const;
    std::int64_t columnInt(int column) const;              // NULL reads as 0
    double columnDouble(int column) const;                 // NULL reads as NaN
    std::string columnText(int column) const;              // NULL reads as ""
    std::optional<std::int64_t> columnOptInt(int column) const;
    std::optional<std::string> columnOptText(int column) const;

private:
    void check(int rc) const;

    SqliteDb *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
};

// BEGIN IMMEDIATE on construction: the write lock is taken up front, so the
// busy timeout applies here and never to a read lock that cannot be upgraded
// later. The destructor rolls back unless commit() succeeded.
class SqliteTransaction
{
public:
    explicit SqliteTransaction(SqliteDb &db);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;

    void commit();

private:
    SqliteDb &m_db;
    bool m_done = false;
};

} // namespace awb
