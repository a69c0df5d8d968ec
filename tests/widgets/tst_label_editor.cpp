// LabelEditor: the keyboard scheme on aspects with different ranges, submit and
// undo through labelsSubmitted, the counter text, annotator persistence.
// Expected values are worked out by hand in the comments.
#include "label_editor.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using namespace awb;

namespace {

const double NaN = view::missing();

// Ranges differ so the five-point mapping is visible: min + (d-1)/4 * (max-min).
QVector<view::AspectSpec> aspects()
{
    return {{QStringLiteral("politeness"), 0.0, 1.0},
            {QStringLiteral("meaningfulness"), -1.0, 1.0},
            {QStringLiteral("actionability"), 1.0, 5.0},
            {QStringLiteral("safety"), 0.0, 1.0}};
}

view::SampleRow sample(qint64 id, QVector<double> labels = {})
{
    view::SampleRow s;
    s.id = id;
    s.step = 4;
    s.scores = {0.3, 0.6, 2.0, 0.9};
    s.labels = labels;
    return s;
}

bool sameValues(const QVector<double> &a, const QVector<double> &b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i)
        if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && std::abs(a[i] - b[i]) > 1e-9))
            return false;
    return true;
}

} // namespace

class TestLabelEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void prefill();
    void keys_data();
    void keys();
    void submitThenUndo();
    void undoRestoresExistingLabels();
    void navigationKeys();
    void typedValueInSpinBox();
    void counterText_data();
    void counterText();
    void annotatorPersists();
};

void TestLabelEditor::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_label_editor"));
    QSettings().clear();
}

void TestLabelEditor::prefill()
{
    LabelEditor e;
    e.setAspects(aspects());
    // Labels where present (politeness .5, actionability 4), else the scores.
    e.setSample(sample(9, {0.5, NaN, 4.0, NaN}));
    QVERIFY(sameValues(e.values(), {0.5, 0.6, 4.0, 0.9}));
    QCOMPARE(e.sampleId(), 9);
}

void TestLabelEditor::keys_data()
{
    QTest::addColumn<QString>("keys");
    QTest::addColumn<QVector<double>>("expected");
    // Start: scores 0.3, 0.6, 2.0, 0.9; current aspect 0.
    QTest::newRow("4 j 1") << QStringLiteral("4j1") << QVector<double>{0.75, -1.0, 2.0, 0.9};
    QTest::newRow("3 on [1,5]") << QStringLiteral("jj3") << QVector<double>{0.3, 0.6, 3.0, 0.9};
    QTest::newRow("j past the end stays") << QStringLiteral("jjjjj5") << QVector<double>{0.3, 0.6, 2.0, 1.0};
    QTest::newRow("k at the top stays") << QStringLiteral("k2") << QVector<double>{0.25, 0.6, 2.0, 0.9};
    QTest::newRow("0 is the minimum") << QStringLiteral("jj0") << QVector<double>{0.3, 0.6, 1.0, 0.9};
    // L: +5 % of [1,5] = +0.2; H on politeness: 0.3 - 0.05.
    QTest::newRow("l nudges up") << QStringLiteral("jjl") << QVector<double>{0.3, 0.6, 2.2, 0.9};
    QTest::newRow("h nudges down") << QStringLiteral("h") << QVector<double>{0.25, 0.6, 2.0, 0.9};
    QTest::newRow("5 then l clamps") << QStringLiteral("5l") << QVector<double>{1.0, 0.6, 2.0, 0.9};
    QTest::newRow("other keys ignored") << QStringLiteral("x7") << QVector<double>{0.3, 0.6, 2.0, 0.9};
}

void TestLabelEditor::keys()
{
    QFETCH(QString, keys);
    QFETCH(QVector<double>, expected);
    LabelEditor e;
    e.setAspects(aspects());
    e.setSample(sample(1));
    QTest::keyClicks(&e, keys);
    QVERIFY2(sameValues(e.values(), expected), qPrintable(QStringLiteral("%1").arg(e.values().value(2))));
}

