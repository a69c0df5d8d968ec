// The store under failure and concurrency: a step write that fails halfway
// rolls back entirely, a locked database and foreign files give messages that
// name the file, an old schema is migrated, a newer one refused, and readers
// on other threads see only whole steps while a writer works.
#include "core/tst_store_util.h"
#include "store/store.h"
#include "util/error.h"

#include <QtTest>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

using namespace awb;
using namespace storetest;

namespace {

// A plain SQLite connection beside the store, playing another process.
class RawDb
{
public:
    explicit RawDb(const std::string &path) { sqlite3_open(path.c_str(), &m_db); }
    ~RawDb() { sqlite3_close(m_db); }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    // "" on success, SQLite's message otherwise.
    std::string exec(const std::string &sql)
    {
        char *error = nullptr;
        if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK)
            return {};
        std::string message = error ? error : "?";
        sqlite3_free(error);
        return message;
    }

private:
    sqlite3 *m_db = nullptr;
};

// Version 1 of the workspace schema, written out by hand as an old build made it.
const char *kSchemaV1 = R"sql(
PRAGMA application_id = 1096237617;
CREATE TABLE prompt_sets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL, created_ms INTEGER NOT NULL);
CREATE TABLE prompts (id INTEGER PRIMARY KEY, set_id INTEGER NOT NULL REFERENCES prompt_sets(id), text TEXT NOT NULL,
    chosen TEXT NOT NULL, rejected TEXT NOT NULL, split TEXT NOT NULL CHECK (split IN ('train', 'test')),
    source_id TEXT NOT NULL, UNIQUE (set_id, text));
CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, config_json TEXT NOT NULL, status TEXT NOT NULL,
    created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE steps (run_id INTEGER NOT NULL REFERENCES runs(id), step INTEGER NOT NULL, metrics_json TEXT NOT NULL,
    weights_json TEXT NOT NULL, aggregation TEXT NOT NULL, reward_model_version INTEGER NOT NULL,
    time_ms INTEGER NOT NULL, PRIMARY KEY (run_id, step)) WITHOUT ROWID;
CREATE TABLE samples (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), step INTEGER NOT NULL,
    prompt_id INTEGER REFERENCES prompts(id), prompt TEXT NOT NULL, completion TEXT NOT NULL,
    group_index INTEGER NOT NULL, index_in_group INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
    finish TEXT NOT NULL, scores_json TEXT NOT NULL, gold_json TEXT, reward REAL, advantage REAL,
    reward_model_version INTEGER NOT NULL);
CREATE INDEX samples_by_step ON samples (run_id, step);
CREATE INDEX samples_by_prompt ON samples (prompt_id);
CREATE TABLE labels (id INTEGER PRIMARY KEY, sample_id INTEGER NOT NULL REFERENCES samples(id),
    aspect TEXT NOT NULL, value REAL NOT NULL, annotator TEXT NOT NULL, time_ms INTEGER NOT NULL);
CREATE INDEX labels_by_sample ON labels (sample_id, aspect, time_ms, id);
CREATE INDEX labels_by_time ON labels (time_ms);
CREATE TRIGGER labels_no_update BEFORE UPDATE ON labels BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
CREATE TRIGGER labels_no_delete BEFORE DELETE ON labels BEGIN SELECT RAISE(ABORT, 'labels are append-only'); END;
CREATE TABLE reward_models (version INTEGER PRIMARY KEY, path TEXT NOT NULL, label_count INTEGER NOT NULL,
    metrics_json TEXT NOT NULL, created_ms INTEGER NOT NULL, note TEXT NOT NULL);
CREATE TABLE checkpoints (run_id INTEGER NOT NULL REFERENCES runs(id), step INTEGER NOT NULL, path TEXT NOT NULL,
    time_ms INTEGER NOT NULL, PRIMARY KEY (run_id, step));
PRAGMA user_version = 1;
)sql";

const char *kDataV1 = R"sql(
INSERT INTO prompt_sets VALUES (1, 'old set', 'old.jsonl', 1000);
INSERT INTO prompts VALUES (1, 1, 'Old prompt', 'yes', 'no', 'train', 'o-1');
INSERT INTO runs VALUES (1, 'old run', '{"lr": 0.001}', 'finished', 1000, 2000);
INSERT INTO steps VALUES (1, 1, '{"loss": 2.0, "reward": {"mean": 0.25, "safety": {"mean": 0.5}}, "tag": "x"}',
    '{"safety": 1.0}', 'sum', 0, 1500);
