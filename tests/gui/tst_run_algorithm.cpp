// Choosing the algorithm in the run form, as a user would on the small demo:
// the form drops the knobs of GRPO and shows RLOO's, keeps the shared knobs
// the user had changed, trains RLOO from the window, stores the run as RLOO,
// and a workspace opened again shows the RLOO form of its newest run.
//
// With AWB_COMPARE_WORKSPACE (a workspace `awb compare` wrote) and
// AWB_SCREENSHOT_DIR set, comparisonScreenshot() opens it, overlays every run
// on the curves against wall-clock seconds and saves the README's picture.
#include "gui/readme_pictures.h"
#include "main_window.h"
#include "options_form.h"
#include "run_panel.h"
#include "store/store.h"
#include "workbench_controller.h"
#include "workspace.h"

#include "reward_curves_view.h"

#include <QComboBox>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace awb;

class TestRunAlgorithm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_run_algorithm"));
        QSettings().clear();
        qputenv("AWB_DEMO_DIR", QByteArray(AWB_DEMO_SMALL_DIR));
    }

    void theFormFollowsTheAlgorithm()
    {
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("demo.awb"));
        MainWindow window;
        WorkbenchController c(&window);
        window.show();
        QString error;
        QVERIFY2(c.openDemo(db, &error), qPrintable(error));
        auto *form = window.findChild<OptionsForm *>(QStringLiteral("optionsForm"));
        QVERIFY(form);
        QCOMPARE(form->value(QStringLiteral("algorithm")).toString(), QStringLiteral("grpo"));
        QVERIFY(form->editor(QStringLiteral("loss_type")));
        QVERIFY(!form->editor(QStringLiteral("normalize_advantages")));
        const double lr = form->value(QStringLiteral("learning_rate")).toDouble() * 2;
        QVERIFY(form->setValue(QStringLiteral("learning_rate"), lr));
        QVERIFY(form->setValue(QStringLiteral("num_generations"), qlonglong(3)));

        // DPO: its own knobs, and loss_type offers DPO's losses.
        QVERIFY(form->setValue(QStringLiteral("algorithm"), QStringLiteral("dpo")));
        QTRY_VERIFY(form->editor(QStringLiteral("pair_source")));
        QVERIFY(!form->editor(QStringLiteral("epsilon")));
        auto *loss = qobject_cast<QComboBox *>(form->editor(QStringLiteral("loss_type")));
        QVERIFY(loss);
        QStringList losses;
        for (int i = 0; i < loss->count(); ++i)
            losses << loss->itemText(i);
        QCOMPARE(losses, (QStringList{"sigmoid", "robust", "hinge", "ipo"}));
        QCOMPARE(form->value(QStringLiteral("loss_type")).toString(), QStringLiteral("sigmoid"));

        QVERIFY(form->setValue(QStringLiteral("algorithm"), QStringLiteral("rloo")));
        QTRY_VERIFY(form->editor(QStringLiteral("normalize_advantages")));
        QCOMPARE(form->value(QStringLiteral("algorithm")).toString(), QStringLiteral("rloo"));
        for (const char *grpoOnly : {"loss_type", "scale_rewards", "multi_objective_aggregation", "dynamic_sampling"})
            QVERIFY2(!form->editor(QString::fromLatin1(grpoOnly)), grpoOnly);
        QVERIFY(form->editor(QStringLiteral("normalize_advantages")));
        QCOMPARE(form->value(QStringLiteral("learning_rate")).toDouble(), lr);
        QCOMPARE(form->value(QStringLiteral("num_generations")).toLongLong(), qlonglong(3));

        QSignalSpy finished(&c, &WorkbenchController::trainingFinished);
        QVERIFY(c.startTraining(2));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10 * 60 * 1000);
        QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("finished"));
        const auto runs = c.workspace()->store().runs();
        QVERIFY(!runs.empty());
        const auto &config = runs.back().config;
        QCOMPARE(config.value("algorithm", std::string()), std::string("rloo"));
        QCOMPARE(config.value("learning_rate", 0.0), lr);
        QCOMPARE(config.value("num_generations", std::int64_t(0)), std::int64_t(3));
        QVERIFY(!config.contains("loss_type"));
        QVERIFY(c.workspace()->store().stepRecord(runs.back().id, 2).has_value());

        // Opened again, the workspace's newest run fills the form: RLOO, with its knobs.
        WorkbenchController again(&window);
        QVERIFY2(again.openWorkspace(db, &error), qPrintable(error));
        QCOMPARE(form->value(QStringLiteral("algorithm")).toString(), QStringLiteral("rloo"));
        QVERIFY(!form->editor(QStringLiteral("loss_type")));
    }

    void comparisonScreenshot()
    {
        QString ws, shots;
        if (!test::readmePictureInputs("AWB_COMPARE_WORKSPACE", &ws, &shots))
            QSKIP("AWB_COMPARE_WORKSPACE and AWB_SCREENSHOT_DIR make the README's comparison picture");
        MainWindow window;
        WorkbenchController c(&window);
        const QString shown = test::showForPictures(window, c, ws);
        QVERIFY2(shown.isEmpty(), qPrintable(shown));
        auto *menu = window.findChild<QMenu *>(QStringLiteral("overlayRunsMenu"));
        QVERIFY(menu);
        QMetaObject::invokeMethod(menu, "aboutToShow");
        for (QAction *a : menu->actions())
            if (a->isCheckable() && !a->isChecked())
                a->setChecked(true);
        c.curves()->setXAxis(RewardCurvesView::XAxis::Seconds);
        c.curves()->redrawNow();
        QCOMPARE(c.curves()->runIds().size(), c.workspace()->store().runs().size());
        QTest::qWait(300);
        QVERIFY(window.saveScreenshot(shots + QStringLiteral("/compare-1600x1000.png")));
    }
};

QTEST_MAIN(TestRunAlgorithm)
#include "tst_run_algorithm.moc"
