// The assembled workbench on the small demo, driven as a user would: open the
// demo, train a few steps, read the plots, relabel a sample with the keyboard,
// retrain the reward model from the panel's button.
//
// With AWB_WORKBENCH_DEMO_DIR (a full demo), AWB_WORKBENCH_STEPS and
// AWB_SCREENSHOT_DIR set, the same script trains the real demo and saves the
// README's screenshots at 1600x1000 and 1280x800 (see README, "The GUI").
#include "data/csv_reader.h"
#include "data/text_reader.h"
#include "label_editor.h"
#include "main_window.h"
#include "model_export_dialog.h"
#include "pareto_view.h"
#include "reward_controller.h"
#include "reward_curves_view.h"
#include "reward_model_panel.h"
#include "run_panel.h"
#include "weights_panel.h"
#include "sample_inspector.h"
#include "sample_table_model.h"
#include "store/store.h"
#include "workbench_controller.h"
#include "workspace.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest>

#include <qcustomplot.h>

#include <algorithm>

using namespace awb;

class TestWorkbench : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void trainRelabelRetrain();
    void exportAndImportModels();
    void probeSeesABlockedEventLoop();
    void windowIconIsCompiledIn();
};

void TestWorkbench::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_workbench"));
    QSettings().clear();
    const QByteArray demo = qgetenv("AWB_WORKBENCH_DEMO_DIR");
    qputenv("AWB_DEMO_DIR", demo.isEmpty() ? QByteArray(AWB_DEMO_SMALL_DIR) : demo);
}

