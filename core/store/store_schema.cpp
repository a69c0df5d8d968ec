// The workspace schema as a list of forward migrations, and the checks done
// when a file is opened.
//
// A file records its version in PRAGMA user_version (0 = new, empty file) and
// is stamped with an application_id, so another program's SQLite database is
// recognised and refused instead of being "migrated". Migrations only ever
// append to this list; a released step is never edited.

#include "store/store_internal.h"

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace awb::store_detail {

namespace {

// "AWB1" in ASCII: marks the file as an Alignment Workbench workspace.
constexpr std::int64_t kApplicationId = 0x41574231;

struct Migration
{
    const char *sql;
    void (*after)(SqliteDb &db);   // data conversion SQL cannot express; may be null
};

// Version 1: prompts, runs, steps (metrics only as JSON), samples, labels,
// reward models, checkpoints.
constexpr const char *kVersion1 = R"sql(
CREATE TABLE prompt_sets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    created_ms INTEGER NOT NULL);
CREATE TABLE prompts (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES prompt_sets(id),
    text TEXT NOT NULL,
    chosen TEXT NOT NULL,
    rejected TEXT NOT NULL,
    split TEXT NOT NULL CHECK (split IN ('train', 'test')),
    source_id TEXT NOT NULL,
    UNIQUE (set_id, text));
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    config_json TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL);
CREATE TABLE steps (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL,
    metrics_json TEXT NOT NULL,
    weights_json TEXT NOT NULL,
    aggregation TEXT NOT NULL,
    reward_model_version INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)) WITHOUT ROWID;
CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL,
    prompt_id INTEGER REFERENCES prompts(id),
    prompt TEXT NOT NULL,
    completion TEXT NOT NULL,
    group_index INTEGER NOT NULL,
    index_in_group INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    finish TEXT NOT NULL,
    scores_json TEXT NOT NULL,
    gold_json TEXT,
    reward REAL,
    advantage REAL,
    reward_model_version INTEGER NOT NULL);
CREATE INDEX samples_by_step ON samples (run_id, step);
CREATE INDEX samples_by_prompt ON samples (prompt_id);
CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    aspect TEXT NOT NULL,
    value REAL NOT NULL,
    annotator TEXT NOT NULL,
    time_ms INTEGER NOT NULL);
CREATE INDEX labels_by_sample ON labels (sample_id, aspect, time_ms, id);
CREATE INDEX labels_by_time ON labels (time_ms);
CREATE TRIGGER labels_no_update BEFORE UPDATE ON labels
    BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels
    BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
CREATE TABLE reward_models (
    version INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    label_count INTEGER NOT NULL,
    metrics_json TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    note TEXT NOT NULL);
CREATE TABLE checkpoints (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL,
    path TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    PRIMARY KEY (run_id, step));
)sql";

// Version 2: metrics in long format for fast per-series queries (backfilled
// from steps.metrics_json); predicted scores in long format with an index on
// the value, so aspect-range filters and the disagreement order do not parse
// JSON per sample; plot events; and the `discarded` mark that lets a resume
// keep the labelled samples of the steps it drops. The step index becomes
// partial: every ordinary query asks for live samples only.
constexpr const char *kVersion2 = R"sql(
CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL,
    name TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, name, step)) WITHOUT ROWID;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    step INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL);
CREATE INDEX events_by_run ON events (run_id, step);
ALTER TABLE samples ADD COLUMN discarded INTEGER NOT NULL DEFAULT 0;
DROP INDEX samples_by_step;
CREATE INDEX samples_live ON samples (run_id, step) WHERE discarded = 0;
CREATE TABLE sample_scores (
    sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
    aspect TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (sample_id, aspect)) WITHOUT ROWID;
CREATE INDEX sample_scores_by_value ON sample_scores (aspect, value);
INSERT INTO sample_scores (sample_id, aspect, value)
    SELECT s.id, j.key, j.value FROM samples s, json_each(s.scores_json) j WHERE j.type IN ('integer', 'real');
)sql";

// Version 3: the controls a window (or any other process) sets for a run that
// another process trains; the run reads them at every step start.
constexpr const char *kVersion3 = R"sql(
CREATE TABLE run_controls (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id),
    controls_json TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL);
)sql";

// Version 4: what a sample was trained with beyond the run's options (the
// weight vector its group drew in a steerable run), the reward-model
// ensemble's members per aspect (the spread a sample's scores had), the
// spread in long format for the uncertainty order, and the queue a label
// came from ("uncertainty", "disagreement", ...; null when typed in freely).
constexpr const char *kVersion4 = R"sql(
ALTER TABLE samples ADD COLUMN weights_json TEXT;
ALTER TABLE samples ADD COLUMN members_json TEXT;
ALTER TABLE sample_scores ADD COLUMN std REAL;
CREATE INDEX sample_scores_by_std ON sample_scores (aspect, std) WHERE std IS NOT NULL;
ALTER TABLE labels ADD COLUMN queue TEXT;
)sql";

