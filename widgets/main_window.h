#pragma once
// The workbench's main window: menus, status bar and the docks that later
// views plug into. A view only: it knows nothing of LibTorch or of the
// trainer; app/ feeds it text and signals. GUI thread only.

#include <QMainWindow>

class QDockWidget;
class QLabel;
class QMenu;

namespace awb {

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shown at the right of the status bar, e.g. "LibTorch 1.13.0 · cpu · 2 threads".
    void setComputeSummary(const QString &text);
    QString computeSummary() const;

    // Assembly by app/: the central view replaces the welcome text; docks are
    // movable and their layout is saved. Call restoreLayout() once all docks exist.
    void setCentralView(QWidget *view);
    QDockWidget *addDockView(QWidget *view, const QString &title, const QString &objectName, Qt::DockWidgetArea area);
    void restoreLayout();
    QMenu *viewMenu() const { return m_viewMenu; }

    // Renders the window (not the screen) to an image file; the format follows
    // the suffix. Returns false and sets *error when the file cannot be written.
    bool saveScreenshot(const QString &path, QString *error = nullptr);

signals:
    void newWorkspaceRequested();
    void openWorkspaceRequested();
    void openDemoRequested();
    void importPromptsRequested();
    void exportSamplesRequested();
    void exportMetricsRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();

    QMenu *m_viewMenu = nullptr;
    QLabel *m_welcome = nullptr;
    QLabel *m_computeLabel = nullptr;
};

} // namespace awb