void TestWorkbench::trainRelabelRetrain()
{
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("demo.awb"));
    const int steps = qEnvironmentVariableIntValue("AWB_WORKBENCH_STEPS") > 0
                          ? qEnvironmentVariableIntValue("AWB_WORKBENCH_STEPS") : 3;
    const QString shots = qEnvironmentVariable("AWB_SCREENSHOT_DIR");

    MainWindow window;
    window.resize(1600, 1000);
    WorkbenchController c(&window);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    QVERIFY2(c.openDemo(db, &error), qPrintable(error));

    QSignalSpy finished(&c, &WorkbenchController::trainingFinished);
    QSignalSpy shown(&c, &WorkbenchController::stepShown);
    QVERIFY(c.startTraining(steps));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60 * 60 * 1000);
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("finished"));
    QCOMPARE(shown.count(), steps);
    qInfo("longest event-loop stall during training: %.1f ms (at step %d)", c.probe().longestStallMs(),
          c.probe().longestStallAtStep());

    // The plots hold what the store holds.
    Workspace &ws = *c.workspace();
    Store &store = ws.store();
    const qint64 runId = c.training().runId();
    c.curves()->setSmoothing(0.0);
    c.curves()->redrawNow();
    QCPGraph *politeness = c.curves()->graphFor(runId, 0, false);
    QVERIFY(politeness);
    QCOMPARE(politeness->data()->size(), steps);
    const double lastPoliteness = store.stepRecord(runId, steps)->metrics["rewards/politeness/mean"].get<double>();
    QCOMPARE(politeness->data()->at(steps - 1)->value, lastPoliteness);
    QCOMPARE(politeness->data()->at(steps - 1)->key, double(steps));
    QCOMPARE(c.pareto()->trajectoryPointCount(), steps);
    const auto last = ws.samples(runId, steps, steps);
    QCOMPARE(c.pareto()->cloudPointCount(), last.size());
    QCOMPARE(c.inspector()->model()->rowCount(), ws.samples(runId).size());

    // Relabel one sample from the keyboard: 4 (75 %) on politeness, J, 2 (25 %) on meaningfulness, Enter.
    const qint64 sampleId = last.first().id;
    QVERIFY(c.inspector()->selectSample(sampleId));
    auto *table = c.inspector()->findChild<QTableView *>(QStringLiteral("samplesTable"));
    QVERIFY(table);
    table->setFocus();
    QTest::keyClick(table, Qt::Key_4);
    QTest::keyClick(table, Qt::Key_J);
    QTest::keyClick(table, Qt::Key_2);
    QTest::keyClick(table, Qt::Key_Return);
    const auto labels = store.latestLabels(sampleId);
    QCOMPARE(labels.at("politeness"), 0.75);
    QCOMPARE(labels.at("meaningfulness"), 0.25);
    const auto row = c.inspector()->model()->rowForSampleId(sampleId);
    QVERIFY(row >= 0);
    QCOMPARE(c.inspector()->model()->sampleAt(row).labels.at(0), 0.75);
    QVERIFY(store.labelCount() >= 2);
    QCOMPARE(c.rewardModelPanel()->labelsSinceTraining(), store.labelCount());
    auto *counter = c.inspector()->findChild<QLabel *>(QStringLiteral("labelsSinceRetrainLabel"));
    QVERIFY(counter);
    QVERIFY2(counter->text().startsWith(QString::number(store.labelCount()) + QLatin1Char(' ')), qPrintable(counter->text()));

    if (!shots.isEmpty()) {
        c.curves()->setSmoothing(0.6);   // as the app opens; the check above needed raw values
        c.inspector()->selectSample(sampleId);
        QTest::qWait(300);
        QVERIFY(window.saveScreenshot(shots + QStringLiteral("/workbench-1600x1000.png")));
        window.resize(1280, 800);
        QTest::qWait(500);
        QVERIFY(window.saveScreenshot(shots + QStringLiteral("/workbench-1280x800.png")));
        window.resize(1600, 1000);
    }

    // Retrain from the panel; the new version is registered and listed.
    QSignalSpy retrained(&c.rewardModels(), &RewardModelController::finished);
    auto *retrain = c.rewardModelPanel()->findChild<QPushButton *>(QStringLiteral("retrainButton"));
    QVERIFY(retrain);
    QVERIFY(retrain->isEnabled());
    QTest::mouseClick(retrain, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(retrained.count(), 1, 30 * 60 * 1000);
    QVERIFY2(retrained.at(0).at(0).toBool(), qPrintable(retrained.at(0).at(1).toString()));
    QCOMPARE(store.rewardModels().size(), std::size_t(2));
    QCOMPARE(c.rewardModelPanel()->labelsSinceTraining(), 0);
    if (!shots.isEmpty()) {
        QTest::qWait(300);
        QVERIFY(window.saveScreenshot(shots + QStringLiteral("/workbench-retrained-1600x1000.png")));
    }

    // File menu: the samples as CSV, read back with the project's RFC 4180 reader.
    const QString csvPath = tmp.filePath(QStringLiteral("samples.csv"));
    QString csvError;
    const auto allRows = ws.samples(runId);
    QCOMPARE(c.exportSamplesTo(csvPath, &csvError), qint64(allRows.size()));
    {
        TextReader text(csvPath.toStdString());
        CsvReader csv(text);
        std::vector<std::string> fields;
        std::int64_t line = 0;
        QVERIFY(csv.next(fields, line));
        const int aspectCount = int(c.curves()->aspects().size());
        QCOMPARE(int(fields.size()), 8 + 3 * aspectCount);
        const auto column = [&](const std::string &name) {
            return int(std::find(fields.begin(), fields.end(), name) - fields.begin());
        };
        const int labelCol = column("label_politeness"), promptCol = column("prompt");
        QVERIFY(labelCol < int(fields.size()) && promptCol == 3);
        int rows = 0;
        bool seen = false;
        std::vector<std::string> header = fields;
        while (csv.next(fields, line)) {
            ++rows;
            QCOMPARE(fields.size(), header.size());
            if (std::stoll(fields[0]) == sampleId) {
                seen = true;
                QCOMPARE(std::stod(fields[std::size_t(labelCol)]), 0.75);
                QCOMPARE(QString::fromStdString(fields[3]), last.first().prompt);
            }
        }
        QCOMPARE(rows, int(allRows.size()));
        QVERIFY(seen);
    }

    // A second run; the first one overlaid on its curves from the View menu.
    QVERIFY(c.startTraining(1));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60 * 60 * 1000);
    const qint64 second = c.training().runId();
    QVERIFY(second != runId);
    QCOMPARE(c.curves()->runIds(), (QList<qint64>{second}));
    auto *overlay = window.findChild<QMenu *>(QStringLiteral("overlayRunsMenu"));
    QVERIFY(overlay);
    QVERIFY(QMetaObject::invokeMethod(overlay, "aboutToShow"));
    const QList<QAction *> actions = overlay->actions();
    QCOMPARE(actions.size(), 1);   // the first run, not the one shown
    QVERIFY2(actions.first()->text().startsWith(QStringLiteral("Run %1 ").arg(runId)), qPrintable(actions.first()->text()));
    actions.first()->trigger();
    QCOMPARE(c.curves()->runIds(), (QList<qint64>{runId, second}));
    c.curves()->setSmoothing(0.0);
    c.curves()->redrawNow();
    QCPGraph *overlaid = c.curves()->graphFor(runId, 0, false);
    QVERIFY(overlaid);
    QCOMPARE(overlaid->data()->size(), steps);
    QCOMPARE(overlaid->data()->at(steps - 1)->value, lastPoliteness);
    actions.first()->trigger();
    QCOMPARE(c.curves()->runIds(), (QList<qint64>{second}));

    // File menu: labels out and back in (nothing new: all duplicates).
    const QString labelsFile = tmp.filePath(QStringLiteral("labels.jsonl"));
    QString labelError;
    const QString exported = c.exportLabelsTo(labelsFile, &labelError);
    QVERIFY2(!exported.isEmpty(), qPrintable(labelError));
    QFile written(labelsFile);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll().count('\n'), store.labelCount());
    const QString imported = c.importLabelsFrom(labelsFile, &labelError);
    QVERIFY2(imported.startsWith(QStringLiteral("0 label(s) added\n%1 already present").arg(store.labelCount())),
             qPrintable(imported));
    QVERIFY(c.importLabelsFrom(tmp.filePath(QStringLiteral("missing.jsonl")), &labelError).isEmpty());
    QVERIFY2(labelError.contains(QStringLiteral("missing.jsonl")), qPrintable(labelError));

    // All weights 0: refused with a message, no run is started.
    const auto runsBefore = store.runs().size();
    for (const QString &aspect : c.weightsPanel()->weights().keys())
        c.weightsPanel()->setWeight(aspect, 0.0);
    c.weightsPanel()->flush();
    QVERIFY2(c.runPanel()->errorText().startsWith(QStringLiteral("All aspect weights are 0")), qPrintable(c.runPanel()->errorText()));
    QVERIFY(!c.startTraining(1));
    QCOMPARE(store.runs().size(), runsBefore);
    c.weightsPanel()->setWeight(QStringLiteral("safety"), 1.0);
    c.weightsPanel()->flush();
    QVERIFY(c.runPanel()->errorText().isEmpty());
}

