// Labels out of one copy of a workspace and into another: the round trip
// loses nothing, duplicates are skipped, annotators' disagreements are
// reported, foreign samples are refused and a bad line writes nothing.
// Expected values are the labels the test itself wrote.
#include "core/tst_store_util.h"
#include "store/label_exchange.h"
#include "util/error.h"

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

using namespace awb;
using namespace storetest;

namespace {

using LabelKey = std::tuple<std::int64_t, std::string, double, std::string, std::int64_t>;

std::set<LabelKey> allLabels(const Store &store)
{
    std::set<LabelKey> out;
    SampleFilter f;
    f.limit = -1;
    f.includeDiscarded = true;
    for (const auto &s : store.samples(f))
        for (const auto &l : store.labelHistory(s.id))
            out.insert({l.sampleId, l.aspect, l.value, l.annotator, l.timeMs});
    return out;
}

} // namespace

class TestLabelExchange : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void roundTripLosesNothing();
    void mergeSkipsDuplicatesAndReportsConflicts();
    void foreignSamplesAreRefused();
    void badLineWritesNothing();

private:
    std::string path(const char *name) const { return m_dir->filePath(QString::fromLatin1(name)).toStdString(); }
    // A workspace with one run and two steps of 4 samples, no labels; closed.
    void makeWorkspace(const std::string &file);
    std::int64_t firstSample(const Store &store, int offset = 0) const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestLabelExchange::init() { m_dir = std::make_unique<QTemporaryDir>(); }

void TestLabelExchange::makeWorkspace(const std::string &file)
{
    Store store = Store::open(file);
    const std::int64_t run = store.createRun("run", nlohmann::json::object());
    store.writeStep(step(run, 1, 4, 0.5));
    store.writeStep(step(run, 2, 4, 0.4));
}

std::int64_t TestLabelExchange::firstSample(const Store &store, int offset) const
{
    SampleFilter f;
    f.limit = -1;
    return store.samples(f).at(static_cast<std::size_t>(offset)).id;
}

void TestLabelExchange::roundTripLosesNothing()
{
    makeWorkspace(path("a.awb"));
    std::filesystem::copy_file(path("a.awb"), path("b.awb"));   // an annotator's copy, no labels yet
    Store a = Store::open(path("a.awb"));
    const std::int64_t s0 = firstSample(a), s5 = firstSample(a, 5);
    a.addLabel({0, s0, "politeness", 0.25, "ana", 1000});
    a.addLabel({0, s0, "safety", 1.0, "ana", 1001});
    a.addLabel({0, s0, "politeness", 0.5, "ana", 2000});   // a correction: history kept
    a.addLabel({0, s5, "safety", 0.0, "bo", 1500});

    const LabelExportResult e = exportLabels(a, path("labels.jsonl"));
    QCOMPARE(e.samples, std::int64_t(2));
    QCOMPARE(e.labels, std::int64_t(4));

    Store b = Store::open(path("b.awb"));
    QVERIFY(allLabels(b).empty());
    const LabelImportResult r = importLabels(b, path("labels.jsonl"));
    QCOMPARE(r.added, std::int64_t(4));
    QCOMPARE(r.duplicates, std::int64_t(0));
    QCOMPARE(r.unmatched, std::int64_t(0));
    QVERIFY(r.conflicts.empty());
    QVERIFY(allLabels(b) == allLabels(a));   // ids, aspects, values, annotators, times
    QCOMPARE(b.latestLabels(s0).at("politeness"), 0.5);

    // Importing again changes nothing.
    const LabelImportResult again = importLabels(b, path("labels.jsonl"));
    QCOMPARE(again.added, std::int64_t(0));
    QCOMPARE(again.duplicates, std::int64_t(4));
    QCOMPARE(b.labelCount(), std::int64_t(4));
}

