#pragma once
// Run set-up and control, meant for a dock: the policy model folder, the
// reward-model version, the prompt set, device and threads, the GRPO options
// (an OptionsForm), Start/Pause/Resume/Stop and the progress of the running
// job. A view only: it emits requests, and app/ reports the job's state and
// progress back through setState()/setProgress()/setError(). GUI thread only.
//
// Buttons by state (setState):
//   Idle, Finished, Failed -> Start        Running  -> Pause, Stop
//   Starting, Pausing      -> Stop         Paused   -> Resume, Stop
//   Stopping               -> nothing (the job is winding down)
// The set-up (inputs and options) is editable only when Start is.
// Start first validates the options; a bad field is shown with setError()
// and nothing is emitted. Entering Starting clears the error and the progress.
//
// Shortcuts (window-wide, so they work from any dock): F5 start, F6 pause or
// resume, Shift+F5 stop; a disabled button's shortcut does nothing.
//
// The keys "model", "reward_model" and "prompts" of the option specs are not
// shown in the form (the inputs at the top stand for them); a non-empty
// "model" value fills an empty policy field. options() therefore holds the
// other knobs only; app/ adds policyPath() etc.

#include "view_types.h"

#include <QPair>
#include <QVariantMap>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace awb {

class OptionsForm;

class RunPanel : public QWidget
{
    Q_OBJECT

public:
    // Same order as app/'s TrainingController::State, so app/ may cast.
    enum class State { Idle, Starting, Running, Pausing, Paused, Stopping, Finished, Failed };

    explicit RunPanel(QWidget *parent = nullptr);

    // Options form: the specs' values become the defaults.
    void setOptions(const QVector<view::OptionSpec> &options);
    QVariantMap options() const;                       // key -> typed value, valid fields only
    bool setOptionValue(const QString &key, const QVariant &value);
    QStringList changedKeys() const;
    bool validate(QString *error) const;               // names every bad key
    OptionsForm *optionsForm() const { return m_form; }

    // Inputs.
    void setPolicyPath(const QString &path);
    QString policyPath() const;                        // trimmed
    // (id, text) pairs, e.g. (3, "v3 · 120 labels"); the selection is kept by id when still listed.
    void setRewardModelVersions(const QVector<QPair<qint64, QString>> &versions);
    void setRewardModelVersion(qint64 id);
    qint64 rewardModelVersion() const;                 // 0 when the list is empty
    void setPromptSets(const QVector<QPair<qint64, QString>> &sets);
    void setPromptSetId(qint64 id);
    qint64 promptSetId() const;                        // 0 when the list is empty
    void setDevice(const QString &device);             // "auto", "cpu" or "cuda"
    QString device() const;
    void setThreads(int threads);
    int threads() const;                               // 0 = all cores

    // Run control and progress.
    void setState(State state);
    State state() const { return m_state; }
    // secondsPerStep or tokensPerSecond that are not positive and finite are left out of the text.
    void setProgress(int step, int maxSteps, double secondsPerStep, double tokensPerSecond);
    // "step 12 / 60 · ETA 1 min 48 s · 1,830 tok/s" (numbers in the default QLocale); empty before any progress.
    QString progressText() const;
    // "45 s", "2 min 15 s", "1 h 05 min" (rounded to the second, over an hour to the minute).
    static QString formatDuration(double seconds);
    void setError(const QString &message);
    void clearError();
    QString errorText() const;

signals:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();

private:
    void requestStart();
    void refreshStatus();
    QString stepText() const;   // "step 12 / 60"; empty before any progress

    QLineEdit *m_policy = nullptr;
    QComboBox *m_rewardModel = nullptr;
    QComboBox *m_promptSet = nullptr;
    QComboBox *m_device = nullptr;
    QSpinBox *m_threads = nullptr;
    QWidget *m_policyBrowse = nullptr;
    OptionsForm *m_form = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_stop = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    State m_state = State::Idle;
    int m_step = -1;   // -1: no progress yet
    int m_maxSteps = 0;
    double m_secondsPerStep = 0.0;
    double m_tokensPerSecond = 0.0;
};

} // namespace awb
