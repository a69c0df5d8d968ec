#include "workbench_app.h"

#include "awb_version.h"
#include "main_window.h"
#include "run_panel.h"
#include "ui_language.h"
#include "workbench_controller.h"
#include "util/runtime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QRegularExpression>
#include <QSettings>
#include <QTimer>

#include <cstdio>

namespace awb {

namespace {

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QCoreApplication::translate("Workbench", "Alignment Workbench: multi-objective GRPO with live aspect weights"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("screenshot"),
                      QCoreApplication::translate("Workbench", "Save a PNG of the main window to <file> and quit."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("size"),
                      QCoreApplication::translate("Workbench", "Window size as WIDTHxHEIGHT, e.g. 1600x1000."),
                      QStringLiteral("size")});
    parser.addOption({QStringLiteral("demo"),
                      QCoreApplication::translate("Workbench", "Open the shipped demo (its policy, reward model, prompts and gold judge).")});
    parser.addOption({QStringLiteral("workspace"),
                      QCoreApplication::translate("Workbench", "Open (or create) the workspace <file>."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("train-steps"),
                      QCoreApplication::translate("Workbench", "Start GRPO for <n> steps at once; with --screenshot, save it when they are done and quit."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("stall-report"),
                      QCoreApplication::translate("Workbench", "On quitting, print the longest stall of the GUI event loop.")});
    parser.addOption({QStringLiteral("threads"),
                      QCoreApplication::translate("Workbench", "Compute threads for this run (0: all cores)."),
                      QStringLiteral("n")});
    parser.addPositionalArgument(QStringLiteral("workspace"),
                                 QCoreApplication::translate("Workbench", "A workspace (.awb) to open, as --workspace."),
                                 QStringLiteral("[workspace]"));
    parser.addOption({QStringLiteral("language"),
                      QCoreApplication::translate("Workbench", "User interface language for this run: en, de or zh_CN "
                                                               "(default: the Settings menu, else the system's)."),
                      QStringLiteral("code")});
}

} // namespace

bool parseWorkbenchArguments(const QStringList &arguments, WorkbenchOptions *options, QString *error)
{
    QCommandLineParser parser;
    describeOptions(parser);
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return false;
    }
    options->screenshotPath = parser.value(QStringLiteral("screenshot"));
    if (parser.isSet(QStringLiteral("size"))) {
        static const QRegularExpression re(QStringLiteral("^(\\d{2,5})x(\\d{2,5})$"));
        const auto m = re.match(parser.value(QStringLiteral("size")));
        if (!m.hasMatch()) {
            *error = QCoreApplication::translate("Workbench", "--size: expected WIDTHxHEIGHT, got \"%1\"")
                         .arg(parser.value(QStringLiteral("size")));
            return false;
        }
        options->width = m.captured(1).toInt();
        options->height = m.captured(2).toInt();
    }
    if (parser.isSet(QStringLiteral("threads"))) {
        bool ok = false;
        options->threads = parser.value(QStringLiteral("threads")).toInt(&ok);
        if (!ok || options->threads < 0) {
            *error = QCoreApplication::translate("Workbench", "--threads: expected 0 or a positive count");
            return false;
        }
    }
    options->demo = parser.isSet(QStringLiteral("demo"));
    options->workspacePath = parser.value(QStringLiteral("workspace"));
    // A file manager (the desktop entry's %f) names the workspace alone.
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1 || (positional.size() == 1 && !options->workspacePath.isEmpty())) {
        QStringList named = positional;
        if (!options->workspacePath.isEmpty())
            named.prepend(options->workspacePath);
        *error = QCoreApplication::translate("Workbench", "name one workspace, not %1").arg(named.join(QStringLiteral(", ")));
        return false;
    }
    if (!positional.isEmpty())
        options->workspacePath = positional.first();
    options->stallReport = parser.isSet(QStringLiteral("stall-report"));
    options->language = parser.value(QStringLiteral("language")).trimmed();
    if (parser.isSet(QStringLiteral("train-steps"))) {
        bool ok = false;
        options->trainSteps = parser.value(QStringLiteral("train-steps")).toInt(&ok);
        if (!ok || options->trainSteps <= 0) {
            *error = QCoreApplication::translate("Workbench", "--train-steps: expected a positive count");
            return false;
        }
    }
    return true;
}

namespace {

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbench"));
    QCoreApplication::setApplicationName(QStringLiteral("alignment-workbench"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(kVersion));
}

// The language comes first, so that --help, errors and the window are all in it.
void installTranslationsFor(const QStringList &arguments)
{
    QCommandLineParser parser;
    describeOptions(parser);
    parser.parse(arguments);
    installUiTranslations(chosenUiLanguage(parser.value(QStringLiteral("language"))));
}

// --help, --help-all and --version print and exit before any QApplication
// exists: a QApplication needs a display, and these must work without one (a
// server, a packaging check). A QCoreApplication gives the parser the program
// name and the translations.
void handleInformationOptions(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    describeOptions(parser);
    parser.parse(arguments);
    const bool helpAll = parser.isSet(QStringLiteral("help-all"));
    const bool help = parser.isSet(QStringLiteral("help"));
    if (!helpAll && !help && !parser.isSet(QStringLiteral("version")))
        return;
    QCoreApplication app(argc, argv);
    setApplicationIdentity();
    installTranslationsFor(app.arguments());
    QCommandLineParser translated;   // describeOptions again, now in the chosen language
    describeOptions(translated);
    if (helpAll)
        translated.process(app);     // prints the help with Qt's own options and exits
    translated.parse(app.arguments());
    if (help)
        translated.showHelp(0);
    translated.showVersion();
}

} // namespace

