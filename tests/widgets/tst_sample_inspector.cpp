// SampleInspector: selection feeds the editor and the group view, submitting
// updates the table and moves on (also when the filter hides the labelled
// row), selectSample clears hiding filters, setStepFilter. Also renders the
// inspector with 64 realistic rows to sample_inspector.png in the temp dir.
#include "label_editor.h"
#include "sample_filter_model.h"
#include "sample_inspector.h"
#include "sample_table_model.h"

#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QHeaderView>
#include <QtTest>

#include <cmath>

using namespace awb;

namespace {

QVector<view::AspectSpec> aspects()
{
    return {{QStringLiteral("politeness"), 0, 1}, {QStringLiteral("meaningfulness"), 0, 1},
            {QStringLiteral("actionability"), 0, 1}, {QStringLiteral("safety"), 0, 1}};
}

// 64 rows: steps 57-60, two prompts per step, eight completions per prompt.
// Ids 1..64 in that order; every fifth sample is labelled.
QVector<view::SampleRow> realisticRows()
{
    const QStringList prompts = {
        QStringLiteral("How do I reset my router?"),
        QStringLiteral("My landlord hasn't returned my deposit. What can I do?"),
        QStringLiteral("Explain what a Roth IRA is in simple terms."),
        QStringLiteral("How can I get my toddler to sleep through the night?"),
        QStringLiteral("Write a polite email declining a meeting invitation."),
        QStringLiteral("What's the safest way to clean mould off a bathroom ceiling?"),
        QStringLiteral("How do I fix a leaking kitchen tap?"),
        QStringLiteral("Can you help me prepare for a job interview at a bank?")};
    const QStringList completions = {
        QStringLiteral("Sure! Unplug the router, wait thirty seconds, and plug it back in. If that does not help, hold the reset button for ten seconds."),
        QStringLiteral("Just figure it out yourself, it's not hard."),
        QStringLiteral("Start by checking the manual that came with the device; most models have a recessed reset button on the back."),
        QStringLiteral("I'm sorry you're dealing with this. First, write down what you have tried so far, then contact support with the model number."),
        QStringLiteral("There are many possible reasons. It depends."),
        QStringLiteral("Here is a step-by-step plan:\n1. Gather the documents.\n2. Send a written request.\n3. Keep copies of everything."),
        QStringLiteral("Great question! In short, you contribute money you've already paid tax on, and withdrawals in retirement are tax-free."),
        QStringLiteral("You should consult a professional before doing anything, as I cannot give advice on this topic.")};
    QRandomGenerator rng(7);
    QVector<view::SampleRow> rows;
    qint64 id = 1;
    for (int step = 57; step <= 60; ++step) {
        for (int g = 0; g < 2; ++g) {
            QVector<view::SampleRow> group;
            double sum = 0;
            for (int i = 0; i < 8; ++i) {
                view::SampleRow r;
                r.id = id++;
                r.runId = 1;
                r.step = step;
                r.group = g;
                r.indexInGroup = i;
                r.prompt = prompts[(step * 2 + g) % prompts.size()];
                r.completion = completions[(i * 3 + step + g) % completions.size()];
                r.rewardModelVersion = step < 59 ? 2 : 3;
                r.completionTokens = 20 + int(rng.bounded(60));
                r.finish = QStringLiteral("stop");
                for (int a = 0; a < 4; ++a)
                    r.scores.append(rng.bounded(1.0));
                r.labels = QVector<double>(4, view::missing());
                if (r.id % 5 == 0)
                    for (int a = 0; a < 4; ++a)
                        r.labels[a] = std::round(std::clamp(r.scores[a] + rng.bounded(0.6) - 0.3, 0.0, 1.0) * 4) / 4;
                r.reward = r.scores[0] + r.scores[1] + r.scores[2] + r.scores[3];
                sum += r.reward;
                group.append(r);
            }
            double var = 0;
            for (const auto &r : group)
                var += (r.reward - sum / 8) * (r.reward - sum / 8);
            for (auto &r : group) {
                r.advantage = (r.reward - sum / 8) / (std::sqrt(var / 8) + 1e-4);
                rows.append(r);
            }
        }
    }
    return rows;
}

} // namespace

class TestSampleInspector : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void selectionLoadsEditorAndGroup();
    void submitUpdatesTableAndMovesOn();
    void submitUnderUnlabelledFilterMovesToNextUnlabelled();
    void selectSampleClearsHidingFilters();
    void stepFilter();
    void render();
};

void TestSampleInspector::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_sample_inspector"));
    QSettings().clear();
}

void TestSampleInspector::selectionLoadsEditorAndGroup()
{
    SampleInspector w;
    w.setAspects(aspects());
    const QVector<view::SampleRow> rows = realisticRows();
    w.setSamples(rows);
    QSignalSpy selected(&w, &SampleInspector::sampleSelected);
    QVERIFY(w.selectSample(12));
    QCOMPARE(selected.count(), 1);
    QCOMPARE(w.labelEditor()->sampleId(), 12);
    // Sample 12 is step 57, group 1 (ids 9-16): eight rows, sorted by advantage.
    auto *group = w.findChild<QTableWidget *>(QStringLiteral("groupTable"));
    QCOMPARE(group->rowCount(), 8);
    double previous = INFINITY;
    for (int r = 0; r < 8; ++r) {
        const qint64 id = group->item(r, 0)->data(Qt::UserRole).toLongLong();
        QVERIFY(id >= 9 && id <= 16);
        QVERIFY(rows[id - 1].advantage <= previous);
        previous = rows[id - 1].advantage;
    }
    auto *detail = w.findChild<QTextBrowser *>(QStringLiteral("sampleDetail"));
    QVERIFY(detail->toPlainText().contains(rows[11].prompt));
    QVERIFY(!w.selectSample(9999));
}

