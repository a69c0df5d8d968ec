// An ensemble reward model in the window: a run scored by a three-head model
// (with a conservative reward) shows the inspector's spread columns, "Most
// uncertain first" puts the largest spread first, a label given from that
// order is stored with the queue "uncertainty" and counted by the Reward model
// dock, and the curves plot against sqrt(KL). With AWB_UNCERTAINTY_WORKSPACE
// (a full-demo workspace scored by an ensemble) and AWB_SCREENSHOT_DIR,
// readmeScreenshots() saves the README's pictures.
#include "reward/reward_model.h"   // ATen before Qt: Qt's "slots" macro breaks ATen's headers
#include "train/grpo_session.h"
#include "train/training_controls.h"

#include "gui/readme_pictures.h"
#include "main_window.h"
#include "reward_curves_view.h"
#include "reward_model_panel.h"
#include "sample_filter_model.h"
#include "sample_inspector.h"
#include "sample_table_model.h"
#include "workbench_controller.h"
#include "workspace.h"

#include <QLabel>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QToolButton>
#include <QtTest>

#include <filesystem>

using namespace awb;

namespace {

struct QuietSink : TrainingSink
{
    void onStep(const StepReport &) override {}
};

} // namespace

class TestUncertaintyWorkbench : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_uncertainty_workbench"));
        QSettings().clear();
        qputenv("AWB_DEMO_DIR", QByteArray(AWB_DEMO_SMALL_DIR));
    }

    void ensembleRunInTheWindow()
    {
        QTemporaryDir tmp;
        const std::string db = tmp.filePath(QStringLiteral("ens.awb")).toStdString();
        const std::string rm = tmp.filePath(QStringLiteral("ens-rm")).toStdString();
        {
            auto model = RewardModel::load(std::string(AWB_DEMO_SMALL_DIR) + "/reward_model");
            model->setEnsembleSize(3, 7, 20.0);   // members well apart, so the spreads differ between samples
            model->save(rm);
        }
        {
            GrpoSessionOptions so;
            so.db = db;
            so.demo = true;
            so.overrides = {{"max_steps", 2}, {"reward_model", rm}, {"reward_uncertainty_penalty", 0.5}};
            TrainingControls controls;
            QuietSink sink;
            GrpoSession session(so, controls, sink);
            QCOMPARE(session.run(), std::int64_t(2));
        }
        MainWindow window;
        window.resize(1600, 1000);
        WorkbenchController c(&window);
        window.show();
        QString error;
        QVERIFY2(c.openWorkspace(QString::fromStdString(db), &error), qPrintable(error));
        SampleInspector *inspector = c.inspector();
        QTRY_VERIFY(inspector->model()->rowCount() > 0);
        QVERIFY(inspector->model()->hasUncertainty());
        const SampleTableModel *m = inspector->model();
        const view::SampleRow &any = m->sampleAt(0);
        QCOMPARE(any.members.size(), 4);
        QCOMPARE(any.members[0].size(), 3);

        auto *toggle = inspector->findChild<QToolButton *>(QStringLiteral("uncertaintyToggle"));
        toggle->setChecked(true);
        SampleFilterModel *f = inspector->filterModel();
        QCOMPARE(f->rowCount(), m->rowCount());   // nothing labelled yet
        // By hand: the largest spread of every row, and the first shown is the largest of all.
        double best = -1;
        for (const view::SampleRow &r : m->rows())
            for (double s : r.scoreStd)
                best = std::max(best, s);
        const view::SampleRow &first = m->sampleAt(m->rowForSampleId(f->sampleIdAt(0)));
        QCOMPARE(first.uncertainty(), best);
        QVERIFY(first.uncertainty() >= m->sampleAt(m->rowForSampleId(f->sampleIdAt(1))).uncertainty());

        QVERIFY(inspector->selectSample(first.id));
        QVERIFY(inspector->findChild<QTextBrowser *>(QStringLiteral("sampleDetail"))->toPlainText().contains(
            QStringLiteral("Why this one")));
        QTest::keyClick(inspector->findChild<QTableView *>(QStringLiteral("samplesTable")), Qt::Key_Return);
        QCOMPARE(c.workspace()->store().labelsSince(0, "uncertainty"), std::int64_t(4));
        QCOMPARE(c.workspace()->store().labelsSince(0), std::int64_t(4));
        QCOMPARE(f->proxyRowForSampleId(first.id), -1);   // labelled: it leaves the queue
        const QString since = c.rewardModelPanel()->findChild<QLabel *>(QStringLiteral("labelsSinceLabel"))->text();
        QVERIFY2(since.contains(QStringLiteral("4 of them from the uncertainty queue")), qPrintable(since));

        c.curves()->setXAxis(RewardCurvesView::XAxis::SqrtKl);
        c.curves()->redrawNow();
        QVERIFY(c.curves()->graphFor(c.curves()->runIds().last(), 0));
    }

    void readmeScreenshots()
    {
        QString ws, shots;
        if (!test::readmePictureInputs("AWB_UNCERTAINTY_WORKSPACE", &ws, &shots))
            QSKIP("AWB_UNCERTAINTY_WORKSPACE and AWB_SCREENSHOT_DIR make the README's uncertainty pictures");
        MainWindow window;
        WorkbenchController c(&window);
        const QString shown = test::showForPictures(window, c, ws);
        QVERIFY2(shown.isEmpty(), qPrintable(shown));
        QTRY_VERIFY(c.inspector()->model()->rowCount() > 0);
        c.inspector()->findChild<QToolButton *>(QStringLiteral("uncertaintyToggle"))->setChecked(true);
        QVERIFY(c.inspector()->selectSample(c.inspector()->filterModel()->sampleIdAt(0)));
        auto *detail = c.inspector()->findChild<QTextBrowser *>(QStringLiteral("sampleDetail"));
        detail->verticalScrollBar()->setValue(detail->verticalScrollBar()->maximum());   // "Why this one"
        c.curves()->setXAxis(RewardCurvesView::XAxis::SqrtKl);
        c.curves()->redrawNow();
        QTest::qWait(300);
        QVERIFY(window.saveScreenshot(shots + QStringLiteral("/uncertainty-1600x1000.png")));
        QString exportError;
        QVERIFY2(c.curves()->exportOveroptimisationCsv(shots + QStringLiteral("/overoptimisation-points.csv"), &exportError),
                 qPrintable(exportError));
    }
};

QTEST_MAIN(TestUncertaintyWorkbench)
#include "tst_uncertainty_workbench.moc"
