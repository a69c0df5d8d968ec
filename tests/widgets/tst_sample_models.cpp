// SampleTableModel and SampleFilterModel: each filter on eight hand-made rows,
// sorting (NaN last, case-insensitive text), the colour scale at known points,
// label updates. Expected values are worked out by hand in the comments.
#include "sample_filter_model.h"
#include "sample_table_model.h"

#include <QSignalSpy>
#include <QtTest>

#include <climits>
#include <cmath>

using namespace awb;

namespace {

const double NaN = view::missing();

QVector<view::AspectSpec> aspects()
{
    return {{QStringLiteral("politeness"), 0.0, 1.0}, {QStringLiteral("safety"), 0.0, 10.0}};
}

view::SampleRow row(qint64 id, int step, const QString &prompt, QVector<double> scores, QVector<double> labels,
                    double advantage)
{
    view::SampleRow r;
    r.id = id;
    r.runId = 1;
    r.step = step;
    r.prompt = prompt;
    r.completion = QStringLiteral("Completion of %1").arg(id);
    r.scores = scores;
    r.labels = labels;
    r.advantage = advantage;
    r.reward = scores.value(0, 0.0);
    r.rewardModelVersion = 3;
    return r;
}

// Disagreement (raw, largest |score - label|): 2: |0.2-0.5| = 0.3; 3: 0;
// 5: |1-6| = 5; 6: max(|0.75-0.1|, |7.5-7|) = 0.65; 8: max(0.05, 0) = 0.05.
QVector<view::SampleRow> eightRows()
{
    return {
        row(1, 1, QStringLiteral("How do I reset my router?"), {0.9, 8.0}, {NaN, NaN}, 1.0),
        row(2, 1, QStringLiteral("Write a poem about rain"), {0.2, 3.0}, {0.5, NaN}, -0.5),
        row(3, 2, QStringLiteral("ROUTER keeps dropping"), {0.6, 9.0}, {0.6, 9.0}, 0.0),
        row(4, 2, QStringLiteral("Explain tax brackets"), {NaN, 5.0}, {}, NaN),
        row(5, 3, QStringLiteral("router firmware update"), {0.4, 1.0}, {NaN, 6.0}, 0.3),
        row(6, 3, QStringLiteral("Best pasta recipe"), {0.75, 7.5}, {0.1, 7.0}, -1.2),
        row(7, 4, QStringLiteral("How to unblock a drain"), {0.1, 2.0}, {NaN, NaN}, 0.2),
        row(8, 5, QStringLiteral("Reset password on Router"), {0.95, 9.5}, {1.0, 9.5}, -0.1),
    };
}

QList<qint64> ids(const SampleFilterModel &f)
{
    QList<qint64> out;
    for (int r = 0; r < f.rowCount(); ++r)
        out.append(f.sampleIdAt(r));
    return out;
}

QColor rgb(int r, int g, int b) { return QColor(r, g, b); }

} // namespace

class TestSampleModels : public QObject
{
    Q_OBJECT

private slots:
    void columnsFollowAspects();
    void displayFormatting();
    void filters_data();
    void filters();
    void disagreementMode();
    void sorting_data();
    void sorting();
    void scoreColour_data();
    void scoreColour();
    void advantageColour_data();
    void advantageColour();
    void setLabelsUpdatesRowAndFilters();
    void appendRowsExtendsIndex();
};

void TestSampleModels::columnsFollowAspects()
{
    SampleTableModel m;
    m.setAspects(aspects());
    // step, prompt, completion, 2 scores, 2 labels, reward, advantage, RM, disagreement
    QCOMPARE(m.columnCount(), 3 + 2 + 2 + 4);
    QCOMPARE(m.scoreColumn(1), 4);
    QCOMPARE(m.labelColumn(0), 5);
    QCOMPARE(m.disagreementColumn(), 10);
    QCOMPARE(m.headerData(m.labelColumn(1), Qt::Horizontal).toString(), QStringLiteral("safety\nlabel"));
}

