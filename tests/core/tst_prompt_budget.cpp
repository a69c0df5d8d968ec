// max_prompt_length + max_completion_length against the model's context: the
// budget's arithmetic by hand, the error when a completion alone fills the
// context, and a run whose long prompt used to end at its first step
// ("generate: prompt 0 has N tokens; the model's context is N").
#include "train/prompt_budget.h"
#include "train/training_controls.h"

#include <ATen/ATen.h>

#include "tiny_trainer_fixture.h"   // Qt after ATen: Qt's "slots" macro breaks ATen's headers

#include <QtTest>

using namespace awb;
using namespace awb::test;

namespace {

struct LogSink : RecordingSink
{
    std::vector<std::string> logs;
    void onLog(const std::string &m) override { logs.push_back(m); }
};

} // namespace

class TestPromptBudget : public QObject
{
    Q_OBJECT

private slots:
    void budget_data()
    {
        QTest::addColumn<qint64>("prompt");
        QTest::addColumn<qint64>("completion");
        QTest::addColumn<qint64>("context");
        QTest::addColumn<qint64>("kept");
        QTest::addColumn<bool>("noted");
        // The demo's own options on its 256-token model fit as they are.
        QTest::newRow("fits") << qint64(64) << qint64(48) << qint64(256) << qint64(64) << false;
        QTest::newRow("exactly") << qint64(200) << qint64(56) << qint64(256) << qint64(200) << false;
        // The default max_prompt_length with short completions on the demo model: 256 - 8.
        QTest::newRow("lowered") << qint64(256) << qint64(8) << qint64(256) << qint64(248) << true;
        QTest::newRow("one token left") << qint64(32) << qint64(127) << qint64(128) << qint64(1) << true;
        QTest::newRow("unknown context") << qint64(256) << qint64(256) << qint64(0) << qint64(256) << false;
    }
    void budget()
    {
        QFETCH(qint64, prompt);
        QFETCH(qint64, completion);
        QFETCH(qint64, context);
        QFETCH(qint64, kept);
        QFETCH(bool, noted);
        const PromptBudget b = promptBudget(prompt, completion, context, "/models/demo");
        QCOMPARE(b.promptTokens, kept);
        QCOMPARE(!b.note.empty(), noted);
        if (noted) {
            const QString note = QString::fromStdString(b.note);
            QVERIFY2(note.contains("lower max_prompt_length to " + QString::number(kept)), qPrintable(note));
            QVERIFY2(note.contains("/models/demo") && note.contains(QString::number(context)), qPrintable(note));
        }
    }

    void completionFillsTheContext()
    {
        // The run: the defaults (256 + 256) on a model whose context is 256.
        const QString msg = QString::fromStdString(errorOf([] { promptBudget(256, 256, 256, "/models/demo"); }));
        QVERIFY2(msg.contains("max_completion_length 256") && msg.contains("lower max_completion_length below 256")
                     && msg.contains("/models/demo"),
                 qPrintable(msg));
        QVERIFY(!errorOf([] { promptBudget(1, 300, 256, "m"); }).empty());
    }

    void longPromptRunsItsFirstStep()
    {
        // Prompts longer than the 128-token context, max_prompt_length 200: kept whole up
        // to 200 tokens, a prompt left no room for its completion and the first step failed.
        Fixture f;
        GrpoTrainerSetup setup = f.setup();
        setup.options.maxPromptLength = 200;
        setup.options.maxSteps = 1;
        std::string longPrompt;
        for (int i = 0; i < 60; ++i)
            longPrompt += "How do I bake bread? ";
        setup.prompts = {longPrompt, longPrompt + "Tell me a joke."};
        TrainingControls controls;
        LogSink sink;
        GrpoTrainer trainer(std::move(setup), controls, sink);
        QVERIFY(trainer.runStep());
        QCOMPARE(sink.steps.size(), std::size_t(1));
        bool noted = false;
        for (const auto &m : sink.logs)
            noted = noted || m.find("prompts keep their last 122 tokens") != std::string::npos;   // 128 - 6
        QVERIFY(noted);
    }

    void completionLongerThanTheContextFailsAtTheStart()
    {
        Fixture f;
        GrpoTrainerSetup setup = f.setup();
        setup.options.maxCompletionLength = 128;
        TrainingControls controls;
        RecordingSink sink;
        const QString msg = QString::fromStdString(errorOf([&] { GrpoTrainer trainer(std::move(setup), controls, sink); }));
        QVERIFY2(msg.contains("lower max_completion_length below 128"), qPrintable(msg));
        QVERIFY(sink.steps.empty());
    }
};

QTEST_GUILESS_MAIN(TestPromptBudget)
#include "tst_prompt_budget.moc"