INSERT INTO steps VALUES (1, 2, '{"loss": 1.5, "reward": {"mean": 0.5, "safety": {"mean": 0.75}}}',
    '{"safety": 1.0}', 'sum', 0, 1600);
INSERT INTO samples VALUES (1, 1, 1, 1, 'Old prompt', 'Old answer', 0, 0, 2, 'eos', '{"safety": 0.5}', NULL,
    0.5, 0.0, 0);
INSERT INTO samples VALUES (2, 1, 2, NULL, 'Typed prompt', 'Another', 0, 0, 1, 'length', '{"safety": 0.25}',
    '{"safety": 1.0}', 0.25, -0.5, 0);
INSERT INTO labels VALUES (1, 1, 'safety', 0.75, 'old annotator', 1700);
INSERT INTO reward_models VALUES (1, 'rm/v1', 1, '{}', 1800, 'old');
)sql";

} // namespace

class TestStoreRobustness : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void failedStepRollsBack();
    void lockedDatabase();
    void writerWaitsForAShortLock();
    void notAnSqliteFile();
    void otherSqliteDatabases();
    void newerSchemaIsRefused();
    void unopenablePath();
    void migratesVersion1();
    void labelsCannotBeRewritten();
    void readersSeeWholeStepsWhileAWriterWrites();
    void threadsOpenANewFileTogether();
    void writeStepTiming();

private:
    std::string dbPath() const { return (m_dir->path() + "/workspace.awb").toStdString(); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStoreRobustness::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStoreRobustness::failedStepRollsBack()
{
    Store store = Store::open(dbPath());
    const std::int64_t run = store.createRun("r", {});
    store.writeStep(step(run, 1, 64, 1.0));
    store.writeStep(step(run, 2, 64, 0.9));

    // Sample 40 refers to a prompt that does not exist: the step row, the
    // metrics and 40 samples are already in the transaction when it fails.
    StepRecord bad = step(run, 3, 64, 0.8);
    bad.samples[40].promptId = 424242;
    const QString msg = messageOf<IoError>([&] { store.writeStep(bad); });
    QVERIFY2(msg.startsWith(q(dbPath()) + ": cannot write step 3 of run 1: FOREIGN KEY constraint failed"),
             qPrintable(msg));

    QCOMPARE(store.lastStep(run), 2);
    QVERIFY(!store.stepRecord(run, 3));
    SampleFilter all;
    all.limit = -1;
    QCOMPARE(store.countSamples(all), 128);
    QCOMPARE(store.metricSeries(run, "loss"), (std::vector<std::pair<std::int64_t, double>>{{1, 1.0}, {2, 0.9}}));
    QCOMPARE(store.metricSeries(run, "reward.mean").size(), 2u);

    // The connection is still usable, and the corrected step goes in.
    bad.samples[40].promptId.reset();
    store.writeStep(bad);
    QCOMPARE(store.lastStep(run), 3);
    QCOMPARE(store.countSamples(all), 192);
}

void TestStoreRobustness::lockedDatabase()
{
    StoreOptions quick;
    quick.busyTimeoutMs = 100;
    Store store = Store::open(dbPath(), quick);
    const std::int64_t run = store.createRun("r", {});
    store.writeStep(step(run, 1, 4, 1.0));
    const std::int64_t sampleId = store.stepRecord(run, 1)->samples[0].id;

    RawDb other(dbPath());
    QCOMPARE(q(other.exec("BEGIN IMMEDIATE")), QString());   // another writer holds the lock

    QElapsedTimer timer;
    timer.start();
    QString msg = messageOf<IoError>([&] { store.writeStep(step(run, 2, 4, 0.5)); });
    QCOMPARE(msg, q(dbPath()) + ": cannot write step 2 of run 1: database is locked");
    QVERIFY2(timer.elapsed() >= 50, qPrintable(QString::number(timer.elapsed())));   // it waited first
    msg = messageOf<IoError>([&] { store.addLabel({0, sampleId, "safety", 1.0, "a", 0}); });
    QCOMPARE(msg, q(dbPath()) + ": cannot add a \"safety\" label to sample " + QString::number(sampleId)
                      + ": database is locked");

    // Readers are not blocked by a writer (WAL).
    QCOMPARE(store.lastStep(run), 1);
    QCOMPARE(store.stepRecord(run, 1)->samples.size(), 4u);

    QCOMPARE(q(other.exec("ROLLBACK")), QString());
    store.writeStep(step(run, 2, 4, 0.5));
    QCOMPARE(store.lastStep(run), 2);
    QCOMPARE(store.countSamples(SampleFilter{}), 8);
}

void TestStoreRobustness::writerWaitsForAShortLock()
{
    Store store = Store::open(dbPath());   // default busy timeout: 5 s
    const std::int64_t run = store.createRun("r", {});
    RawDb other(dbPath());
    QCOMPARE(q(other.exec("BEGIN IMMEDIATE; INSERT INTO events (run_id, step, kind, payload_json)"
                          " VALUES (1, 1, 'pause', 'null');")),
             QString());
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        other.exec("COMMIT");
    });
    store.writeStep(step(run, 1, 4, 1.0));   // waits for the commit, then succeeds
    release.join();
    QCOMPARE(store.lastStep(run), 1);
    QCOMPARE(store.events(run).size(), 1u);
}