void TestSampleModels::displayFormatting()
{
    SampleTableModel m;
    m.setAspects(aspects());
    view::SampleRow r = eightRows()[5];  // id 6
    r.prompt = QStringLiteral("Best\n  pasta\trecipe");
    m.setRows({r});
    QCOMPARE(m.index(0, SampleTableModel::PromptColumn).data().toString(), QStringLiteral("Best pasta recipe"));
    QCOMPARE(m.index(0, SampleTableModel::PromptColumn).data(Qt::ToolTipRole).toString(), r.prompt);
    QCOMPARE(m.index(0, m.scoreColumn(0)).data().toString(), QStringLiteral("0.750"));
    QCOMPARE(m.index(0, m.labelColumn(1)).data().toString(), QStringLiteral("7.000"));
    QCOMPARE(m.index(0, m.advantageColumn()).data().toString(), QStringLiteral("-1.20"));
    QCOMPARE(m.index(0, m.rmVersionColumn()).data().toString(), QStringLiteral("v3"));
    QCOMPARE(m.index(0, m.disagreementColumn()).data().toString(), QStringLiteral("0.650"));
    QCOMPARE(m.index(0, m.scoreColumn(0)).data(SampleTableModel::SampleIdRole).toLongLong(), 6);
    // Unlabelled cells are blank, not "nan".
    m.setRows({eightRows()[0]});
    QCOMPARE(m.index(0, m.labelColumn(0)).data().toString(), QString());
    QCOMPARE(m.index(0, m.disagreementColumn()).data().toString(), QString());
    QCOMPARE(m.index(0, m.advantageColumn()).data().toString(), QStringLiteral("+1.00"));
}

void TestSampleModels::filters_data()
{
    QTest::addColumn<int>("minStep");
    QTest::addColumn<int>("maxStep");
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<int>("aspect");
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::addColumn<int>("labelled");
    QTest::addColumn<QList<qint64>>("expected");
    const int all = int(SampleFilterModel::Labelled::All);
    QTest::newRow("none") << INT_MIN << INT_MAX << QString() << -1 << 0.0 << 0.0 << all
                          << QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8};
    QTest::newRow("steps 2-3") << 2 << 3 << QString() << -1 << 0.0 << 0.0 << all << QList<qint64>{3, 4, 5, 6};
    QTest::newRow("steps 4-") << 4 << INT_MAX << QString() << -1 << 0.0 << 0.0 << all << QList<qint64>{7, 8};
    QTest::newRow("prompt router") << INT_MIN << INT_MAX << QStringLiteral("router") << -1 << 0.0 << 0.0 << all
                                   << QList<qint64>{1, 3, 5, 8};
    QTest::newRow("prompt RESET") << INT_MIN << INT_MAX << QStringLiteral("RESET") << -1 << 0.0 << 0.0 << all
                                  << QList<qint64>{1, 8};
    // Politeness in [0.5, 1]: 0.9, 0.6, 0.75, 0.95; id 4 has no score and goes.
    QTest::newRow("politeness >= .5") << INT_MIN << INT_MAX << QString() << 0 << 0.5 << 1.0 << all
                                      << QList<qint64>{1, 3, 6, 8};
    // Safety in [5, 10]: 8, 9, 5, 7.5, 9.5.
    QTest::newRow("safety >= 5") << INT_MIN << INT_MAX << QString() << 1 << 5.0 << 10.0 << all
                                 << QList<qint64>{1, 3, 4, 6, 8};
    QTest::newRow("safety 2-3") << INT_MIN << INT_MAX << QString() << 1 << 2.0 << 3.0 << all << QList<qint64>{2, 7};
    QTest::newRow("labelled") << INT_MIN << INT_MAX << QString() << -1 << 0.0 << 0.0
                              << int(SampleFilterModel::Labelled::Labelled) << QList<qint64>{2, 3, 5, 6, 8};
    QTest::newRow("unlabelled") << INT_MIN << INT_MAX << QString() << -1 << 0.0 << 0.0
                                << int(SampleFilterModel::Labelled::Unlabelled) << QList<qint64>{1, 4, 7};
    QTest::newRow("router, labelled, step<=3") << INT_MIN << 3 << QStringLiteral("router") << -1 << 0.0 << 0.0
                                               << int(SampleFilterModel::Labelled::Labelled) << QList<qint64>{3, 5};
}

void TestSampleModels::filters()
{
    QFETCH(int, minStep);
    QFETCH(int, maxStep);
    QFETCH(QString, prompt);
    QFETCH(int, aspect);
    QFETCH(double, lo);
    QFETCH(double, hi);
    QFETCH(int, labelled);
    QFETCH(QList<qint64>, expected);
    SampleTableModel m;
    m.setAspects(aspects());
    m.setRows(eightRows());
    SampleFilterModel f;
    f.setSourceModel(&m);
    f.setStepRange(minStep, maxStep);
    f.setPromptFilter(prompt);
    if (aspect >= 0)
        f.setAspectRange(aspect, lo, hi);
    f.setLabelledFilter(SampleFilterModel::Labelled(labelled));
    QCOMPARE(ids(f), expected);
    f.clearFilters();
    QCOMPARE(f.rowCount(), 8);
}

