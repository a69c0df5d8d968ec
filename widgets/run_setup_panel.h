#pragma once
// Run set-up and control: the policy folder, reward-model version, prompt set,
// device and threads, the GRPO options as a form generated from the options
// struct (app/ passes view::OptionSpec, built by core's visitGrpoOptions, the
// same source as the CLI flags and the JSON config), Start/Pause/Resume/Stop
// and the progress of the running job. A view only. GUI thread only.
//
// Shortcuts: F5 start, F6 pause/resume, Shift+F5 stop (as in debuggers).

#include "view_types.h"

#include <QPair>
#include <QVariantMap>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace awb {

class RunSetupPanel : public QWidget
{
    Q_OBJECT

public:
    // Same order as TrainingController::State.
    enum class State { Idle, Starting, Running, Pausing, Paused, Stopping, Finished, Failed };

    explicit RunSetupPanel(QWidget *parent = nullptr);

    void setOptions(const QVector<view::OptionSpec> &options);   // also the defaults "Reset" returns to
    QVariantMap options() const;                                 // key -> typed value
    QStringList changedKeys() const;                             // differ from the defaults
    bool validate(QString *error) const;                         // names the first bad field
    void setOptionValue(const QString &key, const QVariant &value);

    void setPolicyPath(const QString &path);
    QString policyPath() const;
    void setRewardModelVersions(const QVector<QPair<qint64, QString>> &versions);   // 0 = default entry
    qint64 rewardModelVersion() const;
    void setPromptSets(const QVector<QPair<qint64, QString>> &sets);
    qint64 promptSetId() const;
    QString device() const;
    int threads() const;
    void setThreads(int threads);

    void setState(State state);
    State state() const { return m_state; }
    void setProgress(int step, int maxSteps, double secondsPerStep, double tokensPerSecond);
    QString progressText() const;
    static QString formatDuration(double seconds);   // "45 s", "2 min 15 s", "1 h 05 min"
    void setError(const QString &message);
    void clearError();

signals:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();

private:
    QWidget *editorFor(const view::OptionSpec &spec);
    QVariant valueOf(const view::OptionSpec &spec, QWidget *editor, bool *ok) const;
    void resetOptions();

    QLineEdit *m_policy = nullptr;
    QComboBox *m_rewardModel = nullptr;
    QComboBox *m_promptSet = nullptr;
    QComboBox *m_device = nullptr;
    QSpinBox *m_threads = nullptr;
    QFormLayout *m_form = nullptr;
    QWidget *m_formHost = nullptr;
    QVector<view::OptionSpec> m_specs;
    QVector<QWidget *> m_editors;
    QPushButton *m_start = nullptr, *m_pause = nullptr, *m_resume = nullptr, *m_stop = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    State m_state = State::Idle;
};

} // namespace awb
