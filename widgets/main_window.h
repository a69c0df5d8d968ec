#pragma once
// The workbench's main window: menus, status bar and the docks that later
// views plug into. A view only: it knows nothing of LibTorch or of the
// trainer; app/ feeds it text and signals. GUI thread only.

#include <QMainWindow>
#include <QVector>

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

    // Settings ▸ Language: one checkable entry per choice; an empty code means
    // "follow the system" and is shown as "System default". Choosing one emits
    // languageChosen(code) (app/ stores it) and says it applies at the next start.
    struct LanguageChoice
    {
        QString code;   // "", "en", "de", "zh_CN"
        QString name;   // shown as is (endonyms); ignored for the empty code
    };
    void setLanguageChoices(const QVector<LanguageChoice> &choices, const QString &current);

    // Renders the window (not the screen) to an image file; the format follows
    // the suffix. Returns false and sets *error when the file cannot be written.
    bool saveScreenshot(const QString &path, QString *error = nullptr);

signals:
    void newRewardModelRequested();       // a reward model from data files on a base folder
    void sampleForLabellingRequested();   // the annotators' cold start: completions without a reward model
    void newWorkspaceRequested();
    void openWorkspaceRequested();
    void openDemoRequested();
    void importPromptsRequested();
    void exportSamplesRequested();
    void exportMetricsRequested();
    void exportLabelsRequested();
    void importLabelsRequested();   // labels of another annotator's copy of the workspace
    void exportPolicyRequested();          // a run's trained policy (HF folder or PEFT adapters)
    void exportRewardModelRequested();     // a reward-model version
    void importRewardModelRequested();     // a reward-model folder, as the next version
    void languageChosen(const QString &code);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();

    QMenu *m_viewMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QLabel *m_welcome = nullptr;
    QLabel *m_computeLabel = nullptr;
};

} // namespace awb
