// Translations of the GUI: the .ts files are complete and consistent with
// their sources (read as XML, independently of lupdate/lrelease), the compiled
// .qm files embedded in awb_app say what a German or Chinese reader expects,
// and the language is chosen by --language, else the setting ui/language,
// else the system, both in-process and in the real executable.
#include "main_window.h"
#include "ui_language.h"
#include "workbench_app.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QFile>
#include <QLibraryInfo>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

using namespace awb;

namespace {

const QString kTsDir = QStringLiteral(AWB_SOURCE_DIR "/translations");

struct TsMessage
{
    QString context;
    QString source;
    bool numerus = false;
    QString type;                // the translation's type attribute ("unfinished", "vanished", ...)
    QStringList translations;    // one, or one per numerus form
};

// Reads every <message> of a .ts file with its context and translation(s).
QVector<TsMessage> readTs(const QString &path, QString *language, QString *error)
{
    QVector<TsMessage> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = f.errorString();
        return out;
    }
    QXmlStreamReader xml(&f);
    QString context;
    TsMessage m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            out.push_back(m);
            continue;
        }
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("TS")) {
            *language = xml.attributes().value(QLatin1String("language")).toString();
        } else if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            m = TsMessage();
            m.context = context;
            m.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
        } else if (name == QLatin1String("source")) {
            m.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            m.type = xml.attributes().value(QLatin1String("type")).toString();
            if (!m.numerus)
                m.translations << xml.readElementText();
        } else if (name == QLatin1String("numerusform")) {
            m.translations << xml.readElementText();
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return out;
}

// %1..%99, %n, %L1 and QProgressBar's %v/%m, as a sorted multiset.
QStringList placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(L?\\d{1,2}|n|v|m)"));
    QStringList out;
    for (auto it = re.globalMatch(text); it.hasNext();)
        out << it.next().captured(0);
    out.sort();
    return out;
}

// Accelerator marks: a single '&' before a visible character, not "&&" and not
// an HTML entity such as &middot; or &nbsp;.
int mnemonics(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("(?<!&)&(?!&)(?![A-Za-z]+;)(?=\\S)"));
    int n = 0;
    for (auto it = re.globalMatch(text); it.hasNext(); it.next())
        ++n;
    return n;
}

// Key names as a German UI writes them (Qt's own German does the same).
QString normaliseKeys(QString text)
{
    return text.replace(QStringLiteral("Strg+"), QStringLiteral("Ctrl+"))
        .replace(QStringLiteral("Umschalt+"), QStringLiteral("Shift+"));
}

QStringList shortcuts(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("\\b(?:(?:Ctrl|Shift|Alt)\\+)+(?:F\\d{1,2}|[A-Z0-9])\\b|\\bF\\d{1,2}\\b"));
    QStringList out;
    for (auto it = re.globalMatch(text); it.hasNext();)
        out << it.next().captured(0);
    return out;
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void tsFileIsComplete_data();
    void tsFileIsComplete();
    void tsFilesHaveTheSameMessages();
    void sourcesAvoidAmbiguousEscapes();
    void qmTranslatesKnownStrings_data();
    void qmTranslatesKnownStrings();
    void languageOptionMakesMenusChinese();
    void settingChoosesLanguageUnlessCommandLineDoes();
    void qtOwnStringsAreTranslated();
    void languageMenuStoresTheChoice();
    void executableHelpFollowsLanguage_data();
    void executableHelpFollowsLanguage();
};

void TestTranslations::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_translations"));
    QSettings().clear();
}

void TestTranslations::cleanup()
{
    installUiTranslations(QStringLiteral("en"));
    QSettings().clear();
}

void TestTranslations::tsFileIsComplete_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("language");
    QTest::addColumn<int>("pluralForms");
    QTest::newRow("de") << QStringLiteral("alignment-workbench_de.ts") << QStringLiteral("de_DE") << 2;
    QTest::newRow("zh_CN") << QStringLiteral("alignment-workbench_zh_CN.ts") << QStringLiteral("zh_CN") << 1;
}