void TestStoreRobustness::notAnSqliteFile()
{
    const std::string path = (m_dir->path() + "/notes.awb").toStdString();
    const std::string content(4096, 'x');
    std::ofstream(path) << "These are my notes, not a database.\n" << content;
    const QString msg = messageOf<FormatError>([&] { Store::open(path); });
    QCOMPARE(msg, q(path) + ": not a workspace database (the file is not an SQLite database)");
    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    QCOMPARE(first, std::string("These are my notes, not a database."));   // untouched
}

void TestStoreRobustness::otherSqliteDatabases()
{
    const std::string foreign = (m_dir->path() + "/foreign.db").toStdString();
    {
        RawDb raw(foreign);
        QCOMPARE(q(raw.exec("CREATE TABLE contacts (name TEXT)")), QString());
    }
    QString msg = messageOf<FormatError>([&] { Store::open(foreign); });
    QVERIFY2(msg.startsWith(q(foreign) + ": not a workspace database") && msg.contains("other tables"), qPrintable(msg));

    const std::string stamped = (m_dir->path() + "/stamped.db").toStdString();
    {
        RawDb raw(stamped);
        QCOMPARE(q(raw.exec("PRAGMA application_id = 1234")), QString());
    }
    msg = messageOf<FormatError>([&] { Store::open(stamped); });
    QVERIFY2(msg.startsWith(q(stamped) + ": not a workspace database") && msg.contains("another application, application_id 0x4d2"),
             qPrintable(msg));

    // An empty file is a new workspace, as SQLite sees it.
    const std::string empty = (m_dir->path() + "/empty.awb").toStdString();
    std::ofstream{empty};
    QCOMPARE(Store::open(empty).schemaVersion(), Store::currentSchemaVersion());
}

void TestStoreRobustness::newerSchemaIsRefused()
{
    Store::open(dbPath());
    {
        RawDb raw(dbPath());
        QCOMPARE(q(raw.exec("PRAGMA user_version = 99")), QString());
    }
    const QString msg = messageOf<FormatError>([&] { Store::open(dbPath()); });
    QCOMPARE(msg, q(dbPath()) + ": workspace schema version 99 is newer than this build understands (up to "
                      + QString::number(Store::currentSchemaVersion()) + "); open it with a newer Alignment Workbench");
}

void TestStoreRobustness::unopenablePath()
{
    const std::string path = (m_dir->path() + "/no/such/dir/ws.awb").toStdString();
    const QString msg = messageOf<IoError>([&] { Store::open(path); });
    QCOMPARE(msg, q(path) + ": cannot open the workspace: unable to open database file");
}