static QJsonObject jsonFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

static QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// File menu: the trained policy and a reward-model version out as folders, the
// reward model back in as the next version; the export dialog's checks.
void TestWorkbench::exportAndImportModels()
{
    QTemporaryDir tmp;
    MainWindow window;
    WorkbenchController c(&window);
    QString error;
    QVERIFY2(c.openDemo(tmp.filePath(QStringLiteral("demo.awb")), &error), qPrintable(error));
    QSignalSpy finished(&c, &WorkbenchController::trainingFinished);
    QVERIFY(c.startTraining(1));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60 * 60 * 1000);
    const qint64 runId = c.training().runId();

    const auto sources = c.policyExportSources();
    QCOMPARE(sources.size(), 1);   // one run, checkpointed when it stopped
    QVERIFY2(sources.first().text.startsWith(QStringLiteral("Run %1 ").arg(runId)), qPrintable(sources.first().text));
    QVERIFY(sources.first().text.endsWith(QStringLiteral("step 1")));
    QVERIFY(!sources.first().lora);   // the demo trains all weights
    const QString checkpoint = sources.first().path;

    QSignalSpy transfers(&c, &WorkbenchController::modelTransferFinished);
    const QString policyDir = tmp.filePath(QStringLiteral("exports/policy"));
    QVERIFY(c.startPolicyExport(checkpoint, policyDir, false));
    QTRY_COMPARE_WITH_TIMEOUT(transfers.count(), 1, 120000);
    QVERIFY2(transfers.at(0).at(0).toBool(), qPrintable(transfers.at(0).at(1).toString()));
    QVERIFY2(transfers.at(0).at(1).toString().contains(policyDir), qPrintable(transfers.at(0).at(1).toString()));
    // A model folder: the checkpoint's config, tokenizer and weights (the same writer: the same bytes).
    QCOMPARE(jsonFile(policyDir + QStringLiteral("/config.json")), jsonFile(checkpoint + QStringLiteral("/policy/config.json")));
    QCOMPARE(fileBytes(policyDir + QStringLiteral("/tokenizer.json")),
             fileBytes(checkpoint + QStringLiteral("/policy/tokenizer.json")));
    const QByteArray weights = fileBytes(policyDir + QStringLiteral("/model.safetensors"));
    QVERIFY(weights.size() > 100000);
    QVERIFY(weights == fileBytes(checkpoint + QStringLiteral("/policy/model.safetensors")));

    // bfloat16 on request: the config says so, and the weights take about half the bytes.
    const QString halfDir = tmp.filePath(QStringLiteral("exports/policy-bf16"));
    QVERIFY(c.startPolicyExport(checkpoint, halfDir, false, QStringLiteral("bfloat16")));
    QTRY_COMPARE_WITH_TIMEOUT(transfers.count(), 2, 120000);
    QVERIFY2(transfers.at(1).at(0).toBool(), qPrintable(transfers.at(1).at(1).toString()));
    QVERIFY(transfers.at(1).at(1).toString().endsWith(QStringLiteral(", bfloat16)")));
    QCOMPARE(jsonFile(halfDir + QStringLiteral("/config.json")).value(QStringLiteral("torch_dtype")).toString(),
             QStringLiteral("bfloat16"));
    const qint64 halfSize = QFileInfo(halfDir + QStringLiteral("/model.safetensors")).size();
    QVERIFY2(std::abs(2 * halfSize - weights.size()) < 8192, qPrintable(QString::number(halfSize)));

    // Adapters of a run that trained all weights: refused, nothing written.
    const QString adaptersDir = tmp.filePath(QStringLiteral("exports/adapters"));
    QVERIFY(c.startPolicyExport(checkpoint, adaptersDir, true));
    QTRY_COMPARE_WITH_TIMEOUT(transfers.count(), 3, 120000);
    QVERIFY(!transfers.at(2).at(0).toBool());
    QVERIFY2(transfers.at(2).at(1).toString().contains(QStringLiteral("use_lora was off")), qPrintable(transfers.at(2).at(1).toString()));
    QVERIFY(!QFileInfo::exists(adaptersDir));

    // The reward model out, then back in as v2 with the same aspects.
    const auto versions = c.rewardModelExportSources();
    QCOMPARE(versions.size(), 1);
    QVERIFY2(versions.first().text.startsWith(QStringLiteral("v1 ")), qPrintable(versions.first().text));
    const QString rmDir = tmp.filePath(QStringLiteral("exports/reward-model"));
    QVERIFY(c.startRewardModelExport(versions.first().path, rmDir));
    QTRY_COMPARE_WITH_TIMEOUT(transfers.count(), 4, 120000);
    QVERIFY2(transfers.at(3).at(0).toBool(), qPrintable(transfers.at(3).at(1).toString()));
    QCOMPARE(jsonFile(rmDir + QStringLiteral("/aspects.json")), jsonFile(versions.first().path + QStringLiteral("/aspects.json")));

    QSignalSpy imported(&c.rewardModels(), &RewardModelController::finished);
    QVERIFY(c.startRewardModelImport(rmDir));
    QTRY_COMPARE_WITH_TIMEOUT(imported.count(), 1, 120000);
    QVERIFY2(imported.at(0).at(0).toBool(), qPrintable(imported.at(0).at(1).toString()));
    QCOMPARE(imported.at(0).at(2).toLongLong(), 2);
    QCOMPARE(c.workspace()->latestRewardModelVersion(), 2);
    QCOMPARE(c.rewardModelExportSources().size(), 2);
    // Importing something that is not a reward model: a message, no new version.
    QVERIFY(c.startRewardModelImport(policyDir));
    QTRY_COMPARE_WITH_TIMEOUT(imported.count(), 2, 120000);
    QVERIFY(!imported.at(1).at(0).toBool());
    QVERIFY2(imported.at(1).at(1).toString().contains(QStringLiteral("reward_model.json")), qPrintable(imported.at(1).at(1).toString()));
    QCOMPARE(c.workspace()->latestRewardModelVersion(), 2);

    // The dialog: a folder named after the checkpoint; a used folder is refused.
    ModelExportDialog dialog(ModelExportDialog::Kind::Policy, sources, tmp.path());
    auto *folder = dialog.findChild<QLineEdit *>(QStringLiteral("folderEdit"));
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QCOMPARE(folder->text(), QDir(tmp.path()).filePath(QStringLiteral("policy-run%1-step1").arg(runId)));
    QVERIFY(ok->isEnabled());
    QVERIFY(!dialog.findChild<QRadioButton *>(QStringLiteral("adaptersRadio"))->isEnabled());
    auto *dtype = dialog.findChild<QComboBox *>(QStringLiteral("dtypeCombo"));
    QCOMPARE(dialog.dtype(), QStringLiteral("float32"));
    dtype->setCurrentIndex(1);
    QCOMPARE(dialog.dtype(), QStringLiteral("bfloat16"));
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("noteLabel"))->text().contains(QStringLiteral("(bfloat16)")));
    if (const QString shots = qEnvironmentVariable("AWB_SCREENSHOT_DIR"); !shots.isEmpty()) {
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.grab().save(QDir(shots).filePath(QStringLiteral("export-policy-dialog.png")));
    }
    folder->setText(policyDir);
    QVERIFY(!ok->isEnabled());
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("noteLabel"))->text().contains(QStringLiteral("not an empty folder")));
    // Aspect weights apply to a run with conditioning "lora" only.
    auto *aspectWeights = dialog.findChild<QLineEdit *>(QStringLiteral("aspectWeightsEdit"));
    QVERIFY(!aspectWeights->isEnabled());
    aspectWeights->setText(QStringLiteral("safety=1"));
    QVERIFY(dialog.aspectWeights().isEmpty());
    QVector<ModelExportDialog::Source> steered = sources;
    steered.first().atWeights = true;
    ModelExportDialog steerDialog(ModelExportDialog::Kind::Policy, steered, tmp.path());
    auto *steerWeights = steerDialog.findChild<QLineEdit *>(QStringLiteral("aspectWeightsEdit"));
    QVERIFY(steerWeights->isEnabled());
    steerWeights->setText(QStringLiteral(" safety=1,actionability=0.2 "));
    QCOMPARE(steerDialog.aspectWeights(), QStringLiteral("safety=1,actionability=0.2"));
}

