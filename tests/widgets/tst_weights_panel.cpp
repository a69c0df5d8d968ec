// The weight-tuning panel: slider/spin sync, the normalising maths against
// hand values, the debounced emission, aggregation, the in-force line.
#include "weights_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QGroupBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

using namespace awb;

namespace {

const QStringList kNames = {QStringLiteral("politeness"), QStringLiteral("meaningfulness"),
                            QStringLiteral("actionability"), QStringLiteral("safety")};

QVector<view::AspectSpec> fourAspects()
{
    QVector<view::AspectSpec> out;
    for (const QString &n : kNames)
        out.append({n, 0.0, 1.0});
    return out;
}

QMap<QString, double> weightMap(const QVector<double> &w)
{
    QMap<QString, double> m;
    for (int i = 0; i < w.size(); ++i)
        m.insert(kNames[i], w[i]);
    return m;
}

void compareWeights(const QMap<QString, double> &got, const QVector<double> &expected)
{
    QCOMPARE(got.size(), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        const double g = got.value(kNames[i], -1.0);
        if (std::abs(g - expected[i]) > 1e-12)
            QFAIL(qPrintable(QStringLiteral("%1: got %2, expected %3").arg(kNames[i]).arg(g, 0, 'g', 17).arg(expected[i])));
    }
}

} // namespace

class TestWeightsPanel : public QObject
{
    Q_OBJECT

private slots:
    void sliderMovesSpin_data();
    void sliderMovesSpin();
    void spinMovesSlider_data();
    void spinMovesSlider();
    void missingWeightsAreOne();
    void normalisedToOne_data();
    void normalisedToOne();
    void normalisedAfterEdit_data();
    void normalisedAfterEdit();
    void tickingNormaliseThenEditing();
    void normalisingNarrowsTheRange();
    void debounceEmitsOnceWithFinalValues();
    void sliderReleaseEmitsAtOnce();
    void aggregationChangeEmits();
    void setAspectsDoesNotEmit();
    void keyboardMovesSlider();
    void resetEqualises();
    void inForceLine();
    void constraintBoundsEditedLive();
    void render();
};

void TestWeightsPanel::sliderMovesSpin_data()
{
    QTest::addColumn<int>("tick");
    QTest::addColumn<double>("weight");
    // weight = tick / 100
    QTest::newRow("zero") << 0 << 0.0;
    QTest::newRow("1.5") << 150 << 1.5;
    QTest::newRow("0.07") << 7 << 0.07;
    QTest::newRow("max") << 300 << 3.0;
}

void TestWeightsPanel::sliderMovesSpin()
{
    QFETCH(int, tick);
    QFETCH(double, weight);
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    auto *slider = p.findChild<QSlider *>(QStringLiteral("weightSlider_meaningfulness"));
    auto *spin = p.findChild<QDoubleSpinBox *>(QStringLiteral("weightSpin_meaningfulness"));
    QVERIFY(slider && spin);
    slider->setValue(tick);
    QCOMPARE(spin->value(), weight);
    QCOMPARE(p.weights().value(QStringLiteral("meaningfulness")), weight);
    // the others untouched
    compareWeights(p.weights(), {1, weight, 2, 1});
}

void TestWeightsPanel::spinMovesSlider_data()
{
    QTest::addColumn<double>("weight");
    QTest::addColumn<int>("tick");
    // tick = round(100 * weight)
    QTest::newRow("0.73") << 0.73 << 73;
    QTest::newRow("0.736 rounds up") << 0.736 << 74;
    QTest::newRow("2.004 rounds down") << 2.004 << 200;
    QTest::newRow("3") << 3.0 << 300;
}

void TestWeightsPanel::spinMovesSlider()
{
    QFETCH(double, weight);
    QFETCH(int, tick);
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    auto *slider = p.findChild<QSlider *>(QStringLiteral("weightSlider_safety"));
    auto *spin = p.findChild<QDoubleSpinBox *>(QStringLiteral("weightSpin_safety"));
    QVERIFY(slider && spin);
    spin->setValue(weight);
    QCOMPARE(slider->value(), tick);
    // the spin's exact value is the weight, not the slider's rounding
    QCOMPARE(p.weights().value(QStringLiteral("safety")), weight);
}

void TestWeightsPanel::missingWeightsAreOne()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), {{QStringLiteral("actionability"), 2.5}}, QString());
    compareWeights(p.weights(), {1, 1, 2.5, 1});
    QCOMPARE(p.aggregation(), QStringLiteral("sum_then_normalize"));
    QCOMPARE(p.findChild<QSlider *>(QStringLiteral("weightSlider_actionability"))->value(), 250);
}

