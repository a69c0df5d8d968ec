// `awb train` against the faults a long run meets, tried as a user would on the
// small demo: a workspace deleted and made again at the same path (its old
// checkpoints are not the new run's), a workspace locked by another connection
// while a step is written (the step waits, the run goes on), and a disk that
// fills up while a checkpoint is written (no .tmp folder is left behind).
#include "store/store.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

#include <filesystem>

using namespace awb;

namespace {

const QString kAwb = QStringLiteral(AWB_BINARY_DIR "/app/awb");
const QString kDemo = QStringLiteral(AWB_DEMO_SMALL_DIR);

QStringList trainArgs(const QString &db, int steps, int saveSteps)
{
    return {"train", "--demo", "--demo-dir", kDemo, "--db", db, "--steps", QString::number(steps),
            "--prompts-per-step", "2", "--num-generations", "4", "--max-completion-length", "12",
            "--save-steps", QString::number(saveSteps), "--threads", "1"};
}

struct Finished
{
    int exitCode = -1;
    QByteArray out, err;
};

Finished run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(600000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

int stepLines(const QByteArray &out)
{
    int n = 0;
    for (const QByteArray &line : out.split('\n'))
        n += line.startsWith("{\"") ? 1 : 0;
    return n;
}

} // namespace

class TestCliFaults : public QObject
{
    Q_OBJECT

private slots:
    void deletedWorkspaceCheckpointsAreNotAdopted()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("w.awb");
        QCOMPARE(run(kAwb, trainArgs(db, 6, 3)).exitCode, 0);   // checkpoints 3 and 6 of the first workspace
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(db + suffix);

        // A new workspace at the same path: the old folder is moved aside, never adopted.
        const Finished fresh = run(kAwb, trainArgs(db, 2, 0));
        QVERIFY2(fresh.exitCode == 0, fresh.err.constData());
        QVERIFY2(fresh.err.contains("held checkpoints of an earlier workspace at this path; moved to"), fresh.err.constData());
        QDir runs(dir.filePath("w.awb.runs"));
        const QStringList aside = runs.entryList({"run-1.orphaned-*"}, QDir::Dirs);
        QCOMPARE(aside.size(), 1);
        QVERIFY(QFile::exists(runs.filePath(aside[0] + "/checkpoint-6/trainer_state.json")));
        QVERIFY(QFile::exists(runs.filePath("run-1/checkpoint-2/trainer_state.json")));

        // A foreign checkpoint dropped into the run's folder is ignored, and said so.
        std::filesystem::copy(runs.filePath(aside[0] + "/checkpoint-6").toStdString(),
                              runs.filePath("run-1/checkpoint-9").toStdString(), std::filesystem::copy_options::recursive);
        const Finished resumed = run(kAwb, {"train", "--resume", "--db", db, "--steps", "4", "--threads", "1"});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QVERIFY2(resumed.err.contains("resuming run 1 after step 2 from"), resumed.err.constData());
        QVERIFY2(resumed.err.contains("ignoring 1 checkpoint folder(s)"), resumed.err.constData());
        QCOMPARE(stepLines(resumed.out), 2);
    }

    void lockedWorkspaceKeepsTheStep()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("locked.awb");
        QProcess p;
        p.start(kAwb, trainArgs(db, 3, 0));
        QByteArray out;
        while (stepLines(out) < 1 && p.state() != QProcess::NotRunning) {
            p.waitForReadyRead(1000);
            out += p.readAllStandardOutput();
        }
        // Another connection holds the write lock for 8 s (longer than the 5 s busy timeout).
        sqlite3 *other = nullptr;
        QCOMPARE(sqlite3_open(db.toUtf8().constData(), &other), SQLITE_OK);
        QCOMPARE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
        QTest::qWait(8000);
        sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        QVERIFY(p.waitForFinished(300000));
        out += p.readAllStandardOutput();
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        QVERIFY2(err.contains("is locked by another connection; step"), err.constData());
        QCOMPARE(stepLines(out), 3);
        Store store = Store::open(db.toStdString());
        QCOMPARE(store.lastStep(store.runs().front().id), std::int64_t(3));
        QCOMPARE(store.runs().front().status, std::string("finished"));
    }

    // On a 1 MB filesystem the workspace fits and the first checkpoint does not. Needs a private
    // mount namespace and a tmpfs (root, as on the project's machines).
    void fullDiskLeavesNoTemporaryFolder()
    {
        QTemporaryDir dir;
        const QString mnt = dir.filePath("small"), out = dir.filePath("out");
        QDir().mkpath(mnt);
        QDir().mkpath(out);
        const QString script = QString("mount -t tmpfs -o size=1m tmpfs '%1' || exit 77; '%2' %3 > '%4/stdout' 2> '%4/stderr';"
                                       " echo $? > '%4/rc'; ls -a '%1/w.awb.runs/run-1' > '%4/listing'; cp '%1'/w.awb* '%4/'")
                                   .arg(mnt, kAwb, trainArgs(mnt + "/w.awb", 2, 1).join(' '), out);
        const Finished f = run("unshare", {"-m", "sh", "-c", script});
        if (f.exitCode == 77 || (f.exitCode != 0 && f.err.contains("unshare")))
            QSKIP("no private tmpfs here (needs root)");
        QFile rc(out + "/rc"), listing(out + "/listing"), err(out + "/stderr");
        QVERIFY(rc.open(QIODevice::ReadOnly) && listing.open(QIODevice::ReadOnly) && err.open(QIODevice::ReadOnly));
        const QByteArray message = err.readAll();
        QCOMPARE(rc.readAll().trimmed(), QByteArray("1"));
        QVERIFY2(message.contains("checkpoint-1") && message.contains("No space left on device"), message.constData());
        const QByteArray left = listing.readAll();
        QVERIFY2(!left.contains(".tmp") && !left.contains("checkpoint-1"), left.constData());
        Store store = Store::open((out + "/w.awb").toStdString());
        QCOMPARE(store.lastStep(store.runs().front().id), std::int64_t(1));   // the step before the checkpoint is kept
        QCOMPARE(store.runs().front().status, std::string("failed"));
    }
};

QTEST_GUILESS_MAIN(TestCliFaults)
#include "tst_cli_faults.moc"
