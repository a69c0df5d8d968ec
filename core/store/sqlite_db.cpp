#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <limits>
#include <utility>

namespace awb {

SqliteDb SqliteDb::open(const std::string &path)
{
    SqliteDb db;
    db.m_path = path;
    const int rc = sqlite3_open_v2(path.c_str(), &db.m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (rc != SQLITE_OK) {
        // The handle exists even on failure (except out of memory) and carries the message.
        const std::string detail = db.m_db ? sqlite3_errmsg(db.m_db) : sqlite3_errstr(rc);
        throw SqliteError(path, detail, rc);
    }
    sqlite3_extended_result_codes(db.m_db, 1);
    return db;
}

SqliteDb::~SqliteDb()
{
    // sqlite3_close_v2 defers the close until every statement is finalised,
    // so a destructor order mistake cannot leak the file handle.
    if (m_db)
        sqlite3_close_v2(m_db);
}

SqliteDb::SqliteDb(SqliteDb &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_path(std::move(other.m_path))
{
}

SqliteDb &SqliteDb::operator=(SqliteDb &&other) noexcept
{
    if (this != &other) {
        if (m_db)
            sqlite3_close_v2(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
    }
    return *this;
}

SqliteError SqliteDb::error(int rc) const
{
    std::string detail = sqlite3_errmsg(m_db);
    // sqlite3_errmsg describes the most recent call; if that call succeeded
    // (a destructor ran a ROLLBACK in between) fall back to the code's text.
    if (detail == "not an error")
        detail = sqlite3_errstr(rc);
    return SqliteError(m_path, detail, rc);
}

void SqliteDb::fail(int rc) const
{
    throw error(rc);
}

void SqliteDb::exec(const std::string &sql)
{
    const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        fail(rc);
}

std::int64_t SqliteDb::queryInt(const std::string &sql)
{
    SqliteStatement st(*this, sql);
    return st.step() ? st.columnInt(0) : 0;
}

std::string SqliteDb::queryText(const std::string &sql)
{
    SqliteStatement st(*this, sql);
    return st.step() ? st.columnText(0) : std::string();
}

void SqliteDb::setBusyTimeout(int milliseconds)
{
    const int rc = sqlite3_busy_timeout(m_db, milliseconds);
    if (rc != SQLITE_OK)
        fail(rc);
}

std::int64_t SqliteDb::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }

std::int64_t SqliteDb::changes() const { return sqlite3_changes(m_db); }

bool SqliteDb::inTransaction() const { return sqlite3_get_autocommit(m_db) == 0; }

SqliteStatement::SqliteStatement(SqliteDb &db, const std::string &sql) : m_db(&db)
{
    const int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &m_stmt, nullptr);
    if (rc != SQLITE_OK)
        db.fail(rc);
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_stmt);
}

void SqliteStatement::check(int rc) const
{
    if (rc != SQLITE_OK)
        m_db->fail(rc);
}

SqliteStatement &SqliteStatement::bind(int index, std::int64_t value)
{
    check(sqlite3_bind_int64(m_stmt, index, value));
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, double value)
{
    check(sqlite3_bind_double(m_stmt, index, value));
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const std::string &value)
{
    check(sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}

SqliteStatement &SqliteStatement::bindNull(int index)
{
    check(sqlite3_bind_null(m_stmt, index));
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const std::optional<std::int64_t> &value)
{
    return value ? bind(index, *value) : bindNull(index);
}

SqliteStatement &SqliteStatement::bind(int index, const std::optional<std::string> &value)
{
    return value ? bind(index, *value) : bindNull(index);
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // The message first: reset() keeps the statement reusable but may touch it.
    SqliteError e = m_db->error(rc);
    sqlite3_reset(m_stmt);
    throw e;
}

void SqliteStatement::run()
{
    while (step()) {
    }
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::columnInt(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double SqliteStatement::columnDouble(int column) const
{
    if (isNull(column))
        return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(m_stmt, column);
}

std::string SqliteStatement::columnText(int column) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    if (!text)
        return {};
    return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)));
}

std::optional<std::int64_t> SqliteStatement::columnOptInt(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return columnInt(column);
}

std::optional<std::string> SqliteStatement::columnOptText(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return columnText(column);
}

SqliteTransaction::SqliteTransaction(SqliteDb &db) : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction()
{
    // Some errors (full disk, I/O error) already rolled the transaction back;
    // a second ROLLBACK would only fail.
    if (!m_done && m_db.inTransaction())
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

} // namespace awb
