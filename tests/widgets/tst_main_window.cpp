// The main window: its menus and shortcuts, the compute summary, the screenshot
// used by the README and acceptance checks, and layout persistence.
#include "main_window.h"
#include "workbench_app.h"

#include <QAction>
#include <QImage>
#include <QLabel>
#include <QSettings>
#include <QtTest>

using namespace awb;

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void quitHasStandardShortcut();
    void computeSummaryShownInStatusBar();
    void screenshotHasWindowSize();
    void screenshotToUnwritablePathFails();
    void geometryPersists();
    void parsesCommandLine_data();
    void parsesCommandLine();
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
    QSettings().clear();
}

void TestMainWindow::quitHasStandardShortcut()
{
    MainWindow w;
    auto *quit = w.findChild<QAction *>(QStringLiteral("actionQuit"));
    QVERIFY(quit);
    QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    quit->trigger();
    QTRY_VERIFY(!w.isVisible());
}

void TestMainWindow::computeSummaryShownInStatusBar()
{
    MainWindow w;
    w.setComputeSummary(QStringLiteral("LibTorch 1.13.0 · cpu · 2 threads"));
    auto *label = w.findChild<QLabel *>(QStringLiteral("computeLabel"));
    QVERIFY(label);
    QCOMPARE(label->text(), QStringLiteral("LibTorch 1.13.0 · cpu · 2 threads"));
}

void TestMainWindow::screenshotHasWindowSize()
{
    MainWindow w;
    w.resize(900, 600);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("shot.png"));
    QVERIFY(w.saveScreenshot(file));
    QImage image(file);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size() / image.devicePixelRatio(), QSize(900, 600));
}

void TestMainWindow::screenshotToUnwritablePathFails()
{
    MainWindow w;
    QString error;
    QVERIFY(!w.saveScreenshot(QStringLiteral("/nonexistent/dir/shot.png"), &error));
    QVERIFY2(error.contains(QStringLiteral("/nonexistent/dir/shot.png")), qPrintable(error));
}

void TestMainWindow::geometryPersists()
{
    {
        MainWindow w;
        w.resize(777, 555);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.close();
    }
    MainWindow again;
    QCOMPARE(again.size(), QSize(777, 555));
}

void TestMainWindow::parsesCommandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("threads");
    QTest::addColumn<QString>("workspace");
    QTest::newRow("plain") << QStringList{"aw"} << true << 0 << -1 << QString();
    QTest::newRow("size") << QStringList{"aw", "--size", "1600x1000", "--screenshot", "x.png"} << true << 1600 << -1 << QString();
    QTest::newRow("threads") << QStringList{"aw", "--threads", "2"} << true << 0 << 2 << QString();
    QTest::newRow("workspace option") << QStringList{"aw", "--workspace", "a.awb"} << true << 0 << -1 << "a.awb";
    QTest::newRow("workspace alone") << QStringList{"aw", "/data/b.awb"} << true << 0 << -1 << "/data/b.awb";
    QTest::newRow("two workspaces") << QStringList{"aw", "a.awb", "b.awb"} << false << 0 << -1 << QString();
    QTest::newRow("option and file") << QStringList{"aw", "--workspace", "a.awb", "b.awb"} << false << 0 << -1 << QString();
    QTest::newRow("bad size") << QStringList{"aw", "--size", "big"} << false << 0 << -1 << QString();
    QTest::newRow("bad threads") << QStringList{"aw", "--threads", "-3"} << false << 0 << -1 << QString();
    QTest::newRow("unknown option") << QStringList{"aw", "--frobnicate"} << false << 0 << -1 << QString();
}

void TestMainWindow::parsesCommandLine()
{
    QFETCH(QStringList, args);
    QFETCH(bool, ok);
    QFETCH(int, width);
    QFETCH(int, threads);
    QFETCH(QString, workspace);
    WorkbenchOptions options;
    QString error;
    QCOMPARE(parseWorkbenchArguments(args, &options, &error), ok);
    if (!ok) {
        QVERIFY(!error.isEmpty());
        return;
    }
    QCOMPARE(options.width, width);
    QCOMPARE(options.threads, threads);
    QCOMPARE(options.workspacePath, workspace);
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