void TestStoreRobustness::migratesVersion1()
{
    {
        RawDb raw(dbPath());
        QCOMPARE(q(raw.exec(kSchemaV1)), QString());
        QCOMPARE(q(raw.exec(kDataV1)), QString());
    }
    Store store = Store::open(dbPath());
    QCOMPARE(store.schemaVersion(), 4);
    // Version 3's run controls work on the migrated file: each write bumps the revision.
    QVERIFY(!store.runControls(1));
    Store::RunControls c;
    c.weights = {{"safety", 2.0}};
    c.command = "pause";
    QCOMPARE(store.setRunControls(1, c), std::int64_t(1));
    c.command.clear();
    c.rewardModelVersion = 4;
    QCOMPARE(store.setRunControls(1, c), std::int64_t(2));
    const auto back = store.runControls(1);
    QVERIFY(back);
    QCOMPARE(back->weights, (std::map<std::string, double>{{"safety", 2.0}}));
    QCOMPARE(back->command, std::string());
    QCOMPARE(back->rewardModelVersion, std::int64_t(4));
    QCOMPARE(back->revision, std::int64_t(2));

    // Old rows read back through the current API.
    const auto run = store.run(1);
    QVERIFY(run);
    QCOMPARE(run->name, std::string("old run"));
    QCOMPARE(run->config, (nlohmann::json{{"lr", 0.001}}));
    QCOMPARE(run->lastStep, 2);
    QCOMPARE(store.prompts(1)[0].sourceId, std::string("o-1"));
    QCOMPARE(store.latestLabels(1), (std::map<std::string, double>{{"safety", 0.75}}));
    QCOMPARE(store.rewardModel(1)->path, std::string("rm/v1"));
    SampleFilter f;
    const auto samples = store.samples(f);
    QCOMPARE(samples.size(), 2u);
    QVERIFY(!samples[0].discarded && !samples[1].discarded);
    QCOMPARE(samples[1].gold, (std::map<std::string, double>{{"safety", 1.0}}));
    QCOMPARE(samples[0].promptId, std::optional<std::int64_t>(1));

    // Version 2 backfilled the long metrics table from the steps' JSON.
    QCOMPARE(store.metricNames(1), (std::vector<std::string>{"loss", "reward.mean", "reward.safety.mean"}));
    QCOMPARE(store.metricSeries(1, "reward.safety.mean"),
             (std::vector<std::pair<std::int64_t, double>>{{1, 0.5}, {2, 0.75}}));
    QCOMPARE(store.metricSeries(1, "loss"), (std::vector<std::pair<std::int64_t, double>>{{1, 2.0}, {2, 1.5}}));

    // ... and the predicted scores of the old samples, which filters and the
    // disagreement order use: sample 1 predicted 0.5 against a label of 0.75.
    SampleFilter band;
    band.aspectRanges["safety"] = {0.4, 0.6};
    QCOMPARE(store.samples(band).size(), 1u);
    QCOMPARE(store.samples(band)[0].completion, std::string("Old answer"));
    band.aspectRanges["safety"] = {0.0, 1.0};
    band.orderByDisagreement = true;
    band.stepMin = 2;
    QCOMPARE(store.samples(band)[0].completion, std::string("Another"));
    band.stepMin.reset();
    QCOMPARE(store.samples(band)[0].completion, std::string("Old answer"));

    // And the new tables and columns work.
    store.addEvent(1, 2, "pause", nullptr);
    QCOMPARE(store.events(1).size(), 1u);
    store.truncateRunAfter(1, 1);
    f.includeDiscarded = true;
    QCOMPARE(store.samples(f).size(), 1u);   // the unlabelled sample of step 2 is gone
    QCOMPARE(store.registerRewardModel("rm/v2", 1, {}, ""), 2);

    // Opening again finds nothing to do.
    QCOMPARE(Store::open(dbPath()).schemaVersion(), 4);
}

void TestStoreRobustness::labelsCannotBeRewritten()
{
    Store store = Store::open(dbPath());
    const std::int64_t run = store.createRun("r", {});
    store.writeStep(step(run, 1, 1, 1.0));
    store.addLabel({0, 1, "safety", 1.0, "a", 0});
    RawDb raw(dbPath());
    QCOMPARE(q(raw.exec("UPDATE labels SET value = 0")), QString("labels are append-only"));
    QCOMPARE(q(raw.exec("DELETE FROM labels")), QString("labels are append-only"));
    QCOMPARE(store.latestLabels(1).at("safety"), 1.0);
}