// The stall probe against a block of known length: the GUI thread sleeps 120 ms
// inside an event, so one tick comes at least 110 ms late (lower bounds only).
void TestWorkbench::probeSeesABlockedEventLoop()
{
    EventLoopProbe probe;
    probe.setStep(7);
    QTest::qWait(100);
    QTimer::singleShot(0, [] { QThread::msleep(120); });
    QTest::qWait(200);
    QVERIFY2(probe.longestStallMs() >= 100.0, qPrintable(QString::number(probe.longestStallMs())));
    QCOMPARE(probe.longestStallAtStep(), 7);
    QVERIFY(probe.stallsOver50Ms() >= 1);
    QVERIFY(probe.ticks() >= 5);
    probe.stop();
    const qint64 ticks = probe.ticks();
    QTest::qWait(60);
    QCOMPARE(probe.ticks(), ticks);   // stopped: nothing more is counted
}

// The window icon (packaging/icons/alignment-workbench.svg) is in awb_app's
// resources and renders: a 64 px pixmap with a good share of opaque pixels.
void TestWorkbench::windowIconIsCompiledIn()
{
    const QIcon icon(QStringLiteral(":/icons/alignment-workbench.svg"));
    const QImage image = icon.pixmap(64, 64).toImage();
    QCOMPARE(image.size(), QSize(64, 64));
    int opaque = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            opaque += qAlpha(image.pixel(x, y)) > 128 ? 1 : 0;
    QVERIFY2(opaque > 64 * 64 / 4, qPrintable(QString::number(opaque)));
}

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