void TestSampleInspector::submitUpdatesTableAndMovesOn()
{
    SampleInspector w;
    w.setAspects(aspects());
    w.setSamples(realisticRows());
    w.labelEditor()->findChild<QLineEdit *>(QStringLiteral("annotatorEdit"))->setText(QStringLiteral("grace"));
    QSignalSpy submitted(&w, &SampleInspector::labelsSubmitted);
    w.selectSample(3);
    auto *table = w.findChild<QTableView *>(QStringLiteral("samplesTable"));
    // The labelling keys work from the table: 5 on politeness, then Enter.
    QTest::keyClick(table, Qt::Key_5);
    QTest::keyClick(table, Qt::Key_Return);
    QCOMPARE(submitted.count(), 1);
    QCOMPARE(submitted.at(0).at(0).toLongLong(), 3);
    QCOMPARE(submitted.at(0).at(1).value<QVector<double>>().value(0), 1.0);
    QCOMPARE(submitted.at(0).at(2).toString(), QStringLiteral("grace"));
    SampleTableModel *m = w.model();
    QCOMPARE(m->index(m->rowForSampleId(3), m->labelColumn(0)).data().toString(), QStringLiteral("1.000"));
    // Source order: the next sample is 4.
    QCOMPARE(w.selectedSampleId(), 4);
}

void TestSampleInspector::submitUnderUnlabelledFilterMovesToNextUnlabelled()
{
    SampleInspector w;
    w.setAspects(aspects());
    w.setSamples(realisticRows());
    auto *combo = w.findChild<QComboBox *>(QStringLiteral("labelledCombo"));
    combo->setCurrentIndex(2);  // unlabelled: ids divisible by 5 are hidden
    QCOMPARE(w.filterModel()->rowCount(), 64 - 12);
    w.selectSample(4);
    QTest::keyClick(w.labelEditor(), Qt::Key_Return);
    // 4 is labelled now and leaves the view; 5 is labelled already, so 6 is next.
    QCOMPARE(w.filterModel()->proxyRowForSampleId(4), -1);
    QCOMPARE(w.selectedSampleId(), 6);
    // Undo re-submits "no label" for 4, which comes back and is selected.
    QSignalSpy submitted(&w, &SampleInspector::labelsSubmitted);
    QTest::keyClick(w.labelEditor(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(submitted.count(), 1);
    QVERIFY(std::isnan(submitted.at(0).at(1).value<QVector<double>>().value(0)));
    QVERIFY(w.filterModel()->proxyRowForSampleId(4) >= 0);
    QCOMPARE(w.selectedSampleId(), 4);
}

void TestSampleInspector::selectSampleClearsHidingFilters()
{
    SampleInspector w;
    w.setAspects(aspects());
    w.setSamples(realisticRows());
    w.findChild<QLineEdit *>(QStringLiteral("promptFilterEdit"))->setText(QStringLiteral("zzz no such prompt"));
    QCOMPARE(w.filterModel()->rowCount(), 0);
    QVERIFY(w.selectSample(40));
    QCOMPARE(w.filterModel()->rowCount(), 64);
    QCOMPARE(w.findChild<QLineEdit *>(QStringLiteral("promptFilterEdit"))->text(), QString());
    QCOMPARE(w.selectedSampleId(), 40);
}

void TestSampleInspector::stepFilter()
{
    SampleInspector w;
    w.setAspects(aspects());
    w.setSamples(realisticRows());
    w.setStepFilter(59);
    // Step 59 holds ids 33-48.
    QCOMPARE(w.filterModel()->rowCount(), 16);
    QCOMPARE(w.filterModel()->sampleIdAt(0), 33);
    QCOMPARE(w.findChild<QSpinBox *>(QStringLiteral("stepMaxSpin"))->value(), 59);
}

void TestSampleInspector::render()
{
    SampleInspector w;
    w.setAspects(aspects());
    w.setSamples(realisticRows());
    w.setLabelsSinceRetrain(12, 3);
    w.labelEditor()->findChild<QLineEdit *>(QStringLiteral("annotatorEdit"))->setText(QStringLiteral("grace"));
    w.resize(1400, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.selectSample(20);
    const QImage image = w.grab().toImage();
    QCOMPARE(image.size(), QSize(1400, 800) * image.devicePixelRatio());
    QVERIFY(image.save(QDir::temp().filePath(QStringLiteral("sample_inspector.png"))));

    // Disagreement mode: the 12 labelled samples (ids 5, 10, ... 60), largest first.
    w.findChild<QToolButton *>(QStringLiteral("disagreementToggle"))->setChecked(true);
    SampleFilterModel *f = w.filterModel();
    QCOMPARE(f->rowCount(), 12);
    for (int r = 1; r < f->rowCount(); ++r)
        QVERIFY(w.model()->sampleAt(w.model()->rowForSampleId(f->sampleIdAt(r - 1))).disagreement()
                >= w.model()->sampleAt(w.model()->rowForSampleId(f->sampleIdAt(r))).disagreement());
    auto *header = w.findChild<QTableView *>(QStringLiteral("samplesTable"))->horizontalHeader();
    QCOMPARE(header->sortIndicatorSection(), w.model()->disagreementColumn());
    QVERIFY(w.grab().save(QDir::temp().filePath(QStringLiteral("sample_inspector_disagreement.png"))));
}

QTEST_MAIN(TestSampleInspector)
#include "tst_sample_inspector.moc"