void backfillMetrics(SqliteDb &db)
{
    SqliteStatement read(db, "SELECT run_id, step, metrics_json FROM steps");
    SqliteStatement insert(db, "INSERT OR REPLACE INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)");
    while (read.step()) {
        const std::int64_t run = read.columnInt(0), step = read.columnInt(1);
        const auto label = db.path() + " (metrics of step " + std::to_string(step) + " of run " + std::to_string(run) + ")";
        for (const auto &[name, value] : flattenMetrics(jsonColumn(read.columnText(2), label))) {
            insert.bind(1, run).bind(2, step).bind(3, name).bind(4, value);
            insert.run();
            insert.reset();
        }
    }
}

const Migration kMigrations[] = {
    {kVersion1, nullptr},
    {kVersion2, backfillMetrics},
    {kVersion3, nullptr},
    {kVersion4, nullptr},
};

constexpr std::int64_t kLatest = static_cast<std::int64_t>(sizeof(kMigrations) / sizeof(kMigrations[0]));

std::string hex(std::int64_t value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(value));
    return buffer;
}

void migrate(SqliteDb &db)
{
    SqliteTransaction tx(db);
    // Another connection may have migrated between our check and our lock.
    const std::int64_t version = db.queryInt("PRAGMA user_version");
    if (version >= kLatest) {
        tx.commit();
        return;
    }
    if (version == 0)
        db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    for (std::int64_t v = version; v < kLatest; ++v) {
        const Migration &m = kMigrations[v];
        db.exec(m.sql);
        if (m.after)
            m.after(db);
    }
    // Migrations run with foreign keys off (SQLite's advice for schema
    // changes), so check the result before it becomes visible.
    SqliteStatement fk(db, "PRAGMA foreign_key_check");
    if (fk.step())
        throw SqliteError(db.path(), "foreign key violation in table " + fk.columnText(0) + " after migration", SQLITE_CONSTRAINT);
    db.exec("PRAGMA user_version = " + std::to_string(kLatest));
    tx.commit();
}

} // namespace

std::int64_t latestSchemaVersion() { return kLatest; }

std::int64_t prepareWorkspace(SqliteDb &db, int busyTimeoutMs)
{
    db.setBusyTimeout(busyTimeoutMs);
    std::int64_t appId = 0, version = 0, objects = 0;
    try {
        // One statement, so one snapshot: read separately, a file another
        // connection is creating right now could look half made. It is also
        // the first read of the header, where a file that is not SQLite at
        // all shows itself.
        SqliteStatement st(db, "SELECT (SELECT application_id FROM pragma_application_id),"
                               " (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)");
        st.step();
        appId = st.columnInt(0);
        version = st.columnInt(1);
        objects = st.columnInt(2);
    } catch (const SqliteError &e) {
        if ((e.code() & 0xff) == SQLITE_NOTADB)
            throw FormatError(db.path() + ": not a workspace database (the file is not an SQLite database)");
        throw;
    }
    if (appId != 0 && appId != kApplicationId)
        throw FormatError(db.path() + ": not a workspace database (an SQLite database of another application, application_id "
                          + hex(appId) + ")");
    if (appId == 0 && objects > 0)
        throw FormatError(db.path() + ": not a workspace database (an SQLite database with other tables in it)");
    if (version > kLatest)
        throw FormatError(db.path() + ": workspace schema version " + std::to_string(version)
                          + " is newer than this build understands (up to " + std::to_string(kLatest)
                          + "); open it with a newer Alignment Workbench");

    // Switching to WAL needs the file to itself for a moment, and SQLite may
    // answer SQLITE_BUSY at once, without calling the busy handler, while
    // another connection is creating the schema (two threads opening a new
    // workspace together). Retry for as long as the busy timeout allows.
    withContext(db, "switch to write-ahead logging", [&] {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busyTimeoutMs);
        for (;;) {
            try {
                db.exec("PRAGMA journal_mode = WAL");
                return;
            } catch (const SqliteError &e) {
                const int primary = e.code() & 0xff;
                if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline)
                    throw;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    db.exec("PRAGMA synchronous = FULL");
    if (version < kLatest) {
        db.exec("PRAGMA foreign_keys = OFF");
        withContext(db,
                    "migrate the workspace schema from version " + std::to_string(version) + " to "
                        + std::to_string(kLatest),
                    [&] { migrate(db); });
    }
    db.exec("PRAGMA foreign_keys = ON");
    return db.queryInt("PRAGMA user_version");
}

} // namespace awb::store_detail
