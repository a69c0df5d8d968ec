#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QImageWriter>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPixmap>
#include <QSettings>
#include <QStatusBar>

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
                          "<p>In this build, models are loaded, tokenized and sampled from the "
                          "<tt>awb</tt> command line (<tt>awb --help</tt>); the training views "
                          "arrive in later releases.</p>"));
    setCentralWidget(m_welcome);

    m_computeLabel = new QLabel(this);
    m_computeLabel->setObjectName(QStringLiteral("computeLabel"));
    statusBar()->addPermanentWidget(m_computeLabel);
    statusBar()->showMessage(tr("No workspace open"));

    createMenus();
    restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("actionQuit"));
    quit->setShortcut(QKeySequence::Quit);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Alignment Workbench"), this, [this] {
        QMessageBox::about(this, tr("About Alignment Workbench"),
                           tr("<p><b>Alignment Workbench %1</b></p>"
                              "<p>GRPO with live aspect weights, a Pareto view of the trade-offs "
                              "and a relabel-retrain loop for the reward model.</p><p>%2</p>")
                               .arg(QApplication::applicationVersion(), m_computeLabel->text().toHtmlEscaped()));
    });
    about->setObjectName(QStringLiteral("actionAbout"));
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray()))
        resize(1280, 800);
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
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
