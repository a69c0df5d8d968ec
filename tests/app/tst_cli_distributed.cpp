// `awb train` as a data-parallel job on loopback, launched the way srun or a
// job script does (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set by the test)
// and by torchrun: 2 ranks of 1 thread each against 1 process of 1 thread on
// the small demo, for GRPO, RLOO and PPO.
//
// The reference is the single process itself: with equal intra-op thread
// counts the ranks' micro-batches are the single-process ones and their
// gradients are summed in float64 (grpo_trainer_dist.cpp), so every per-step
// metric and every tensor of the final checkpoint must be equal bit for bit.
// (With another thread count the kernels' own reductions round differently;
// that is not what is tested here.)
#include "store/store.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <chrono>

using namespace awb;

namespace {

const QString kAwb = QStringLiteral(AWB_BINARY_DIR "/app/awb");
const QString kDemo = QStringLiteral(AWB_DEMO_SMALL_DIR);

// A TCP port nobody listens on now (the kernel's choice for port 0).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    const int port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

QStringList trainArgs(const QString &db, int steps, const QStringList &extra)
{
    return QStringList{"train", "--demo", "--demo-dir", kDemo, "--db", db, "--steps", QString::number(steps),
                       "--prompts-per-step", "4", "--num-generations", "4", "--max-completion-length", "12",
                       "--mini-batch-size", "4", "--save-steps", "2", "--threads", "1",
                       // One completion per reward-model pass: a batch pads to its longest row, and on some CPUs
                       // OpenBLAS rounds a padded batch differently, so a rank's batch of 8 and one process's
                       // batch of 16 would score the same row a few ulps apart (seen on an AMD EPYC, before
                       // and after the frozen-base work).
                       "--reward-batch-size", "1", "--quiet"} + extra;
}

QProcessEnvironment rankEnv(int rank, int world, int port)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("RANK", QString::number(rank));
    env.insert("LOCAL_RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(world));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", QString::number(port));
    return env;
}

std::vector<nlohmann::json> jsonLines(const QByteArray &out)
{
    std::vector<nlohmann::json> lines;
    for (const QByteArray &line : out.split('\n'))
        if (!line.trimmed().isEmpty()) {
            nlohmann::json j = nlohmann::json::parse(line.toStdString());
            j.erase("time_s");          // wall-clock figures differ, everything else must not
            j.erase("tokens_per_s");
            for (auto it = j.begin(); it != j.end();)
                it = it.key().rfind("time/", 0) == 0 ? j.erase(it) : std::next(it);
            lines.push_back(std::move(j));
        }
    return lines;
}

struct Finished
{
    int exitCode = -1;
    QByteArray out, err;
};

