// The `awb` command line: help, version, unknown commands and `inspect`,
// driven through runCli with string streams; and the GUI's --help and
// --version, which must work without a display as `awb`'s do.
#include "cli/cli.h"
#include "io/safetensors.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <QFile>
#include <QProcess>
#include <QtTest>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace awb;

namespace {

struct Result
{
    int code = 0;
    QString out;
    QString err;
};

Result run(std::vector<std::string> args)
{
    args.insert(args.begin(), "awb");
    std::vector<const char *> argv;
    for (const auto &a : args)
        argv.push_back(a.c_str());
    std::ostringstream out, err;
    Result r;
    r.code = runCli(static_cast<int>(argv.size()), argv.data(), out, err);
    r.out = QString::fromStdString(out.str());
    r.err = QString::fromStdString(err.str());
    return r;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void version();
    void help();
    void unknownSubcommandPrintsUsage();
    void noSubcommandFails();
    void inspectListsTensors();
    void inspectJson();
    void inspectMissingFile();
    void infoAppliesThreads();
    void infoRejectsBadDevice();
    void workbenchInformationWithoutDisplay_data();
    void workbenchInformationWithoutDisplay();
};

void TestCli::version()
{
    const Result r = run({"--version"});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out.trimmed(), QStringLiteral("awb " AWB_EXPECTED_VERSION));
}

void TestCli::help()
{
    const Result r = run({"--help"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("inspect"));
    QVERIFY(r.out.contains("info"));
}

void TestCli::unknownSubcommandPrintsUsage()
{
    const Result r = run({"frobnicate"});
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains("frobnicate"), qPrintable(r.err));
    QVERIFY2(r.err.contains("Usage"), qPrintable(r.err));
    QVERIFY2(r.err.contains("inspect"), qPrintable(r.err));
}

void TestCli::noSubcommandFails()
{
    const Result r = run({});
    QVERIFY(r.code != 0);
    QVERIFY(r.err.contains("Usage"));
}

void TestCli::inspectListsTensors()
{
    QTemporaryDir dir;
    const std::string file = dir.filePath("m.safetensors").toStdString();
    saveSafetensors(file, {{"embed.weight", at::zeros({10, 4})}, {"norm.weight", at::ones({4}, at::kBFloat16)}});
    const Result r = run({"inspect", file});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QRegularExpression("embed\\.weight\\s+F32\\s+\\[10, 4\\]")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QRegularExpression("norm\\.weight\\s+BF16\\s+\\[4\\]")), qPrintable(r.out));
    // 40 + 4 parameters; 160 + 8 bytes.
    QVERIFY2(r.out.contains("2 tensors, 44 parameters, 168 bytes"), qPrintable(r.out));
}

void TestCli::inspectJson()
{
    QTemporaryDir dir;
    saveCheckpoint(dir.path().toStdString(), {{"w", at::zeros({3, 3})}});
    QFile config(dir.filePath("config.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"model_type": "llama", "hidden_size": 8, "num_attention_heads": 2, "vocab_size": 3})");
    config.close();
    const Result r = run({"inspect", "--json", dir.path().toStdString()});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["parameters"].get<int>(), 9);
    QCOMPARE(j["metadata"]["format"].get<std::string>(), std::string("pt"));
    QCOMPARE(j["config"]["head_dim"].get<int>(), 4);
}

void TestCli::inspectMissingFile()
{
    const Result r = run({"inspect", "/nonexistent/model.safetensors"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.startsWith("awb: /nonexistent/model.safetensors: cannot open"), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);   // one line
    QVERIFY(r.out.isEmpty());
}

void TestCli::infoAppliesThreads()
{
    const Result r = run({"info", "--threads", "1", "--device", "cpu"});
    QCOMPARE(r.code, 0);
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["threads"].get<int>(), 1);
    QCOMPARE(j["device"].get<std::string>(), std::string("cpu"));
    QCOMPARE(at::get_num_threads(), 1);
    QCOMPARE(j["dtype"].get<std::string>(), std::string("Float"));
}

void TestCli::infoRejectsBadDevice()
{
    const Result r = run({"info", "--device", "tpu"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("device \"tpu\""), qPrintable(r.err));
}

void TestCli::workbenchInformationWithoutDisplay_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QStringList>("expected");
    const QString version = QStringLiteral("alignment-workbench " AWB_EXPECTED_VERSION);
    const QStringList help{QStringLiteral("alignment-workbench [options] [workspace]"), QStringLiteral("--screenshot"),
                           QStringLiteral("--language"), QStringLiteral("multi-objective GRPO")};
    QTest::newRow("--version") << QStringLiteral("--version") << QStringList{version};
    QTest::newRow("-v") << QStringLiteral("-v") << QStringList{version};
    QTest::newRow("--help") << QStringLiteral("--help") << help;
    QTest::newRow("-h") << QStringLiteral("-h") << help;
}

// No DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM: a QApplication would abort
// ("could not connect to display") before printing anything.
void TestCli::workbenchInformationWithoutDisplay()
{
    QFETCH(QString, option);
    QFETCH(QStringList, expected);
    const QString exe = QStringLiteral(AWB_BINARY_DIR "/app/alignment-workbench");
    if (!QFile::exists(exe))
        QSKIP("alignment-workbench is not built (AWB_BUILD_GUI off)");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));   // English text
    env.remove(QStringLiteral("LANGUAGE"));
    env.remove(QStringLiteral("LC_ALL"));
    env.remove(QStringLiteral("LC_MESSAGES"));
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(exe, {option});
    QVERIFY(p.waitForFinished(60000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 0, qPrintable(err));
    for (const QString &text : expected)
        QVERIFY2(out.contains(text), qPrintable(out + err));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
