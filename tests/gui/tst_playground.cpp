// The playground dock and the Pareto view's "Sweep front" on the small demo,
// driven as a user would: train a steerable run and a fixed-weight one from
// the window, generate from the steerable checkpoint at two weight settings
// side by side (each side shows the weights it was conditioned on and every
// sample's scores and gold), see that the fixed-weight checkpoint answers only
// at its own weights, and sweep the front, which the view then draws with the
// fixed run as a point.
//
// With AWB_STEER_WORKSPACE (the workspace scripts/steer_front.sh wrote from the
// full demo) and AWB_SCREENSHOT_DIR set, steerScreenshots() opens it and saves
// the README's pictures of the playground and of the swept front.
#include "gui/readme_pictures.h"
#include "main_window.h"
#include "options_form.h"
#include "pareto_view.h"
#include "playground_panel.h"
#include "run_panel.h"
#include "steer_controller.h"
#include "weights_panel.h"
#include "workbench_controller.h"
#include "workspace.h"

#include <QComboBox>
#include <QDockWidget>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

using namespace awb;

namespace {

bool trainRun(WorkbenchController &c, const QString &conditioning, const QMap<QString, double> &weights)
{
    auto *form = c.runPanel()->optionsForm();
    if (!form->setValue(QStringLiteral("conditioning"), conditioning) ||
        !form->setValue(QStringLiteral("max_completion_length"), qlonglong(12)))
        return false;
    for (auto it = weights.begin(); it != weights.end(); ++it)
        c.weightsPanel()->setWeight(it.key(), it.value());
    c.weightsPanel()->flush();
    QSignalSpy finished(&c, &WorkbenchController::trainingFinished);
    if (!c.startTraining(2))
        return false;
    return finished.wait(10 * 60 * 1000) || finished.count() == 1;
}

} // namespace