int runWorkbench(int argc, char **argv)
{
    handleInformationOptions(argc, argv);
    QApplication app(argc, argv);
    setApplicationIdentity();
    // Matches packaging/'s desktop file, so desktops link the window to its entry and icon.
    QGuiApplication::setDesktopFileName(QStringLiteral("org.alignmentworkbench.AlignmentWorkbench"));
    // The installed theme icon, else the copy compiled in (a build tree, a bare X server).
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("alignment-workbench"),
                                                 QIcon(QStringLiteral(":/icons/alignment-workbench.svg"))));
    installTranslationsFor(app.arguments());
    QGuiApplication::setApplicationDisplayName(QCoreApplication::translate("Workbench", "Alignment Workbench"));

    WorkbenchOptions options;
    QString error;
    if (!parseWorkbenchArguments(app.arguments(), &options, &error)) {
        std::fprintf(stderr, "alignment-workbench: %s\n", qPrintable(error));
        return 2;
    }

    QSettings settings;
    RuntimeOptions runtimeOptions;
    runtimeOptions.threads = options.threads >= 0 ? options.threads
                                                  : settings.value(QStringLiteral("compute/threads"), 0).toInt();
    runtimeOptions.device = settings.value(QStringLiteral("compute/device"), QStringLiteral("auto")).toString().toStdString();
    QString computeSummary;
    try {
        const Runtime rt = applyRuntime(runtimeOptions);
        computeSummary = QCoreApplication::translate("Workbench", "LibTorch %1 · %2 · %n thread(s)", nullptr, rt.threads)
                             .arg(QString::fromStdString(torchVersion()), QString::fromStdString(rt.device.str()));
    } catch (const std::exception &e) {
        // A bad saved device must not keep the window from opening: fall back to the CPU.
        runtimeOptions.device = "cpu";
        const Runtime rt = applyRuntime(runtimeOptions);
        computeSummary = QCoreApplication::translate("Workbench", "%1 (using cpu, %n thread(s))", nullptr, rt.threads)
                             .arg(QString::fromUtf8(e.what()));
    }

    MainWindow window;
    window.setComputeSummary(computeSummary);
    {
        QVector<MainWindow::LanguageChoice> choices{{QString(), QString()}};   // the system's
        for (const UiLanguage &l : uiLanguages())
            choices.push_back({l.code, l.name});
        window.setLanguageChoices(choices, QSettings().value(QLatin1String(kUiLanguageKey)).toString());
        QObject::connect(&window, &MainWindow::languageChosen, &window,
                         [](const QString &code) { QSettings().setValue(QLatin1String(kUiLanguageKey), code); });
    }
    if (options.width > 0)
        window.resize(options.width, options.height);
    WorkbenchController controller(&window);
    window.show();

    // What to open: --workspace / --demo, else the last workspace, else the demo.
    const QString last = settings.value(QStringLiteral("workspace/last")).toString();
    const bool lastWasDemo = settings.value(QStringLiteral("workspace/lastIsDemo"), false).toBool();
    bool opened = false;
    QString openError;
    if (options.demo)
        opened = controller.openDemo(options.workspacePath, &openError);
    else if (!options.workspacePath.isEmpty())
        opened = controller.openWorkspace(options.workspacePath, &openError);
    else if (!last.isEmpty() && QFileInfo::exists(last))
        opened = lastWasDemo ? controller.openDemo(last, &openError) : controller.openWorkspace(last, &openError);
    else
        opened = controller.openDemo(QString(), &openError);

    int status = 0;
    auto report = [&] {
        if (options.stallReport)
            std::fprintf(stderr,
                         "alignment-workbench: longest event-loop stall %.1f ms (at step %d); "
                         "%lld of %lld 10 ms ticks more than 50 ms late\n",
                         controller.probe().longestStallMs(), controller.probe().longestStallAtStep(),
                         static_cast<long long>(controller.probe().stallsOver50Ms()),
                         static_cast<long long>(controller.probe().ticks()));
    };
    auto shootAndQuit = [&] {
        // Let the coalesced redraws run first.
        QTimer::singleShot(600, &window, [&] {
            QString saveError;
            if (!options.screenshotPath.isEmpty() && !window.saveScreenshot(options.screenshotPath, &saveError)) {
                std::fprintf(stderr, "alignment-workbench: %s\n",
                             qPrintable(QCoreApplication::translate("Workbench", "cannot save screenshot: %1").arg(saveError)));
                status = 1;
            }
            window.close();
        });
    };
    if (options.trainSteps > 0) {
        if (!opened || !controller.startTraining(options.trainSteps)) {
            // The reason: why the workspace did not open, or what the run panel shows.
            const QString why = !opened ? openError : controller.runPanel()->errorText();
            std::fprintf(stderr, "alignment-workbench: %s%s\n",
                         qPrintable(QCoreApplication::translate("Workbench", "cannot start training")),
                         qPrintable(why.isEmpty() ? QString() : QStringLiteral(": ") + why));
            status = 1;
        }
        QObject::connect(&controller, &WorkbenchController::trainingFinished, &window,
                         [&](qint64, const QString &how) {
                             std::fprintf(stderr, "alignment-workbench: training %s\n", qPrintable(how));
                             if (!options.screenshotPath.isEmpty())
                                 shootAndQuit();
                         });
        if (status != 0 && !options.screenshotPath.isEmpty())
            shootAndQuit();
    } else if (!options.screenshotPath.isEmpty()) {
        shootAndQuit();
    }
    const int rc = app.exec();
    report();
    return status != 0 ? status : rc;
}


} // namespace awb