void TestWeightsPanel::normalisedToOne_data()
{
    QTest::addColumn<QVector<double>>("in");
    QTest::addColumn<QVector<double>>("out");
    // w_i / sum: 1,1,2,1 sum 5 -> 0.2 0.2 0.4 0.2
    QTest::newRow("1 1 2 1") << QVector<double>{1, 1, 2, 1} << QVector<double>{0.2, 0.2, 0.4, 0.2};
    // 3,1 sum 4 -> 0.75 0.25
    QTest::newRow("3 1") << QVector<double>{3, 1} << QVector<double>{0.75, 0.25};
    // all zero: 1/K each
    QTest::newRow("zeros") << QVector<double>{0, 0, 0, 0} << QVector<double>{0.25, 0.25, 0.25, 0.25};
    // already normalised stays
    QTest::newRow("0.5 0.5") << QVector<double>{0.5, 0.5} << QVector<double>{0.5, 0.5};
}

void TestWeightsPanel::normalisedToOne()
{
    QFETCH(QVector<double>, in);
    QFETCH(QVector<double>, out);
    const QVector<double> got = WeightsPanel::normalisedToOne(in);
    QCOMPARE(got.size(), out.size());
    for (int i = 0; i < out.size(); ++i)
        QVERIFY2(std::abs(got[i] - out[i]) < 1e-12, qPrintable(QString::number(i)));
}

void TestWeightsPanel::normalisedAfterEdit_data()
{
    QTest::addColumn<QVector<double>>("in");
    QTest::addColumn<int>("edited");
    QTest::addColumn<double>("value");
    QTest::addColumn<QVector<double>>("out");
    // others 0.2+0.4+0.2 = 0.8 must become 1-0.5 = 0.5: factor 0.625
    // -> 0.2*0.625 = 0.125, 0.4*0.625 = 0.25
    QTest::newRow("edit first to 0.5") << QVector<double>{0.2, 0.2, 0.4, 0.2} << 0 << 0.5
                                       << QVector<double>{0.5, 0.125, 0.25, 0.125};
    // others 0.2+0.2+0.2 = 0.6 must become 1-0.1 = 0.9: factor 1.5 -> 0.3 each
    QTest::newRow("edit third down to 0.1") << QVector<double>{0.2, 0.2, 0.4, 0.2} << 2 << 0.1
                                            << QVector<double>{0.3, 0.3, 0.1, 0.3};
    // others all zero: they share 1-0.4 = 0.6 equally, 0.3 each
    QTest::newRow("others zero share") << QVector<double>{1, 0, 0} << 0 << 0.4 << QVector<double>{0.4, 0.3, 0.3};
    // above 1 is clamped to 1, the others go to 0
    QTest::newRow("clamped to 1") << QVector<double>{0.25, 0.25, 0.25, 0.25} << 1 << 2.0
                                  << QVector<double>{0, 1, 0, 0};
    // one aspect: always 1
    QTest::newRow("single") << QVector<double>{0.3} << 0 << 0.3 << QVector<double>{1.0};
}

void TestWeightsPanel::normalisedAfterEdit()
{
    QFETCH(QVector<double>, in);
    QFETCH(int, edited);
    QFETCH(double, value);
    QFETCH(QVector<double>, out);
    const QVector<double> got = WeightsPanel::normalisedAfterEdit(in, edited, value);
    QCOMPARE(got.size(), out.size());
    for (int i = 0; i < out.size(); ++i)
        QVERIFY2(std::abs(got[i] - out[i]) < 1e-12,
                 qPrintable(QStringLiteral("%1: %2 vs %3").arg(i).arg(got[i]).arg(out[i])));
}

void TestWeightsPanel::tickingNormaliseThenEditing()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    auto *check = p.findChild<QCheckBox *>(QStringLiteral("normaliseCheck"));
    QVERIFY(check);
    check->setChecked(true);
    compareWeights(p.weights(), {0.2, 0.2, 0.4, 0.2});   // 1,1,2,1 over 5
    QCOMPARE(p.findChild<QSlider *>(QStringLiteral("weightSlider_actionability"))->value(), 40);

    p.findChild<QDoubleSpinBox *>(QStringLiteral("weightSpin_politeness"))->setValue(0.5);
    compareWeights(p.weights(), {0.5, 0.125, 0.25, 0.125});   // see normalisedAfterEdit "edit first to 0.5"
    QCOMPARE(p.findChild<QDoubleSpinBox *>(QStringLiteral("weightSpin_meaningfulness"))->value(), 0.125);
    // the slider shows round(12.5) = 13 (lround rounds half away from zero)
    QCOMPARE(p.findChild<QSlider *>(QStringLiteral("weightSlider_meaningfulness"))->value(), 13);

    // unticking keeps the values
    check->setChecked(false);
    compareWeights(p.weights(), {0.5, 0.125, 0.25, 0.125});
}