void TestLabelExchange::mergeSkipsDuplicatesAndReportsConflicts()
{
    makeWorkspace(path("a.awb"));
    {
        Store a = Store::open(path("a.awb"));
        a.addLabel({0, firstSample(a), "safety", 1.0, "ana", 1000});   // before the copy: in both
    }
    std::filesystem::copy_file(path("a.awb"), path("b.awb"));
    Store a = Store::open(path("a.awb"));
    Store b = Store::open(path("b.awb"));
    const std::int64_t s0 = firstSample(a), s1 = firstSample(a, 1);
    a.addLabel({0, s0, "politeness", 0.75, "ana", 2000});
    a.addLabel({0, s1, "safety", 0.5, "ana", 2000});
    b.addLabel({0, s0, "politeness", 0.25, "bo", 2100});   // disagrees with ana
    b.addLabel({0, s1, "safety", 0.5, "bo", 2100});        // agrees

    exportLabels(a, path("ana.jsonl"));
    const LabelImportResult r = importLabels(b, path("ana.jsonl"));
    QCOMPARE(r.added, std::int64_t(2));
    QCOMPARE(r.duplicates, std::int64_t(1));   // the label made before the copy
    QCOMPARE(r.conflicts.size(), std::size_t(1));
    const LabelConflict &c = r.conflicts.front();
    QCOMPARE(c.sampleId, s0);
    QCOMPARE(c.aspect, std::string("politeness"));
    const std::vector<std::pair<std::string, double>> expected{{"ana", 0.75}, {"bo", 0.25}};
    QVERIFY(c.values == expected);
    // Append-only: the latest by time (bo's) still wins in b.
    QCOMPARE(b.latestLabels(s0).at("politeness"), 0.25);
    QCOMPARE(b.labelCount(), std::int64_t(5));
}

void TestLabelExchange::foreignSamplesAreRefused()
{
    makeWorkspace(path("a.awb"));
    Store a = Store::open(path("a.awb"));
    const std::int64_t s0 = firstSample(a);
    a.addLabel({0, s0, "safety", 1.0, "ana", 1000});
    exportLabels(a, path("labels.jsonl"));
    {
        std::ofstream f(path("labels.jsonl"), std::ios::app);
        nlohmann::json other = {{"sample_id", s0},        {"run_id", 1},       {"step", 1},
                                {"prompt", "prompt 0"},   {"completion", "not this one"},
                                {"aspect", "safety"},     {"value", 0.0},     {"annotator", "cy"}, {"time_ms", 5}};
        f << other.dump() << "\n";
        other["sample_id"] = 999999;
        f << other.dump() << "\n";
    }
    Store b = Store::open(path("b.awb"));   // another workspace altogether: empty
    const LabelImportResult none = importLabels(b, path("labels.jsonl"));
    QCOMPARE(none.unmatched, std::int64_t(3));
    QCOMPARE(b.labelCount(), std::int64_t(0));

    const LabelImportResult r = importLabels(a, path("labels.jsonl"));
    QCOMPARE(r.duplicates, std::int64_t(1));
    QCOMPARE(r.unmatched, std::int64_t(2));
    QCOMPARE(r.problems.size(), std::size_t(2));
    QVERIFY2(QString::fromStdString(r.problems[0]).contains(QStringLiteral("labels.jsonl:2: sample")),
             r.problems[0].c_str());
    QVERIFY(QString::fromStdString(r.problems[0]).contains(QStringLiteral("another prompt or completion")));
    QVERIFY(QString::fromStdString(r.problems[1]).contains(QStringLiteral("no such sample")));
    QCOMPARE(a.labelCount(), std::int64_t(1));
}

void TestLabelExchange::badLineWritesNothing()
{
    makeWorkspace(path("a.awb"));
    Store a = Store::open(path("a.awb"));
    const std::int64_t s0 = firstSample(a);
    a.addLabel({0, s0, "safety", 1.0, "ana", 1000});
    a.addLabel({0, s0, "politeness", 0.5, "ana", 1001});
    exportLabels(a, path("labels.jsonl"));
    Store b = Store::open(path("b.awb"));
    makeWorkspace(path("c.awb"));
    Store c = Store::open(path("c.awb"));
    {
        std::ofstream f(path("labels.jsonl"), std::ios::app);
        f << "{\"sample_id\": 1, \"value\": \"high\"}\n";
    }
    const QString msg = messageOf<Error>([&] { importLabels(c, path("labels.jsonl")); });
    QVERIFY2(msg.contains(QStringLiteral("labels.jsonl:3:")), qPrintable(msg));
    QCOMPARE(c.labelCount(), std::int64_t(0));   // the two good lines before it were not written either
    const QString missing = messageOf<IoError>([&] { importLabels(c, path("nope.jsonl")); });
    QVERIFY2(missing.contains(QStringLiteral("nope.jsonl")), qPrintable(missing));
}

QTEST_GUILESS_MAIN(TestLabelExchange)
#include "tst_label_exchange.moc"