void TestStoreRobustness::readersSeeWholeStepsWhileAWriterWrites()
{
    constexpr int kSteps = 40, kSamples = 16;
    const std::int64_t run = Store::open(dbPath()).createRun("r", {});

    std::atomic<bool> done{false};
    std::atomic<int> failures{0};
    std::mutex mutex;
    std::string firstFailure;
    auto fail = [&](const std::string &what) {
        std::lock_guard<std::mutex> lock(mutex);
        if (failures++ == 0)
            firstFailure = what;
    };

    std::thread writer([&] {
        try {
            Store store = Store::open(dbPath());   // its own connection
            for (int k = 1; k <= kSteps; ++k)
                store.writeStep(step(run, k, kSamples, 1.0 / k));
        } catch (const std::exception &e) {
            fail(std::string("writer: ") + e.what());
        }
        done = true;
    });
    std::atomic<int> observations{0};
    auto reader = [&] {
        try {
            Store store = Store::open(dbPath());
            std::int64_t previous = 0;
            while (!done) {
                const std::int64_t k = store.lastStep(run);
                if (k < previous)
                    fail("last step went back from " + std::to_string(previous) + " to " + std::to_string(k));
                previous = k;
                if (k == 0)
                    continue;
                // A step is visible only with all of its samples and metrics.
                SampleFilter f;
                f.runId = run;
                f.stepMin = f.stepMax = k;
                if (const auto n = store.countSamples(f); n != kSamples)
                    fail("step " + std::to_string(k) + " visible with " + std::to_string(n) + " samples");
                if (const auto n = store.metricSeries(run, "loss").size(); n < static_cast<std::size_t>(k))
                    fail("step " + std::to_string(k) + " visible with " + std::to_string(n) + " loss points");
                ++observations;
            }
        } catch (const std::exception &e) {
            fail(std::string("reader: ") + e.what());
        }
    };
    std::thread r1(reader), r2(reader);
    writer.join();
    r1.join();
    r2.join();
    QVERIFY2(failures == 0, firstFailure.c_str());
    QVERIFY(observations > 0);
    Store store = Store::open(dbPath());
    QCOMPARE(store.lastStep(run), kSteps);
    QCOMPARE(store.countSamples(SampleFilter{}), kSteps * kSamples);
}

void TestStoreRobustness::threadsOpenANewFileTogether()
{
    // The GUI and a worker may both open a workspace that does not exist yet:
    // one creates the schema, the other waits and finds it made.
    constexpr int kThreads = 4;
    std::atomic<int> ready{0};
    std::vector<std::string> errors(kThreads);
    std::vector<std::int64_t> versions(kThreads, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            ++ready;
            while (ready < kThreads) {
            }
            try {
                versions[i] = Store::open(dbPath()).schemaVersion();
            } catch (const std::exception &e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto &t : threads)
        t.join();
    for (int i = 0; i < kThreads; ++i) {
        QVERIFY2(errors[i].empty(), errors[i].c_str());
        QCOMPARE(versions[i], Store::currentSchemaVersion());
    }
}

void TestStoreRobustness::writeStepTiming()
{
    // A measurement for the record, not a pass/fail threshold.
    constexpr int kSteps = 20;
    Store store = Store::open(dbPath());
    const std::int64_t run = store.createRun("r", {});
    std::vector<StepRecord> steps;
    for (int k = 1; k <= kSteps; ++k) {
        steps.push_back(step(run, k, 64, 1.0 / k));
        for (auto &s : steps.back().samples)
            s.completion += std::string(400, 'x');   // about a 100-token completion
    }
    QElapsedTimer timer;
    timer.start();
    for (const auto &s : steps)
        store.writeStep(s);
    const double ms = static_cast<double>(timer.nsecsElapsed()) / 1e6 / kSteps;
    qDebug("writeStep with 64 samples: %.2f ms per step (mean of %d, synchronous=FULL)", ms, kSteps);
    QCOMPARE(store.countSamples(SampleFilter{}), kSteps * 64);
}

QTEST_GUILESS_MAIN(TestStoreRobustness)
#include "tst_store_robustness.moc"