void TestSampleModels::disagreementMode()
{
    SampleTableModel m;
    m.setAspects(aspects());
    m.setRows(eightRows());
    SampleFilterModel f;
    f.setSourceModel(&m);
    f.sort(m.scoreColumn(0), Qt::AscendingOrder);
    f.setDisagreementMode(true);
    // Labelled only, by disagreement: 5 (5.0), 6 (0.65), 2 (0.3), 8 (0.05), 3 (0).
    QCOMPARE(ids(f), (QList<qint64>{5, 6, 2, 8, 3}));
    QCOMPARE(f.sortColumn(), m.disagreementColumn());
    QCOMPARE(f.sortOrder(), Qt::DescendingOrder);
    // Off: all rows, the politeness-ascending sort back (NaN last; no ties).
    f.setDisagreementMode(false);
    QCOMPARE(ids(f), (QList<qint64>{7, 2, 5, 3, 6, 1, 8, 4}));
    QCOMPARE(f.sortColumn(), m.scoreColumn(0));
}

void TestSampleModels::sorting_data()
{
    QTest::addColumn<int>("column");  // -1: score 0, -2: label 0, -3: advantage
    QTest::addColumn<int>("order");
    QTest::addColumn<QList<qint64>>("expected");
    // Politeness scores: 1 .9, 2 .2, 3 .6, 4 NaN, 5 .4, 6 .75, 7 .1, 8 .95.
    QTest::newRow("score asc") << -1 << int(Qt::AscendingOrder) << QList<qint64>{7, 2, 5, 3, 6, 1, 8, 4};
    QTest::newRow("score desc") << -1 << int(Qt::DescendingOrder) << QList<qint64>{8, 1, 6, 3, 5, 2, 7, 4};
    // Politeness labels: 2 .5, 3 .6, 6 .1, 8 1.0; the rest NaN, last, in source order.
    QTest::newRow("label asc") << -2 << int(Qt::AscendingOrder) << QList<qint64>{6, 2, 3, 8, 1, 4, 5, 7};
    QTest::newRow("label desc") << -2 << int(Qt::DescendingOrder) << QList<qint64>{8, 3, 2, 6, 1, 4, 5, 7};
    // Advantages: 1 +1, 2 -.5, 3 0, 4 NaN, 5 .3, 6 -1.2, 7 .2, 8 -.1.
    QTest::newRow("advantage desc") << -3 << int(Qt::DescendingOrder) << QList<qint64>{1, 5, 7, 3, 8, 2, 6, 4};
    // Case-insensitive: best, explain, how do, how to, reset, router f, ROUTER k, write.
    QTest::newRow("prompt asc") << int(SampleTableModel::PromptColumn) << int(Qt::AscendingOrder)
                                << QList<qint64>{6, 4, 1, 7, 8, 5, 3, 2};
}

void TestSampleModels::sorting()
{
    QFETCH(int, column);
    QFETCH(int, order);
    QFETCH(QList<qint64>, expected);
    SampleTableModel m;
    m.setAspects(aspects());
    m.setRows(eightRows());
    SampleFilterModel f;
    f.setSourceModel(&m);
    const int c = column == -1 ? m.scoreColumn(0) : column == -2 ? m.labelColumn(0)
                : column == -3 ? m.advantageColumn() : column;
    f.sort(c, Qt::SortOrder(order));
    QCOMPARE(ids(f), expected);
}

void TestSampleModels::scoreColour_data()
{
    QTest::addColumn<double>("safety");
    QTest::addColumn<QColor>("expected");
    // Safety range [0, 10]; t = v / 10. Scale: red (248,105,107) at 0,
    // yellow (255,235,132) at .5, green (99,190,123) at 1, halves rounded up.
    QTest::newRow("min") << 0.0 << rgb(248, 105, 107);
    QTest::newRow("mid") << 5.0 << rgb(255, 235, 132);
    QTest::newRow("max") << 10.0 << rgb(99, 190, 123);
    // t = .25: halfway red -> yellow: (251.5, 170, 119.5) -> (252, 170, 120).
    QTest::newRow("quarter") << 2.5 << rgb(252, 170, 120);
    // t = .75: halfway yellow -> green: (177, 212.5, 127.5) -> (177, 213, 128).
    QTest::newRow("three quarters") << 7.5 << rgb(177, 213, 128);
    QTest::newRow("above range clamps") << 12.0 << rgb(99, 190, 123);
}