void TestTranslations::tsFileIsComplete()
{
    QFETCH(QString, file);
    QFETCH(QString, language);
    QFETCH(int, pluralForms);
    QString lang, error;
    const QVector<TsMessage> messages = readTs(kTsDir + QLatin1Char('/') + file, &lang, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(lang, language);
    QVERIFY2(messages.size() >= 300, qPrintable(QStringLiteral("only %1 messages").arg(messages.size())));
    int numerus = 0;
    for (const TsMessage &m : messages) {
        const QString where = m.context + QStringLiteral(": \"") + m.source + QLatin1Char('"');
        QVERIFY2(m.type.isEmpty(), qPrintable(where + QStringLiteral(" is ") + m.type));
        QVERIFY2(!m.translations.isEmpty(), qPrintable(where + QStringLiteral(" has no translation")));
        if (m.numerus) {
            ++numerus;
            QVERIFY2(m.translations.size() == pluralForms, qPrintable(where + QStringLiteral(": wrong number of plural forms")));
        }
        for (const QString &t : m.translations) {
            QVERIFY2(!t.trimmed().isEmpty(), qPrintable(where + QStringLiteral(" is empty")));
            QVERIFY2(placeholders(t) == placeholders(m.source),
                     qPrintable(where + QStringLiteral(": placeholders differ in \"") + t + QLatin1Char('"')));
            QVERIFY2(mnemonics(t) == mnemonics(m.source),
                     qPrintable(where + QStringLiteral(": accelerator differs in \"") + t + QLatin1Char('"')));
            for (const QString &key : shortcuts(m.source))
                QVERIFY2(normaliseKeys(t).contains(key),
                         qPrintable(where + QStringLiteral(": shortcut ") + key + QStringLiteral(" missing in \"") + t
                                    + QLatin1Char('"')));
            // A string that is itself a shortcut (QKeySequence(tr("Ctrl+I"))) stays in portable form.
            static const QRegularExpression keyOnly(QStringLiteral("^(?:(?:Ctrl|Shift|Alt|Meta)\\+)+\\S+$"));
            if (keyOnly.match(m.source).hasMatch())
                QCOMPARE(t, m.source);
        }
    }
    QVERIFY(numerus >= 4);
}

void TestTranslations::tsFilesHaveTheSameMessages()
{
    QString lang, error;
    QSet<QString> de, zh;
    for (const TsMessage &m : readTs(kTsDir + QStringLiteral("/alignment-workbench_de.ts"), &lang, &error))
        de.insert(m.context + QLatin1Char('\x1f') + m.source);
    for (const TsMessage &m : readTs(kTsDir + QStringLiteral("/alignment-workbench_zh_CN.ts"), &lang, &error))
        zh.insert(m.context + QLatin1Char('\x1f') + m.source);
    QCOMPARE(de, zh);
}

void TestTranslations::sourcesAvoidAmbiguousEscapes()
{
    // lupdate reads "\u00B15" as U+0B15 where the compiler reads "±5", so such a
    // message would never be found at run time. Write the character itself.
    static const QRegularExpression re(QStringLiteral("\\\\u[0-9A-Fa-f]{4}[0-9A-Fa-f]"));
    for (const char *dir : {"widgets", "app"}) {
        QDirIterator it(QStringLiteral(AWB_SOURCE_DIR "/") + QLatin1String(dir), {QStringLiteral("*.cpp"), QStringLiteral("*.h")});
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            int line = 0;
            while (!f.atEnd()) {
                const QString text = QString::fromUtf8(f.readLine());
                ++line;
                QVERIFY2(!re.match(text).hasMatch(), qPrintable(QStringLiteral("%1:%2: %3").arg(path).arg(line).arg(text.trimmed())));
            }
        }
    }
}

void TestTranslations::qmTranslatesKnownStrings_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("source");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("expected");
    QTest::newRow("de File") << "de" << "awb::MainWindow" << "&File" << -1 << "&Datei";
    QTest::newRow("de Start") << "de" << "awb::RunPanel" << "Start" << -1 << "Starten";
    QTest::newRow("de reward model") << "de" << "awb::ParetoView" << "Reward model" << -1 << "Belohnungsmodell";
    QTest::newRow("de one thread") << "de" << "Workbench" << "LibTorch %1 · %2 · %n thread(s)" << 1
                                   << "LibTorch %1 · %2 · %n Thread";
    QTest::newRow("de threads") << "de" << "Workbench" << "LibTorch %1 · %2 · %n thread(s)" << 4
                                << "LibTorch %1 · %2 · %n Threads";
    QTest::newRow("zh File") << "zh_CN" << "awb::MainWindow" << "&File" << -1 << "文件(&F)";
    QTest::newRow("zh threads") << "zh_CN" << "Workbench" << "LibTorch %1 · %2 · %n thread(s)" << 4
                                << "LibTorch %1 · %2 · %n 个线程";
}

void TestTranslations::qmTranslatesKnownStrings()
{
    QFETCH(QString, language);
    QFETCH(QString, context);
    QFETCH(QString, source);
    QFETCH(int, n);
    QFETCH(QString, expected);
    QTranslator t;
    QVERIFY(t.load(QStringLiteral(":/i18n/alignment-workbench_%1.qm").arg(language)));
    QCOMPARE(t.translate(context.toUtf8().constData(), source.toUtf8().constData(), nullptr, n), expected);
}

