#include "main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QImageWriter>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPixmap>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>

namespace awb {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Alignment Workbench"));
    setObjectName(QStringLiteral("MainWindow"));

    m_welcome = new QLabel(this);
    m_welcome->setObjectName(QStringLiteral("welcomeLabel"));
    m_welcome->setAlignment(Qt::AlignCenter);
    m_welcome->setWordWrap(true);
    m_welcome->setMargin(24);
    m_welcome->setText(tr("<h2>Alignment Workbench</h2>"
                          "<p>Multi-objective GRPO against a multi-aspect reward model.</p>"
                          "<p>Open a workspace (Ctrl+O) or the demo (File menu) to start.</p>"));
    setCentralWidget(m_welcome);

    m_computeLabel = new QLabel(this);
    m_computeLabel->setObjectName(QStringLiteral("computeLabel"));
    statusBar()->addPermanentWidget(m_computeLabel);
    statusBar()->showMessage(tr("No workspace open"));

    createMenus();
    if (!restoreGeometry(QSettings().value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    auto add = [&](const QString &text, const char *name, QKeySequence key, void (MainWindow::*signal)()) {
        QAction *a = file->addAction(text, this, signal);
        a->setObjectName(QString::fromLatin1(name));
        if (!key.isEmpty())
            a->setShortcut(key);
        return a;
    };
    add(tr("&New workspace…"), "actionNewWorkspace", QKeySequence::New, &MainWindow::newWorkspaceRequested);
    add(tr("&Open workspace…"), "actionOpenWorkspace", QKeySequence::Open, &MainWindow::openWorkspaceRequested);
    add(tr("Open the &demo"), "actionOpenDemo", QKeySequence(), &MainWindow::openDemoRequested);
    file->addSeparator();
    add(tr("&Import prompts…"), "actionImportPrompts", QKeySequence(tr("Ctrl+I")), &MainWindow::importPromptsRequested);
    add(tr("Export &samples…"), "actionExportSamples", QKeySequence(tr("Ctrl+E")), &MainWindow::exportSamplesRequested);
    add(tr("Export run &metrics (CSV)…"), "actionExportMetrics", QKeySequence(), &MainWindow::exportMetricsRequested);
    file->addSeparator();
    add(tr("Export &labels…"), "actionExportLabels", QKeySequence(), &MainWindow::exportLabelsRequested);
    add(tr("Im&port (merge) labels…"), "actionImportLabels", QKeySequence(), &MainWindow::importLabelsRequested);
    file->addSeparator();
    add(tr("Export &trained policy…"), "actionExportPolicy", QKeySequence(), &MainWindow::exportPolicyRequested);
    add(tr("Export &reward model…"), "actionExportRewardModel", QKeySequence(), &MainWindow::exportRewardModelRequested);
    add(tr("Import re&ward model…"), "actionImportRewardModel", QKeySequence(), &MainWindow::importRewardModelRequested);
    add(tr("&New reward model from data…"), "actionNewRewardModel", QKeySequence(), &MainWindow::newRewardModelRequested);
    add(tr("Sample for la&belling…"), "actionSampleForLabelling", QKeySequence(), &MainWindow::sampleForLabellingRequested);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("actionQuit"));
    quit->setShortcut(QKeySequence::Quit);

    m_viewMenu = menuBar()->addMenu(tr("&View"));

    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->setObjectName(QStringLiteral("settingsMenu"));
    settings->setToolTipsVisible(true);
    m_languageMenu = settings->addMenu(tr("&Language"));
    m_languageMenu->setObjectName(QStringLiteral("languageMenu"));
    m_languageMenu->setToolTipsVisible(true);
    m_languageMenu->menuAction()->setToolTip(tr("Language of the user interface; a change applies at the next start"));
    m_languageMenu->setEnabled(false);   // until app/ provides the choices

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Alignment Workbench"), this, [this] {
        QMessageBox::about(this, tr("About Alignment Workbench"),
                           tr("<p><b>Alignment Workbench %1</b></p>"
                              "<p>GRPO with live aspect weights, a Pareto view of the trade-offs "
                              "and a relabel-retrain loop for the reward model.</p><p>%2</p>"
                              "<p>Free software under the GNU General Public License, version 3 or "
                              "(at your option) any later version; it comes with no warranty.</p>")
                               .arg(QApplication::applicationVersion(), m_computeLabel->text().toHtmlEscaped()));
    });
    about->setObjectName(QStringLiteral("actionAbout"));
}

void MainWindow::setLanguageChoices(const QVector<LanguageChoice> &choices, const QString &current)
{
    m_languageMenu->clear();
    auto *group = new QActionGroup(m_languageMenu);
    group->setExclusive(true);
    for (const LanguageChoice &c : choices) {
        const QString name = c.code.isEmpty() ? tr("System default") : c.name;
        QAction *a = m_languageMenu->addAction(name);
        a->setObjectName(QStringLiteral("actionLanguage_") + (c.code.isEmpty() ? QStringLiteral("system") : c.code));
        a->setCheckable(true);
        a->setChecked(c.code == current);
        a->setToolTip(tr("Applies at the next start"));
        group->addAction(a);
        const QString code = c.code;
        connect(a, &QAction::triggered, this, [this, code, name] {
            emit languageChosen(code);
            statusBar()->showMessage(tr("Language: %1. Restart Alignment Workbench to apply it.").arg(name), 10000);
        });
        if (c.code.isEmpty())
            m_languageMenu->addSeparator();
    }
    m_languageMenu->setEnabled(!choices.isEmpty());
}

void MainWindow::restoreLayout()
{
    restoreState(QSettings().value(QStringLiteral("mainWindow/state")).toByteArray());
}

void MainWindow::setCentralView(QWidget *view)
{
    setCentralWidget(view);   // deletes the welcome text
    m_welcome = nullptr;
}

QDockWidget *MainWindow::addDockView(QWidget *view, const QString &title, const QString &objectName,
                                     Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    // In a scroll area, so a short window shrinks the dock instead of growing past the
    // screen; the view keeps its own minimum size and scrolls.
    auto *scroll = new QScrollArea(dock);
    scroll->setObjectName(objectName + QStringLiteral("Scroll"));
    scroll->setWidget(view);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(view->minimumSizeHint().width() + style()->pixelMetric(QStyle::PM_ScrollBarExtent));
    dock->setWidget(scroll);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    event->accept();
}

void MainWindow::setComputeSummary(const QString &text) { m_computeLabel->setText(text); }

QString MainWindow::computeSummary() const { return m_computeLabel->text(); }

bool MainWindow::saveScreenshot(const QString &path, QString *error)
{
    const QPixmap pixmap = grab();
    QImageWriter writer(path);
    if (!writer.write(pixmap.toImage())) {
        if (error)
            *error = tr("%1: %2").arg(path, writer.errorString());
        return false;
    }
    return true;
}

} // namespace awb