Finished runOne(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(kAwb, args);
    p.waitForFinished(600000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// W ranks of `args`; rank 0's output.
Finished runRanks(int world, const QStringList &args)
{
    const int port = freePort();
    std::vector<std::unique_ptr<QProcess>> ranks;
    for (int r = 0; r < world; ++r) {
        ranks.push_back(std::make_unique<QProcess>());
        ranks.back()->setProcessEnvironment(rankEnv(r, world, port));
        ranks.back()->start(kAwb, args);
    }
    Finished f;
    for (int r = world - 1; r >= 0; --r) {
        ranks[static_cast<std::size_t>(r)]->waitForFinished(600000);
        if (r == 0) {
            f.exitCode = ranks[0]->exitStatus() == QProcess::NormalExit ? ranks[0]->exitCode() : -1;
            f.out = ranks[0]->readAllStandardOutput();
            f.err = ranks[0]->readAllStandardError();
        }
    }
    return f;
}

// Two ranks of `args` in the background, returning once rank 0 has printed `lines` steps.
bool startTwoRanks(QProcess &rank0, QProcess &rank1, const QStringList &args, int port, int lines)
{
    rank0.setProcessEnvironment(rankEnv(0, 2, port));
    rank1.setProcessEnvironment(rankEnv(1, 2, port));
    rank0.start(kAwb, args);
    rank1.start(kAwb, args);
    if (!rank0.waitForStarted() || !rank1.waitForStarted())
        return false;
    QByteArray printed;
    while (printed.count('\n') < lines && rank0.state() == QProcess::Running) {
        rank0.waitForReadyRead(1000);
        printed += rank0.readAllStandardOutput();
    }
    return printed.count('\n') >= lines;
}

// Every tensor's bytes in a safetensors file, by name.
std::map<std::string, QByteArray> tensors(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = f.readAll();
    quint64 n = 0;
    std::memcpy(&n, all.constData(), 8);
    const nlohmann::json header = nlohmann::json::parse(all.mid(8, static_cast<int>(n)).toStdString());
    std::map<std::string, QByteArray> out;
    for (const auto &[name, t] : header.items())
        if (name != "__metadata__") {
            const auto begin = t["data_offsets"][0].get<qint64>(), end = t["data_offsets"][1].get<qint64>();
            out[name] = all.mid(static_cast<int>(8 + n + begin), static_cast<int>(end - begin));
        }
    return out;
}

void compareCheckpoints(const QString &a, const QString &b)
{
    for (const char *file : {"policy/model.safetensors", "optimizer.safetensors"}) {
        const auto x = tensors(a + "/" + file), y = tensors(b + "/" + file);
        QVERIFY2(!x.empty(), qPrintable(a + "/" + file));
        QCOMPARE(x.size(), y.size());
        for (const auto &[name, bytes] : x)
            QVERIFY2(y.at(name) == bytes, qPrintable(QString("%1: %2 differs").arg(file, QString::fromStdString(name))));
    }
}

} // namespace

class TestCliDistributed : public QObject
{
    Q_OBJECT

private slots:
    void twoRanksEqualOneProcess_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::newRow("grpo") << QStringList{};
        QTest::newRow("rloo") << QStringList{"--algorithm", "rloo"};
        QTest::newRow("ppo") << QStringList{"--algorithm", "ppo", "--num-mini-batches", "2"};
    }
    void twoRanksEqualOneProcess()
    {
        QFETCH(QStringList, flags);
        QTemporaryDir dir;
        const Finished one = runOne(trainArgs(dir.filePath("one.awb"), 2, flags));
        QVERIFY2(one.exitCode == 0, one.err.constData());
        const Finished two = runRanks(2, trainArgs(dir.filePath("two.awb"), 2, flags));
        QVERIFY2(two.exitCode == 0, two.err.constData());
        const auto a = jsonLines(one.out), b = jsonLines(two.out);
        QCOMPARE(a.size(), std::size_t(2));
        QCOMPARE(b.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY2(a[i] == b[i], qPrintable(QString::fromStdString("step " + std::to_string(i + 1) + ":\n" + a[i].dump() +
                                                                     "\n" + b[i].dump())));
        compareCheckpoints(dir.filePath("one.awb.runs/run-1/checkpoint-2"), dir.filePath("two.awb.runs/run-1/checkpoint-2"));
        // Rank 0 alone wrote the workspace: the run's steps and samples once each.
        Store store = Store::open(dir.filePath("two.awb").toStdString());
        QCOMPARE(store.runs().size(), std::size_t(1));
        SampleFilter all;
        all.limit = -1;
        QCOMPARE(store.countSamples(all), std::int64_t(2 * 4 * 4));
    }

    // Resumed with another world size, a run continues to the uninterrupted run's results.
    void resumeWithAnotherWorldSize_data()
    {
        QTest::addColumn<int>("before");
        QTest::addColumn<int>("after");
        QTest::newRow("2 ranks, then 1") << 2 << 1;
        QTest::newRow("1 process, then 2 ranks") << 1 << 2;
    }
    void resumeWithAnotherWorldSize()
    {
        QFETCH(int, before);
        QFETCH(int, after);
        QTemporaryDir dir;
        const Finished whole = runOne(trainArgs(dir.filePath("whole.awb"), 4, {}));
        QCOMPARE(whole.exitCode, 0);
        const QString db = dir.filePath("split.awb");
        const Finished first = before == 1 ? runOne(trainArgs(db, 2, {})) : runRanks(before, trainArgs(db, 2, {}));
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const QStringList resume = {"train", "--resume", "--db", db, "--steps", "4", "--threads", "1", "--quiet"};
        const Finished second = after == 1 ? runOne(resume) : runRanks(after, resume);
        QVERIFY2(second.exitCode == 0, second.err.constData());
        const auto ref = jsonLines(whole.out), got = jsonLines(second.out);
        QCOMPARE(got.size(), std::size_t(2));
        for (std::size_t i = 0; i < got.size(); ++i)
            QVERIFY2(got[i] == ref[i + 2], qPrintable(QString("step %1").arg(i + 3)));
        compareCheckpoints(dir.filePath("whole.awb.runs/run-1/checkpoint-4"), dir.filePath("split.awb.runs/run-1/checkpoint-4"));
    }

    // SIGKILL one rank: the other stops within its timeout naming the lost rank; --resume continues.
    void killedRankIsNamedAndTheRunResumes()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("killed.awb");
        const int port = freePort();
        const QStringList args = trainArgs(db, 40, {"--dist-timeout", "60"});
        QProcess rank0, rank1;
        QVERIFY(startTwoRanks(rank0, rank1, args, port, 3));
        QCOMPARE(::kill(static_cast<pid_t>(rank1.processId()), SIGKILL), 0);
        const auto killedAt = std::chrono::steady_clock::now();
        QVERIFY(rank0.waitForFinished(90000));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killedAt).count();
        QVERIFY2(seconds < 60, qPrintable(QString::number(seconds)));
        QCOMPARE(rank0.exitCode(), 1);
        const QString err = QString::fromUtf8(rank0.readAllStandardError());
        QVERIFY2(err.contains("rank 1 of the job was lost"), qPrintable(err));
        rank1.waitForFinished();
        std::int64_t last = 0;
        {
            Store store = Store::open(db.toStdString());
            QCOMPARE(store.runs().front().status, std::string("failed"));
            last = store.lastStep(store.runs().front().id);
            QVERIFY(last >= 3);
        }
        const Finished resumed = runOne({"train", "--resume", "--db", db, "--steps", QString::number(last + 2),
                                         "--threads", "1", "--quiet"});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        const auto lines = jsonLines(resumed.out);
        QVERIFY(!lines.empty());
        QCOMPARE(lines.back()["step"].get<std::int64_t>(), last + 2);
    }

    // The workspace's run controls (what the window writes) reach every rank at the same step:
    // a weight, a pause, then a stop, which ends both ranks.
    void workspaceControlsReachEveryRank()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("steered.awb");
        const int port = freePort();
        const QStringList args = trainArgs(db, 5000, {});
        QProcess rank0, rank1;
        QVERIFY(startTwoRanks(rank0, rank1, args, port, 2));
        Store store = Store::open(db.toStdString());
        const std::int64_t runId = store.runs().front().id;
        Store::RunControls c;
        c.weights = {{"politeness", 2.5}};
        c.command = "pause";
        store.setRunControls(runId, c);
        const std::int64_t before = store.lastStep(runId);   // written by the time the pause was
        QTest::qWait(3000);   // paused: no step is written meanwhile (at most the one under way)
        const std::int64_t paused = store.lastStep(runId);
        QVERIFY2(paused <= before + 1, qPrintable(QString("%1 then %2").arg(before).arg(paused)));
        QTest::qWait(2000);
        QCOMPARE(store.lastStep(runId), paused);
        c.command.clear();
        store.setRunControls(runId, c);
        QTRY_VERIFY_WITH_TIMEOUT(store.lastStep(runId) >= paused + 2, 30000);
        c.command = "stop";
        store.setRunControls(runId, c);
        QVERIFY(rank0.waitForFinished(60000) && rank1.waitForFinished(60000));
        QCOMPARE(rank0.exitCode(), 3);   // stopped before max_steps
        QCOMPARE(rank1.exitCode(), 3);
        QCOMPARE(store.run(runId)->status, std::string("stopped"));
        // The weight holds from the step after the pause on.
        QCOMPARE(store.stepRecord(runId, paused + 1)->weights.at("politeness"), 2.5);
        QCOMPARE(store.stepRecord(runId, 1)->weights.at("politeness"), 1.0);
        const QString err = QString::fromUtf8(rank0.readAllStandardError() + rank1.readAllStandardError());
        QVERIFY2(!err.contains("lost"), qPrintable(err));
    }

    void unreachableStoreIsNamed()
    {
        QTemporaryDir dir;
        const int port = freePort();
        const Finished f = runOne(trainArgs(dir.filePath("u.awb"), 1, {"--dist-connect-timeout", "2"}), rankEnv(1, 2, port));
        QCOMPARE(f.exitCode, 1);
        const QString err = QString::fromUtf8(f.err);
        QVERIFY2(err.contains(QString("cannot reach the rendezvous store at 127.0.0.1:%1").arg(port)), qPrintable(err));
        QVERIFY(!QFile::exists(dir.filePath("u.awb")));
    }

    // Shares that are not whole groups and whole micro-batches are refused before anything runs.
    void unevenShareIsRefused()
    {
        QTemporaryDir dir;
        QStringList args = trainArgs(dir.filePath("odd.awb"), 1, {});
        args[args.indexOf("--prompts-per-step") + 1] = "3";
        const Finished f = runRanks(2, args);
        QCOMPARE(f.exitCode, 1);
        QVERIFY2(f.err.contains("prompts_per_step 3 does not divide among 2 ranks"), f.err.constData());
    }

    // torchrun (Debian 12's needs --redirects and --tee with a log folder): the agent hosts the store.
    void torchrunLaunchesTheSameRun()
    {
        if (QStandardPaths::findExecutable("torchrun").isEmpty())
            QFAIL("torchrun is missing: scripts/setup.sh installs python3-torch");
        QTemporaryDir dir;
        const Finished one = runOne(trainArgs(dir.filePath("one.awb"), 2, {}));
        QProcess p;
        p.start("torchrun", QStringList{"--nproc_per_node=2", "--no_python", "--redirects", "2", "--tee", "2", "--log_dir",
                                        dir.filePath("logs"), "--master_port", QString::number(freePort()), kAwb} +
                                trainArgs(dir.filePath("tr.awb"), 2, {}));
        QVERIFY(p.waitForFinished(600000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto a = jsonLines(one.out), b = jsonLines(p.readAllStandardOutput());
        QCOMPARE(b.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY(a[i] == b[i]);
    }
};

QTEST_GUILESS_MAIN(TestCliDistributed)
#include "tst_cli_distributed.moc"
