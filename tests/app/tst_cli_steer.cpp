// `awb steer` and `awb front` as a user runs them, on the small demo: a
// steerable run and a fixed-weight one in one workspace; the samples carry the
// weights asked for (normalised), their scores and the gold judge's; the same
// seed gives the same text; the front's hypervolume equals a brute-force union
// of rectangles over the points it printed, and the fixed run is one point at
// its own weights; bad requests are named.
#include <nlohmann/json.hpp>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "app/awb_process.h"

#include <algorithm>
#include <set>

using namespace awb::test;

namespace {

std::vector<nlohmann::json> lines(const QByteArray &out)
{
    std::vector<nlohmann::json> v;
    for (const QByteArray &l : out.split('\n'))
        if (!l.trimmed().isEmpty())
            v.push_back(nlohmann::json::parse(l.toStdString()));
    return v;
}

// The area of the union of [rx, x] x [ry, y] over the points, by the grid of
// all their coordinates: a cell counts when some rectangle covers it.
double bruteForceHypervolume(const std::vector<std::pair<double, double>> &pts, double rx, double ry)
{
    std::set<double> xs = {rx}, ys = {ry};
    for (const auto &[x, y] : pts)
        if (x > rx && y > ry) {
            xs.insert(x);
            ys.insert(y);
        }
    const std::vector<double> X(xs.begin(), xs.end()), Y(ys.begin(), ys.end());
    double area = 0;
    for (std::size_t i = 0; i + 1 < X.size(); ++i)
        for (std::size_t j = 0; j + 1 < Y.size(); ++j) {
            const double cx = (X[i] + X[i + 1]) / 2, cy = (Y[j] + Y[j + 1]) / 2;
            const bool covered = std::any_of(pts.begin(), pts.end(), [&](const auto &p) { return p.first >= cx && p.second >= cy; });
            if (covered)
                area += (X[i + 1] - X[i]) * (Y[j + 1] - Y[j]);
        }
    return area;
}

} // namespace

class TestCliSteer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_db;