void TestSampleModels::scoreColour()
{
    QFETCH(double, safety);
    QFETCH(QColor, expected);
    SampleTableModel m;
    m.setAspects(aspects());
    m.setRows({row(1, 1, QStringLiteral("p"), {0.5, safety}, {NaN, safety}, 0.0)});
    QCOMPARE(m.index(0, m.scoreColumn(1)).data(Qt::BackgroundRole).value<QColor>(), expected);
    QCOMPARE(m.index(0, m.labelColumn(1)).data(Qt::BackgroundRole).value<QColor>(), expected);
    QCOMPARE(m.index(0, m.scoreColumn(1)).data(Qt::ForegroundRole).value<QColor>(), QColor(Qt::black));
    // No label, no colour.
    QVERIFY(!m.index(0, m.labelColumn(0)).data(Qt::BackgroundRole).isValid());
}

void TestSampleModels::advantageColour_data()
{
    QTest::addColumn<double>("advantage");
    QTest::addColumn<QColor>("expected");
    // White toward blue (91,155,213) below 0, orange (244,177,131) above,
    // by min(|a| / 2, 1).
    QTest::newRow("-2 full blue") << -2.0 << rgb(91, 155, 213);
    QTest::newRow("-3 clamps") << -3.0 << rgb(91, 155, 213);
    // +1: halfway white -> orange: (249.5, 216, 193) -> (250, 216, 193).
    QTest::newRow("+1 half orange") << 1.0 << rgb(250, 216, 193);
    // -.5: a quarter white -> blue: (214, 230, 244.5) -> (214, 230, 245).
    QTest::newRow("-.5 quarter blue") << -0.5 << rgb(214, 230, 245);
    QTest::newRow("0 none") << 0.0 << QColor();
}

void TestSampleModels::advantageColour()
{
    QFETCH(double, advantage);
    QFETCH(QColor, expected);
    SampleTableModel m;
    m.setAspects(aspects());
    m.setRows({row(1, 1, QStringLiteral("p"), {0.5, 5.0}, {}, advantage)});
    const QVariant v = m.index(0, m.advantageColumn()).data(Qt::BackgroundRole);
    QCOMPARE(v.isValid() ? v.value<QColor>() : QColor(), expected);
}

void TestSampleModels::setLabelsUpdatesRowAndFilters()
{
    SampleTableModel m;
    m.setAspects(aspects());
    m.setRows(eightRows());
    SampleFilterModel f;
    f.setSourceModel(&m);
    f.setLabelledFilter(SampleFilterModel::Labelled::Labelled);
    QCOMPARE(f.proxyRowForSampleId(7), -1);
    QSignalSpy spy(&m, &QAbstractItemModel::dataChanged);
    QVERIFY(m.setLabels(7, {0.6, NaN}));
    QCOMPARE(spy.count(), 1);
    const QModelIndex tl = spy.at(0).at(0).value<QModelIndex>();
    const QModelIndex br = spy.at(0).at(1).value<QModelIndex>();
    QCOMPARE(tl.row(), 6);  // id 7 is the seventh row
    QCOMPARE(br.row(), 6);
    QVERIFY(tl.column() <= m.labelColumn(0) && br.column() >= m.disagreementColumn());
    QCOMPARE(m.index(6, m.labelColumn(0)).data().toString(), QStringLiteral("0.600"));
    QCOMPARE(m.index(6, m.labelColumn(1)).data().toString(), QString());
    // |0.1 - 0.6| = 0.5
    QCOMPARE(m.index(6, m.disagreementColumn()).data().toString(), QStringLiteral("0.500"));
    // Now labelled: the live filter lets it in, in source order after 6.
    QCOMPARE(ids(f), (QList<qint64>{2, 3, 5, 6, 7, 8}));
    QVERIFY(!m.setLabels(999, {0.1, 0.1}));
    QCOMPARE(spy.count(), 1);
}

void TestSampleModels::appendRowsExtendsIndex()
{
    SampleTableModel m;
    m.setAspects(aspects());
    m.setRows(eightRows().mid(0, 3));
    QSignalSpy spy(&m, &QAbstractItemModel::rowsInserted);
    m.appendRows(eightRows().mid(3));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(1).toInt(), 3);
    QCOMPARE(spy.at(0).at(2).toInt(), 7);
    QCOMPARE(m.rowForSampleId(8), 7);
    QCOMPARE(m.sampleAt(m.rowForSampleId(5)).prompt, QStringLiteral("router firmware update"));
    QCOMPARE(m.rowForSampleId(42), -1);
}

QTEST_MAIN(TestSampleModels)
#include "tst_sample_models.moc"