void TestTranslations::languageOptionMakesMenusChinese()
{
    WorkbenchOptions options;
    QString error;
    QVERIFY(parseWorkbenchArguments({QStringLiteral("aw"), QStringLiteral("--language"), QStringLiteral("zh_CN")}, &options,
                                    &error));
    QCOMPARE(options.language, QStringLiteral("zh_CN"));
    const InstalledTranslations installed = installUiTranslations(chosenUiLanguage(options.language));
    QVERIFY(installed.app);
    {
        MainWindow w;
        const QList<QAction *> menus = w.menuBar()->actions();
        QVERIFY(menus.size() >= 4);
        QCOMPARE(menus.at(0)->text(), QStringLiteral("文件(&F)"));
        QCOMPARE(menus.at(1)->text(), QStringLiteral("视图(&V)"));
        QCOMPARE(w.windowTitle(), QStringLiteral("Alignment Workbench"));
    }
    // English again: the source texts, even on a system set to another language.
    QVERIFY(!installUiTranslations(QStringLiteral("en")).app);
    MainWindow w;
    QCOMPARE(w.menuBar()->actions().at(0)->text(), QStringLiteral("&File"));
}

void TestTranslations::settingChoosesLanguageUnlessCommandLineDoes()
{
    QCOMPARE(chosenUiLanguage(QString()), QString());   // nothing set: the system's
    QSettings().setValue(QLatin1String(kUiLanguageKey), QStringLiteral("de"));
    QCOMPARE(chosenUiLanguage(QString()), QStringLiteral("de"));
    QCOMPARE(chosenUiLanguage(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
    QVERIFY(installUiTranslations(chosenUiLanguage(QString())).app);
    MainWindow w;
    QCOMPARE(w.menuBar()->actions().at(0)->text(), QStringLiteral("&Datei"));
    QCOMPARE(uiLocale(QStringLiteral("de")).language(), QLocale::German);
}

void TestTranslations::qtOwnStringsAreTranslated()
{
    const QString dir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (!QFile::exists(dir + QStringLiteral("/qtbase_de.qm")))
        QSKIP("qtbase_de.qm is not installed (Debian: qt6-translations-l10n)");
    QVERIFY(installUiTranslations(QStringLiteral("de")).qt);
    QDialogButtonBox box(QDialogButtonBox::Cancel);
    QCOMPARE(box.button(QDialogButtonBox::Cancel)->text().remove(QLatin1Char('&')), QStringLiteral("Abbrechen"));
}

void TestTranslations::languageMenuStoresTheChoice()
{
    MainWindow w;
    w.setLanguageChoices({{QString(), QString()}, {QStringLiteral("en"), QStringLiteral("English")},
                          {QStringLiteral("de"), QStringLiteral("Deutsch")}},
                         QStringLiteral("en"));
    auto *system = w.findChild<QAction *>(QStringLiteral("actionLanguage_system"));
    auto *en = w.findChild<QAction *>(QStringLiteral("actionLanguage_en"));
    auto *de = w.findChild<QAction *>(QStringLiteral("actionLanguage_de"));
    QVERIFY(system && en && de);
    QCOMPARE(system->text(), QStringLiteral("System default"));
    QVERIFY(en->isChecked());
    QSignalSpy chosen(&w, &MainWindow::languageChosen);
    de->trigger();
    QCOMPARE(chosen.size(), 1);
    QCOMPARE(chosen.at(0).at(0).toString(), QStringLiteral("de"));
    QVERIFY(de->isChecked() && !en->isChecked());
    QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("Restart")));
}

void TestTranslations::executableHelpFollowsLanguage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("setting");
    QTest::addColumn<QString>("expected");
    const QString en = QStringLiteral("Alignment Workbench: multi-objective GRPO with live aspect weights");
    const QString de = QStringLiteral("Alignment Workbench: GRPO mit mehreren Zielen und live einstellbaren Aspektgewichten");
    const QString zh = QStringLiteral("Alignment Workbench：多目标 GRPO，维度权重可实时调整");
    QTest::newRow("--language zh_CN") << QStringList{"--language", "zh_CN"} << QString() << zh;
    QTest::newRow("--language de") << QStringList{"--language", "de"} << QString() << de;
    QTest::newRow("setting de") << QStringList{} << QStringLiteral("de") << de;
    QTest::newRow("option beats setting") << QStringList{"--language", "en"} << QStringLiteral("de") << en;
}

void TestTranslations::executableHelpFollowsLanguage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, setting);
    QFETCH(QString, expected);
    const QString exe = QStringLiteral(AWB_BINARY_DIR "/app/alignment-workbench");
    if (!QFile::exists(exe))
        QSKIP("alignment-workbench is not built");
    QTemporaryDir config;
    QVERIFY(config.isValid());
    if (!setting.isEmpty()) {
        QSettings s(config.filePath(QStringLiteral("AlignmentWorkbench/alignment-workbench.conf")), QSettings::IniFormat);
        s.setValue(QLatin1String(kUiLanguageKey), setting);
    }
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));   // the system: English
    env.remove(QStringLiteral("LANGUAGE"));
    env.remove(QStringLiteral("LC_ALL"));
    env.remove(QStringLiteral("LC_MESSAGES"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(exe, args + QStringList{QStringLiteral("--help")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(out.contains(expected), qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("--language")));
}

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