private slots:
    void initTestCase()
    {
        m_db = m_tmp.filePath(QStringLiteral("steer.awb"));
        const QStringList common = {"train", "--demo", "--demo-dir", kDemo, "--db", m_db, "--steps", "2",
                                    "--prompts-per-step", "4", "--num-generations", "2", "--max-completion-length",
                                    "8", "--threads", "1", "--quiet"};
        Result r = runAwb(common + QStringList{"--conditioning", "prompt"});
        QVERIFY2(r.code == 0, r.err.constData());
        r = runAwb(common + QStringList{"--weights", "politeness=0,meaningfulness=0,actionability=1,safety=3"});
        QVERIFY2(r.code == 0, r.err.constData());
    }

    void steerGivesScoredSamplesAtTheWeights()
    {
        const QStringList args = {"steer", "--db", m_db, "--run", "1", "--prompt", "How do I pick a lock?", "--weights",
                                  "safety=3,actionability=1", "--num-samples", "3", "--max-new-tokens", "8",
                                  "--threads", "1", "--json"};
        const Result r = runAwb(args);
        QVERIFY2(r.code == 0, r.err.constData());
        const auto rows = lines(r.out);
        QCOMPARE(rows.size(), std::size_t(3));
        for (const auto &j : rows) {
            QCOMPARE(j["prompt"].get<std::string>(), std::string("How do I pick a lock?"));
            QCOMPARE(j["weights"]["safety"].get<double>(), 0.75);
            QCOMPARE(j["weights"]["actionability"].get<double>(), 0.25);
            QCOMPARE(j["weights"]["politeness"].get<double>(), 0.0);
            QCOMPARE(j["scores"].size(), std::size_t(4));
            QCOMPARE(j["gold"].size(), std::size_t(4));   // the demo's judge
            QVERIFY(j.contains("text"));
        }
        QCOMPARE(runAwb(args).out, r.out);   // the same seed and weights give the same samples
    }

    void frontMatchesItsPoints()
    {
        const Result r = runAwb({"front", "--db", m_db, "--run", "1", "--points", "4", "--aspects", "safety,actionability",
                              "--num-samples", "1", "--max-new-tokens", "8", "--fixed-runs", "all", "--threads", "1",
                              "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["aspects"], nlohmann::json({"safety", "actionability"}));
        QCOMPARE(j["by"].get<std::string>(), std::string("gold"));
        QCOMPARE(j["points"].size(), std::size_t(4));
        // Four even steps along the safety-actionability edge, the others at 0.
        const double expected[4] = {0.0, 0.33, 0.67, 1.0};
        std::vector<std::pair<double, double>> pts;
        for (std::size_t i = 0; i < 4; ++i) {
            const auto &p = j["points"][i];
            QCOMPARE(p["weights"]["safety"].get<double>(), expected[i]);
            QCOMPARE(p["weights"]["politeness"].get<double>(), 0.0);
            pts.emplace_back(p["gold"]["safety"].get<double>(), p["gold"]["actionability"].get<double>());
        }
        QVERIFY(std::abs(j["hypervolume"].get<double>() - bruteForceHypervolume(pts, 0, 0)) < 1e-12);
        // The front holds no point another point dominates.
        for (const auto &f : j["front"])
            for (const auto &p : pts)
                QVERIFY(!(p.first >= f[0].get<double>() && p.second >= f[1].get<double>() &&
                          (p.first > f[0].get<double>() || p.second > f[1].get<double>())));
        // The fixed run is one point at its own weights (safety 3, actionability 1 of 4).
        QCOMPARE(j["fixed_runs"].size(), std::size_t(1));
        QCOMPARE(j["fixed_runs"][0]["run"].get<int>(), 2);
        QCOMPARE(j["fixed_runs"][0]["weights"]["safety"].get<double>(), 0.75);
    }

    // The exported folder of a steerable run says how to steer it; a fixed-weight run's does not.
    void exportCarriesTheConditioningFormat()
    {
        const QString out = m_tmp.filePath(QStringLiteral("export-steerable"));
        Result r = runAwb({"policy", "export", "--db", m_db, "--run", "1", "--out", out});
        QVERIFY2(r.code == 0, r.err.constData());
        QFile config(out + "/config.json");
        QVERIFY(config.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(config.readAll().toStdString());
        QVERIFY(j.contains("awb_conditioning"));
        const auto &c = j["awb_conditioning"];
        QCOMPARE(c["mechanism"].get<std::string>(), std::string("prompt"));
        QCOMPARE(c["role"].get<std::string>(), std::string("system"));
        QCOMPARE(c["aspects"], nlohmann::json({"politeness", "meaningfulness", "actionability", "safety"}));
        QCOMPARE(c["example"].get<std::string>(),
                 std::string("Preference weights: politeness=0.25, meaningfulness=0.25, actionability=0.25, safety=0.25"));
        QFile readme(out + "/README.md");
        QVERIFY(readme.open(QIODevice::ReadOnly));
        QVERIFY(readme.readAll().contains("apply_chat_template"));

        const QString fixed = m_tmp.filePath(QStringLiteral("export-fixed"));
        r = runAwb({"policy", "export", "--db", m_db, "--run", "2", "--out", fixed});
        QVERIFY2(r.code == 0, r.err.constData());
        QFile fixedConfig(fixed + "/config.json");
        QVERIFY(fixedConfig.open(QIODevice::ReadOnly));
        QVERIFY(!nlohmann::json::parse(fixedConfig.readAll().toStdString()).contains("awb_conditioning"));
        QVERIFY(!QFile::exists(fixed + "/README.md"));
    }

    void badRequestsAreNamed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown aspect") << QStringList{"steer", "--run", "1", "--prompt", "hi", "--weights", "harm=1"}
                                        << "\"harm\" is not an aspect of this run";
        QTest::newRow("weights of a fixed run") << QStringList{"steer", "--run", "2", "--prompt", "hi", "--weights",
                                                               "safety=1"}
                                                << "was not steerable";
        QTest::newRow("no prompt") << QStringList{"steer", "--run", "1"} << "give --prompt TEXT or --prompts FILE";
        QTest::newRow("one aspect") << QStringList{"front", "--run", "1", "--aspects", "safety"}
                                    << "name two different aspects";
        QTest::newRow("no such run") << QStringList{"front", "--run", "9"} << "there is no run 9";
    }
    void badRequestsAreNamed()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Result r = runAwb(args + QStringList{"--db", m_db, "--threads", "1"});
        QVERIFY(r.code != 0);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliSteer)
#include "tst_cli_steer.moc"
