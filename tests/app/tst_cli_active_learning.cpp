// `awb active-learning` as a user runs it, on the small demo: the random
// strategy twice with one seed gives the same labelled samples and the same
// held-out metrics, the rounds label budget * r / rounds samples with the
// strategy's queue; the strategies' orders against hand sorts; bad input is
// refused with a message naming the option.
#include "store/store.h"
#include "train/active_learning.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <random>
#include <set>

using namespace awb;

namespace {

const QString kAwb = QStringLiteral(AWB_BINARY_DIR "/app/awb");
const QString kDemo = QStringLiteral(AWB_DEMO_SMALL_DIR);

struct Run
{
    int exitCode = -1;
    QString err;
    nlohmann::json json;
};

Run activeLearning(const QString &db, const QStringList &extra)
{
    QProcess p;
    p.start(kAwb, QStringList{"active-learning", "--demo", "--demo-dir", kDemo, "--db", db, "--json", "--threads", "1"}
                      + extra);
    Run r;
    if (!p.waitForFinished(900000))
        return r;
    r.exitCode = p.exitCode();
    r.err = QString::fromUtf8(p.readAllStandardError());
    if (r.exitCode == 0)
        r.json = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
    return r;
}

std::set<std::int64_t> labelledIds(const QString &db)
{
    std::set<std::int64_t> ids;
    for (const auto &s : Store::open(db.toStdString()).labelledSamples())
        ids.insert(s.sampleId);
    return ids;
}

} // namespace

class TestCliActiveLearning : public QObject
{
    Q_OBJECT

private slots:
    void randomIsReproducible()
    {
        QTemporaryDir tmp;
        const QStringList args = {"--strategy", "random", "--pool-steps", "1", "--budget", "6", "--rounds", "2",
                                  "--epochs", "1", "--ensemble-size", "2", "--seed", "3"};
        const QString a = tmp.filePath(QStringLiteral("a.awb")), b = tmp.filePath(QStringLiteral("b.awb"));
        const Run first = activeLearning(a, args);
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        const Run second = activeLearning(b, args);
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));
        const auto &rounds = first.json.at("rounds");
        QCOMPARE(rounds.size(), std::size_t(3));
        QCOMPARE(rounds[0]["labels"].get<int>(), 0);
        QCOMPARE(rounds[1]["labels"].get<int>(), 3);
        QCOMPARE(rounds[2]["labels"].get<int>(), 6);
        for (std::size_t i = 0; i < rounds.size(); ++i)
            QCOMPARE(rounds[i]["metrics"].dump(), second.json["rounds"][i]["metrics"].dump());
        for (const char *aspect : {"politeness", "safety"}) {
            QVERIFY(rounds[2]["metrics"][aspect].contains("spearman"));
            QVERIFY(rounds[2]["metrics"][aspect]["rmse"].is_number());
        }
        QCOMPARE(labelledIds(a).size(), std::size_t(6));
        QCOMPARE(labelledIds(a), labelledIds(b));
        const Store store = Store::open(a.toStdString());
        const auto aspects = first.json["aspects"].size();
        QCOMPARE(store.labelsSince(0, "random"), std::int64_t(6 * aspects));
        // Another seed picks other samples.
        const Run other = activeLearning(tmp.filePath(QStringLiteral("c.awb")),
                                         QStringList(args.mid(0, args.size() - 1)) << "4");
        QVERIFY2(other.exitCode == 0, qPrintable(other.err));
        QVERIFY(labelledIds(tmp.filePath(QStringLiteral("c.awb"))) != labelledIds(a));
    }

    void ordersByHand()
    {
        // Candidates 0..4; per-aspect std and range by hand.
        const std::vector<std::vector<double>> stds = {{0.1, 0.3}, {0.2, 0.2}, {0.05, 0.0}, {0.4, 0.1}, {0.3, 0.3}};
        const std::vector<std::vector<double>> ranges = {{0.5, 0.2}, {0.9, 0.1}, {0.1, 0.0}, {0.3, 0.3}, {0.6, 0.7}};
        const std::vector<std::size_t> all = {0, 1, 2, 3, 4};
        // Largest std: 3 (0.4), then 0 and 4 (0.3, candidate order), then 1, then 2.
        QCOMPARE(activeLearningOrder("uncertainty", all, stds, ranges, 0), (std::vector<std::size_t>{3, 0, 4, 1, 2}));
        // Largest range: 1 (0.9), 4 (0.7), 0 (0.5), 3 (0.3), 2 (0.1).
        QCOMPARE(activeLearningOrder("disagreement", all, stds, ranges, 0), (std::vector<std::size_t>{1, 4, 0, 3, 2}));
        const auto r1 = activeLearningOrder("random", all, {}, {}, 9);
        QCOMPARE(r1, activeLearningOrder("random", all, {}, {}, 9));
        // By hand: Fisher-Yates with mt19937_64(9), rng() % (i + 1) from the end.
        std::vector<std::size_t> expected = all;
        std::mt19937_64 rng(9);
        for (std::size_t i = expected.size(); i > 1; --i)
            std::swap(expected[i - 1], expected[static_cast<std::size_t>(rng() % i)]);
        QCOMPARE(r1, expected);
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("strategy") << QStringList{"--strategy", "loudest"}
                                  << "--strategy \"loudest\" is not one of uncertainty, random, disagreement";
        QTest::newRow("budget") << QStringList{"--budget", "2", "--rounds", "3"}
                                << "--budget 2 must be at least --rounds (3)";
        QTest::newRow("one head") << QStringList{"--ensemble-size", "1"} << "give --ensemble-size 2 or more";
        QTest::newRow("no heads") << QStringList{"--ensemble-size", "0", "--strategy", "random"}
                                  << "ensemble_size (--ensemble-size) must be at least 1, got 0";
    }

    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        const Run r = activeLearning(tmp.filePath(QStringLiteral("bad.awb")), args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void workspaceWithLabelsRefused()
    {
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("labelled.awb"));
        {
            Store store = Store::open(db.toStdString());
            StepRecord step;
            step.runId = store.createRun("r", nlohmann::json::object());
            step.step = 1;
            SampleRecord s;
            s.prompt = "p";
            s.completion = "c";
            s.scores = {{"politeness", 0.5}};
            step.samples.push_back(s);
            store.writeStep(step);
            const auto id = store.samples({}).front().id;
            store.addLabel(LabelRecord{0, id, "politeness", 0.5, "me", 0});
        }
        const Run r = activeLearning(db, {"--strategy", "random"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains(db + QStringLiteral(": the workspace already has labels")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliActiveLearning)
#include "tst_cli_active_learning.moc"
