// `awb compare` as a user runs it, on the small demo: one JSON object per
// algorithm whose figures agree with the runs it stored (the gold objective's
// first and last means, the token counts, recomputed from the workspace's
// metrics), each run stored with its algorithm; an unknown algorithm is
// refused before anything runs.
#include "store/store.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>
#include <numeric>

using namespace awb;

namespace {

const QString kAwb = QStringLiteral(AWB_BINARY_DIR "/app/awb");
const QString kDemo = QStringLiteral(AWB_DEMO_SMALL_DIR);
constexpr int kSteps = 7;

double meanOf(const std::vector<double> &v, std::size_t from, std::size_t to)
{
    return std::accumulate(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(to), 0.0) /
           static_cast<double>(to - from);
}

} // namespace

class TestCliCompare : public QObject
{
    Q_OBJECT

private slots:
    void figuresAgreeWithTheStoredRuns()
    {
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("cmp.awb"));
        QProcess p;
        p.start(kAwb, {"compare", "--demo", "--demo-dir", kDemo, "--algorithms", "grpo,rloo", "--steps",
                       QString::number(kSteps), "--db", db, "--json", "--threads", "1"});
        QVERIFY(p.waitForFinished(600000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto rows = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(rows.size(), std::size_t(2));
        Store store = Store::open(db.toStdString());
        const auto runs = store.runs();
        QCOMPARE(runs.size(), std::size_t(2));
        double best = 0;
        for (std::size_t i = 0; i < 2; ++i) {
            const auto &row = rows[i];
            QCOMPARE(row["algorithm"].get<std::string>(), std::string(i == 0 ? "grpo" : "rloo"));
            QCOMPARE(row["run"].get<std::int64_t>(), runs[i].id);
            QCOMPARE(runs[i].config["algorithm"].get<std::string>(), row["algorithm"].get<std::string>());
            QCOMPARE(row["steps"].get<int>(), kSteps);
            std::vector<double> gold;
            for (const auto &[step, value] : store.metricSeries(runs[i].id, "gold_objective"))
                gold.push_back(value);
            QCOMPARE(gold.size(), std::size_t(kSteps));
            QVERIFY(std::abs(row["gold_objective_first"].get<double>() - meanOf(gold, 0, 5)) < 1e-9);
            QVERIFY(std::abs(row["gold_objective_last"].get<double>() - meanOf(gold, kSteps - 5, kSteps)) < 1e-9);
            best = std::max(best, row["gold_objective_last"].get<double>());
            double generated = 0, trained = 0;
            for (const auto &[step, value] : store.metricSeries(runs[i].id, "tokens/generated"))
                generated += value;
            for (const auto &[step, value] : store.metricSeries(runs[i].id, "tokens/trained"))
                trained += value;
            QCOMPARE(row["tokens_generated"].get<double>(), generated);
            QCOMPARE(row["tokens_trained"].get<double>(), trained);
            // The demo's policy is fully fine-tuned with beta > 0: policy, reference and reward model.
            QCOMPARE(row["models_in_memory"].get<int>(), 3);
            QVERIFY(row["peak_rss_mb"].get<double>() > 0);
            QVERIFY(row["seconds"].get<double>() > 0);
        }
        QCOMPARE(rows[0]["best_gold_objective_last"].get<double>(), best);
    }

    // DPO next to GRPO: its gold figures are the means over its evaluation steps (1, 5 and 7 of 7
    // with eval_steps 5), which are the only steps that store a gold objective. A DPO run on the
    // workspace's own samples then pairs them within their groups, as counted here from the store.
    void dpoComparesOnItsEvaluationsAndPairsTheWorkspaceSamples()
    {
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("cmp.awb"));
        QProcess p;
        p.start(kAwb, {"compare", "--demo", "--demo-dir", kDemo, "--algorithms", "grpo,dpo", "--steps",
                       QString::number(kSteps), "--db", db, "--json", "--threads", "1"});
        QVERIFY(p.waitForFinished(600000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto rows = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
        QCOMPARE(rows.size(), std::size_t(2));
        const auto &dpo = rows[1];
        QCOMPARE(dpo["algorithm"].get<std::string>(), std::string("dpo"));
        QCOMPARE(dpo["steps"].get<int>(), kSteps);
        QCOMPARE(dpo["evaluations"].get<int>(), 3);
        Store store = Store::open(db.toStdString());
        const auto runs = store.runs();
        std::vector<double> gold;
        std::vector<std::int64_t> steps;
        for (const auto &[step, value] : store.metricSeries(runs[1].id, "gold_objective")) {
            gold.push_back(value);
            steps.push_back(step);
        }
        QCOMPARE(steps, (std::vector<std::int64_t>{1, 5, 7}));
        QVERIFY(std::abs(dpo["gold_objective_first"].get<double>() - meanOf(gold, 0, 3)) < 1e-9);
        QVERIFY(store.metricSeries(runs[1].id, "rewards/accuracies").size() == std::size_t(kSteps));
        // Policy, reference and reward model (for the evaluations' scores).
        QCOMPARE(dpo["models_in_memory"].get<int>(), 3);

        // Pairs from the samples: best against worst of each group by the mean of the
        // four predicted scores (weights 1), kept when they differ by 0.05 or more.
        SampleFilter all;
        all.limit = -1;
        std::map<std::string, std::vector<std::pair<double, std::string>>> groups;
        for (const auto &s : store.samples(all)) {
            double sum = 0;
            for (const auto &[aspect, v] : s.scores)
                sum += v;
            groups[std::to_string(s.runId) + "/" + std::to_string(s.step) + "/" + std::to_string(s.group)]
                .emplace_back(sum / static_cast<double>(s.scores.size()), s.completion);
        }
        int expected = 0;
        for (auto &[key, g] : groups) {
            const auto [lo, hi] = std::minmax_element(g.begin(), g.end());
            expected += hi->first - lo->first >= 0.05 && hi->second != lo->second ? 1 : 0;
        }
        QVERIFY(expected > 0);
        QProcess t;
        t.start(kAwb, {"train", "--demo", "--demo-dir", kDemo, "--db", db, "--algorithm", "dpo", "--pair-source",
                       "workspace", "--steps", "2", "--threads", "1"});
        QVERIFY(t.waitForFinished(600000));
        const QString err = QString::fromUtf8(t.readAllStandardError());
        QVERIFY2(t.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("DPO: %1 pairs from the workspace's samples").arg(expected)), qPrintable(err));
    }

    void unknownAlgorithmIsRefusedBeforeAnyRun()
    {
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("cmp.awb"));
        QProcess p;
        p.start(kAwb, {"compare", "--demo", "--demo-dir", kDemo, "--algorithms", "grpo,ppo2", "--steps", "2", "--db", db});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("\"ppo2\" is not one of grpo, rloo, ppo, dpo")), qPrintable(err));
        QVERIFY(!QFile::exists(db));
    }
};

QTEST_GUILESS_MAIN(TestCliCompare)
#include "tst_cli_compare.moc"