void TestWeightsPanel::normalisingNarrowsTheRange()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 1, 1}), QStringLiteral("sum_then_normalize"));
    auto *slider = p.findChild<QSlider *>(QStringLiteral("weightSlider_safety"));
    auto *spin = p.findChild<QDoubleSpinBox *>(QStringLiteral("weightSpin_safety"));
    QCOMPARE(slider->maximum(), 300);
    QCOMPARE(spin->maximum(), 3.0);
    p.setNormalising(true);
    QCOMPARE(slider->maximum(), 100);
    QCOMPARE(spin->maximum(), 1.0);
    compareWeights(p.weights(), {0.25, 0.25, 0.25, 0.25});
    QCOMPARE(slider->value(), 25);
}

void TestWeightsPanel::constraintBoundsEditedLive()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 3, 0.25}), QStringLiteral("sum_then_normalize"));
    auto *box = p.findChild<QGroupBox *>(QStringLiteral("constraintsBox"));
    QVERIFY(box && box->isHidden());   // no constraints: no section
    QSignalSpy bounds(&p, &WeightsPanel::boundsChanged);
    QSignalSpy weights(&p, &WeightsPanel::weightsChanged);
    p.setConstraints({{QStringLiteral("safety"), true, 0.9}});
    QVERIFY(!box->isHidden());
    auto *spin = p.findChild<QDoubleSpinBox *>(QStringLiteral("boundSpin_safety"));
    QVERIFY(spin);
    QCOMPARE(spin->value(), 0.9);
    QVERIFY(spin->minimum() > 0.0 && spin->maximum() < 1.0);   // strictly inside [0, 1]
    // Safety's weight is held by the constraint; the others stay editable.
    QVERIFY(!p.findChild<QSlider *>(QStringLiteral("weightSlider_safety"))->isEnabled());
    QVERIFY(p.findChild<QSlider *>(QStringLiteral("weightSlider_actionability"))->isEnabled());
    QCOMPARE(bounds.count(), 0);   // setConstraints never emits
    spin->setValue(0.8);
    p.setBound(QStringLiteral("safety"), 0.75);
    QCOMPARE(bounds.count(), 0);   // debounced
    QTRY_COMPARE(bounds.count(), 1);
    const auto sent = bounds.at(0).at(0).value<QMap<QString, double>>();
    QCOMPARE(sent.value(QStringLiteral("safety")), 0.75);
    QCOMPARE(weights.count(), 0);  // a bound is not a weight
    // What the trainer reported: the bound and lambda of step 7.
    const double nan = view::missing();
    p.setConstraintsInForce(7, {nan, nan, nan, 0.75}, {nan, nan, nan, 2.5});
    QCOMPARE(p.findChild<QLabel *>(QStringLiteral("constraintInForce_safety"))->text(),
             QStringLiteral("step 7: bound 0.750, lambda 2.500"));
    p.setConstraints({});
    QVERIFY(box->isHidden());
    QVERIFY(p.findChild<QSlider *>(QStringLiteral("weightSlider_safety"))->isEnabled());
}

void TestWeightsPanel::debounceEmitsOnceWithFinalValues()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    QSignalSpy spy(&p, &WeightsPanel::weightsChanged);
    QElapsedTimer clock;
    clock.start();
    p.setWeight(QStringLiteral("politeness"), 0.5);
    p.findChild<QSlider *>(QStringLiteral("weightSlider_meaningfulness"))->setValue(200);
    p.findChild<QDoubleSpinBox *>(QStringLiteral("weightSpin_politeness"))->setValue(0.7);
    QCOMPARE(spy.count(), 0);   // nothing before the debounce delay
    QTRY_COMPARE(spy.count(), 1);
    QVERIFY(clock.elapsed() >= WeightsPanel::kDebounceMs - 20);
    QTest::qWait(2 * WeightsPanel::kDebounceMs);
    QCOMPARE(spy.count(), 1);   // and only once
    compareWeights(spy.at(0).at(0).value<QMap<QString, double>>(), {0.7, 2.0, 2.0, 1.0});
    QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("sum_then_normalize"));
}

void TestWeightsPanel::sliderReleaseEmitsAtOnce()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("normalize_then_sum"));
    QSignalSpy spy(&p, &WeightsPanel::weightsChanged);
    auto *slider = p.findChild<QSlider *>(QStringLiteral("weightSlider_safety"));
    slider->setValue(120);
    slider->setValue(135);
    emit slider->sliderReleased();
    QCOMPARE(spy.count(), 1);   // no waiting
    compareWeights(spy.at(0).at(0).value<QMap<QString, double>>(), {1, 1, 2, 1.35});
    QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("normalize_then_sum"));
    QTest::qWait(2 * WeightsPanel::kDebounceMs);
    QCOMPARE(spy.count(), 1);   // the timer was cancelled
    // releasing without a change sends nothing
    emit slider->sliderReleased();
    QCOMPARE(spy.count(), 1);
}

