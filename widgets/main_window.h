#pragma once
// The workbench's main window: menus, status bar and the docks that later
// views plug into. A view only: it knows nothing of LibTorch or of the
// trainer; app/ feeds it text and signals. GUI thread only.

#include <QMainWindow>

class QLabel;

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

    // Renders the window (not the screen) to an image file; the format follows
    // the suffix. Returns false and sets *error when the file cannot be written.
    bool saveScreenshot(const QString &path, QString *error = nullptr);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void restoreLayout();

    QLabel *m_welcome = nullptr;
    QLabel *m_computeLabel = nullptr;
};

} // namespace awb