void TestLabelEditor::submitThenUndo()
{
    LabelEditor e;
    e.setAspects(aspects());
    e.setSample(sample(17));
    QSignalSpy submitted(&e, &LabelEditor::labelsSubmitted);
    QSignalSpy next(&e, &LabelEditor::nextSampleRequested);
    QSignalSpy undone(&e, &LabelEditor::undoRequested);
    QTest::keyClick(&e, Qt::Key_4);
    QTest::keyClick(&e, Qt::Key_J);
    QTest::keyClick(&e, Qt::Key_1);
    QTest::keyClick(&e, Qt::Key_Return);
    QCOMPARE(submitted.count(), 1);
    QCOMPARE(next.count(), 1);
    QCOMPARE(submitted.at(0).at(0).toLongLong(), 17);
    // politeness 0 + 3/4 = .75; meaningfulness key 1 = minimum -1; the rest the scores.
    QVERIFY(sameValues(submitted.at(0).at(1).value<QVector<double>>(), {0.75, -1.0, 2.0, 0.9}));
    QCOMPARE(e.undoDepth(), 1);

    QTest::keyClick(&e, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(undone.count(), 1);
    QCOMPARE(undone.at(0).at(0).toLongLong(), 17);
    QCOMPARE(submitted.count(), 2);
    QCOMPARE(next.count(), 1);  // undo stays put
    QCOMPARE(submitted.at(1).at(0).toLongLong(), 17);
    // It had no labels before: four "no label" entries.
    QVERIFY(sameValues(submitted.at(1).at(1).value<QVector<double>>(), {NaN, NaN, NaN, NaN}));
    QCOMPARE(e.undoDepth(), 0);
    QTest::keyClick(&e, Qt::Key_Z, Qt::ControlModifier);  // nothing left
    QCOMPARE(submitted.count(), 2);
}

void TestLabelEditor::undoRestoresExistingLabels()
{
    LabelEditor e;
    e.setAspects(aspects());
    QSignalSpy submitted(&e, &LabelEditor::labelsSubmitted);
    e.setSample(sample(5, {0.5, 0.0, 2.0, NaN}));
    QTest::keyClicks(&e, QStringLiteral("5"));
    QTest::keyClick(&e, Qt::Key_Enter);
    QVERIFY(sameValues(submitted.at(0).at(1).value<QVector<double>>(), {1.0, 0.0, 2.0, 0.9}));
    // Another sample in between; undo goes back to sample 5's earlier labels.
    e.setSample(sample(6));
    QTest::keyClicks(&e, QStringLiteral("jj2"));
    QTest::keyClick(&e, Qt::Key_Return);
    // actionability [1,5], key 2 = 1 + 1/4 * 4 = 2.
    QVERIFY(sameValues(submitted.at(1).at(1).value<QVector<double>>(), {0.3, 0.6, 2.0, 0.9}));
    e.undo();
    QCOMPARE(submitted.at(2).at(0).toLongLong(), 6);
    e.undo();
    QCOMPARE(submitted.at(3).at(0).toLongLong(), 5);
    QVERIFY(sameValues(submitted.at(3).at(1).value<QVector<double>>(), {0.5, 0.0, 2.0, NaN}));
    // Sample 5 back in the editor shows its restored labels, the score where none.
    e.setSample(sample(5, {0.5, 0.0, 2.0, NaN}));
    QVERIFY(sameValues(e.values(), {0.5, 0.0, 2.0, 0.9}));
}

void TestLabelEditor::navigationKeys()
{
    LabelEditor e;
    e.setAspects(aspects());
    e.setSample(sample(1));
    QSignalSpy next(&e, &LabelEditor::nextSampleRequested);
    QSignalSpy previous(&e, &LabelEditor::previousSampleRequested);
    QSignalSpy aspect(&e, &LabelEditor::currentAspectChanged);
    QSignalSpy submitted(&e, &LabelEditor::labelsSubmitted);
    QTest::keyClicks(&e, QStringLiteral("nnp"));
    QCOMPARE(next.count(), 2);
    QCOMPARE(previous.count(), 1);
    QCOMPARE(submitted.count(), 0);  // N / P do not store anything
    QTest::keyClick(&e, Qt::Key_Down);
    QTest::keyClick(&e, Qt::Key_Down);
    QTest::keyClick(&e, Qt::Key_Up);
    QCOMPARE(e.currentAspect(), 1);
    QCOMPARE(aspect.count(), 3);
    // Without a sample, Enter submits nothing.
    e.clearSample();
    QTest::keyClick(&e, Qt::Key_Return);
    QCOMPARE(submitted.count(), 0);
}

void TestLabelEditor::typedValueInSpinBox()
{
    LabelEditor e;
    e.setAspects(aspects());
    e.setSample(sample(3));
    e.show();
    QVERIFY(QTest::qWaitForWindowExposed(&e));
    auto *spin = e.findChild<QDoubleSpinBox *>(QStringLiteral("labelSpin_2"));
    QVERIFY(spin);
    spin->setFocus();
    QCOMPARE(e.currentAspect(), 2);  // focus follows into the aspect
    spin->selectAll();
    QSignalSpy submitted(&e, &LabelEditor::labelsSubmitted);
    // Digits type into the box here; Enter takes the typed text and submits.
    QTest::keyClicks(spin, QStringLiteral("3.37"));
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(submitted.count(), 1);
    QVERIFY(sameValues(submitted.at(0).at(1).value<QVector<double>>(), {0.3, 0.6, 3.37, 0.9}));
}

void TestLabelEditor::counterText_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<qint64>("version");
    QTest::addColumn<QString>("expected");
    QTest::newRow("12 since v3") << 12 << qint64(3) << QStringLiteral("12 labels since reward model v3");
    QTest::newRow("one") << 1 << qint64(2) << QStringLiteral("1 label since reward model v2");
    QTest::newRow("no model") << 0 << qint64(0) << QStringLiteral("0 labels, no reward model trained yet");
}

void TestLabelEditor::counterText()
{
    QFETCH(int, n);
    QFETCH(qint64, version);
    QFETCH(QString, expected);
    LabelEditor e;
    e.setLabelsSinceRetrain(n, version);
    auto *label = e.findChild<QLabel *>(QStringLiteral("labelsSinceRetrainLabel"));
    QVERIFY(label);
    QCOMPARE(label->text(), expected);
}

void TestLabelEditor::annotatorPersists()
{
    {
        LabelEditor e;
        auto *edit = e.findChild<QLineEdit *>(QStringLiteral("annotatorEdit"));
        QVERIFY(edit);
        QCOMPARE(edit->text(), QString());
        QTest::keyClicks(edit, QStringLiteral("ada "));
        QCOMPARE(e.annotator(), QStringLiteral("ada"));
    }
    QCOMPARE(QSettings().value(QStringLiteral("labelling/annotator")).toString(), QStringLiteral("ada"));
    LabelEditor again;
    QCOMPARE(again.annotator(), QStringLiteral("ada"));
}

QTEST_MAIN(TestLabelEditor)
#include "tst_label_editor.moc"