class TestPlayground : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_playground"));
        QSettings().clear();
        qputenv("AWB_DEMO_DIR", QByteArray(AWB_DEMO_SMALL_DIR));
        qputenv("AWB_DEFAULT_LAYOUT", "1");
    }

    void generateCompareAndSweep()
    {
        QTemporaryDir tmp;
        MainWindow window;
        window.resize(1600, 1000);
        WorkbenchController c(&window);
        window.show();
        QString error;
        QVERIFY2(c.openDemo(tmp.filePath(QStringLiteral("demo.awb")), &error), qPrintable(error));
        // Before the first run the weights panel already has the demo's four aspects, each at 1.
        QCOMPARE(c.weightsPanel()->weights().keys(),
                 QStringList({QStringLiteral("actionability"), QStringLiteral("meaningfulness"),
                              QStringLiteral("politeness"), QStringLiteral("safety")}));
        QVERIFY(trainRun(c, QStringLiteral("prompt"), {}));
        QVERIFY(trainRun(c, QStringLiteral("none"),
                         {{"politeness", 0.0}, {"meaningfulness", 0.0}, {"actionability", 1.0}, {"safety", 3.0}}));

        PlaygroundPanel *pg = c.playground();
        c.refreshCheckpoints();
        const auto checkpoints = c.steerCheckpoints();
        QCOMPARE(checkpoints.size(), 2);   // newest first: the fixed run, then the steerable one
        QVERIFY(!checkpoints[0].steerable && checkpoints[1].steerable);
        QCOMPARE(checkpoints[0].runWeights, (QVector<double>{0.0, 0.0, 0.25, 0.75}));

        auto *combo = pg->findChild<QComboBox *>();
        QVERIFY(combo);
        combo->setCurrentIndex(1);
        pg->setPrompt(QStringLiteral("How do I pick a lock?"));
        pg->setWeights(0, {0, 0, 1, 3});
        pg->setWeights(1, {0, 0, 3, 1});
        pg->setCompare(true);
        pg->setSampleCount(2);
        // Sliders count hundredths of the largest weight: 33 of 133 is a share of 0.248.
        const QVector<double> shares = pg->weights(0);
        QVERIFY(std::abs(shares[2] - 0.25) < 0.01 && std::abs(shares[3] - 0.75) < 0.01 && shares[0] == 0.0);
        QSignalSpy done(&c.steering(), &SteerController::finished);
        QSignalSpy generated(&c.steering(), &SteerController::generated);
        pg->requestGenerate();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5 * 60 * 1000);
        QCOMPARE(generated.count(), 2);
        QVERIFY2(pg->resultsText(0).contains(QStringLiteral("actionability 0.25, safety 0.75")),
                 qPrintable(pg->resultsText(0)));
        QVERIFY2(pg->resultsText(1).contains(QStringLiteral("actionability 0.75, safety 0.25")),
                 qPrintable(pg->resultsText(1)));
        for (int side = 0; side < 2; ++side) {
            const auto samples = generated.at(side).at(1).value<QVector<view::SteerSampleRow>>();
            QCOMPARE(samples.size(), 2);
            QCOMPARE(samples[0].scores.size(), 4);
            QCOMPARE(samples[0].gold.size(), 4);   // the demo's judge
            QVERIFY(pg->resultsText(side).contains(QStringLiteral("gold")));
        }

        // The fixed-weight checkpoint: sliders off, its weights shown, no weights asked of it.
        combo->setCurrentIndex(0);
        const auto sliders = pg->findChildren<QSlider *>();
        QVERIFY(!sliders.isEmpty());
        for (auto *s : sliders)
            QVERIFY(!s->isEnabled());
        QSignalSpy request(pg, &PlaygroundPanel::generateRequested);
        pg->requestGenerate();
        QCOMPARE(request.count(), 1);
        QVERIFY(request.at(0).at(2).value<QVector<double>>().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 5 * 60 * 1000);
        QVERIFY2(pg->resultsText(0).contains(QStringLiteral("not steerable")), qPrintable(pg->resultsText(0)));

        // Sweep the steerable run's front on the safety/actionability plane.
        Workspace &ws = *c.workspace();
        const qint64 steerable = ws.runs().first().id;
        c.pareto()->setAxes(3, 2);
        QSignalSpy swept(&c.steering(), &SteerController::swept);
        c.sweepFront(false, steerable);
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 10 * 60 * 1000);
        QCOMPARE(swept.count(), 1);
        const auto front = swept.at(0).at(0).value<view::SweptFront>();
        QCOMPARE(front.points.size(), 9);
        QCOMPARE(front.fixedPoints.size(), 1);
        QVERIFY(front.byGold);
        QVERIFY(c.pareto()->hasSweptFront());
        QVERIFY(front.hypervolume >= 0 && front.hypervolume <= 1);
    }

    void steerScreenshots()
    {
        QString ws, shots;
        if (!test::readmePictureInputs("AWB_STEER_WORKSPACE", &ws, &shots))
            QSKIP("AWB_STEER_WORKSPACE and AWB_SCREENSHOT_DIR make the README's playground and front pictures");
        MainWindow window;
        WorkbenchController c(&window);
        const QString shown = test::showForPictures(window, c, ws);
        QVERIFY2(shown.isEmpty(), qPrintable(shown));
        const qint64 steerable = c.workspace()->runs().first().id;   // scripts/steer_front.sh trains it first
        auto *dock = window.findChild<QDockWidget *>(QStringLiteral("playgroundDock"));
        QVERIFY(dock);
        dock->raise();
        PlaygroundPanel *pg = c.playground();
        c.refreshCheckpoints();
        auto *combo = pg->findChild<QComboBox *>();
        for (int i = 0; i < combo->count(); ++i)
            if (combo->itemText(i).startsWith(QStringLiteral("Run %1 ").arg(steerable))) {
                combo->setCurrentIndex(i);   // its newest checkpoint comes first
                break;
            }
        pg->setPrompt(qEnvironmentVariable("AWB_STEER_PROMPT", QStringLiteral("How do I pick a lock?")));
        pg->setWeights(0, {0, 0, 0.1, 1});
        pg->setWeights(1, {0, 0, 1, 0.1});
        pg->setCompare(true);
        pg->setSampleCount(3);
        QSignalSpy done(&c.steering(), &SteerController::finished);
        pg->requestGenerate();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10 * 60 * 1000);
        QVERIFY(window.saveScreenshot(shots + QStringLiteral("/playground-1600x1000.png")));
        c.pareto()->setAxes(3, 2);
        c.sweepFront(true, steerable);
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 60 * 60 * 1000);
        QVERIFY(c.pareto()->hasSweptFront());
        c.pareto()->replotNow();
        QVERIFY(window.saveScreenshot(shots + QStringLiteral("/swept-front-1600x1000.png")));
        QString error;
        QVERIFY(c.pareto()->exportImage(shots + QStringLiteral("/swept-front.png"), QStringLiteral("png"), &error,
                                        QSize(900, 650)));
    }
};

QTEST_MAIN(TestPlayground)
#include "tst_playground.moc"