void TestWeightsPanel::aggregationChangeEmits()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    auto *combo = p.findChild<QComboBox *>(QStringLiteral("aggregationCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->count(), 2);
    QCOMPARE(combo->itemData(1).toString(), QStringLiteral("normalize_then_sum"));
    QVERIFY(!combo->itemData(0, Qt::ToolTipRole).toString().isEmpty());
    QSignalSpy spy(&p, &WeightsPanel::weightsChanged);
    combo->setCurrentIndex(1);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("normalize_then_sum"));
    compareWeights(spy.at(0).at(0).value<QMap<QString, double>>(), {1, 1, 2, 1});
    QCOMPARE(p.aggregation(), QStringLiteral("normalize_then_sum"));
}

void TestWeightsPanel::setAspectsDoesNotEmit()
{
    WeightsPanel p;
    QSignalSpy spy(&p, &WeightsPanel::weightsChanged);
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("normalize_then_sum"));
    p.setInForce(3, weightMap({1, 1, 2, 1}), QStringLiteral("normalize_then_sum"));
    QTest::qWait(2 * WeightsPanel::kDebounceMs);
    QCOMPARE(spy.count(), 0);
    QCOMPARE(p.aggregation(), QStringLiteral("normalize_then_sum"));
}

void TestWeightsPanel::keyboardMovesSlider()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    auto *slider = p.findChild<QSlider *>(QStringLiteral("weightSlider_politeness"));
    QSignalSpy spy(&p, &WeightsPanel::weightsChanged);
    QTest::keyClick(slider, Qt::Key_Right);    // +1 tick = +0.01
    QTest::keyClick(slider, Qt::Key_PageUp);   // +10 ticks = +0.10
    QCOMPARE(p.weights().value(QStringLiteral("politeness")), 1.11);
    QTRY_COMPARE(spy.count(), 1);
    compareWeights(spy.at(0).at(0).value<QMap<QString, double>>(), {1.11, 1, 2, 1});
}

void TestWeightsPanel::resetEqualises()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({0.5, 1, 2, 3}), QStringLiteral("sum_then_normalize"));
    QSignalSpy spy(&p, &WeightsPanel::weightsChanged);
    p.resetWeights();
    QCOMPARE(spy.count(), 1);
    compareWeights(p.weights(), {1, 1, 1, 1});
    p.setNormalising(true);   // 1,1,1,1 -> 0.25 each
    p.resetWeights();
    compareWeights(p.weights(), {0.25, 0.25, 0.25, 0.25});
}

void TestWeightsPanel::inForceLine()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    auto *line = p.findChild<QLabel *>(QStringLiteral("inForceLabel"));
    auto *pending = p.findChild<QLabel *>(QStringLiteral("pendingLabel"));
    QVERIFY(line && pending);
    QCOMPARE(p.inForceStep(), -1);
    p.setInForce(42, weightMap({1, 1, 2, 1}), QStringLiteral("sum_then_normalize"));
    QCOMPARE(line->text(), QStringLiteral("In force since step 42: politeness 1.00, meaningfulness 1.00, "
                                          "actionability 2.00, safety 1.00; sum, then normalise"));
    QCOMPARE(p.inForceStep(), 42);
    QVERIFY(pending->text().isEmpty());   // the panel agrees with the trainer

    p.setWeight(QStringLiteral("safety"), 1.5);
    QVERIFY(pending->text().contains(QStringLiteral("pause")));
    p.flush();
    QVERIFY(pending->text().contains(QStringLiteral("next training step")));
    p.setInForce(43, weightMap({1, 1, 2, 1.5}), QStringLiteral("sum_then_normalize"));
    QVERIFY(pending->text().isEmpty());
    QVERIFY(line->text().contains(QStringLiteral("step 43")));
    QVERIFY(line->text().contains(QStringLiteral("safety 1.50")));
}

void TestWeightsPanel::render()
{
    WeightsPanel p;
    p.setAspects(fourAspects(), weightMap({1, 1.25, 2, 0.8}), QStringLiteral("normalize_then_sum"));
    p.setInForce(57, weightMap({1, 1, 2, 0.8}), QStringLiteral("normalize_then_sum"));
    p.setWeight(QStringLiteral("meaningfulness"), 1.25);
    p.flush();
    p.setConstraints({{QStringLiteral("safety"), true, 0.9}});
    const double nan = view::missing();
    p.setConstraintsInForce(57, {nan, nan, nan, 0.9}, {nan, nan, nan, 4.17});
    p.resize(380, 460);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    const QImage image = p.grab().toImage();
    QCOMPARE(image.size(), p.size() * image.devicePixelRatio());
    QVERIFY(image.save(QStringLiteral("/tmp/weights_panel.png")));
}

QTEST_MAIN(TestWeightsPanel)
#include "tst_weights_panel.moc"
