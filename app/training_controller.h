#pragma once
// Runs a GRPO job (GrpoSession, the same code as `awb train`) on a worker
// thread and turns its reports into queued Qt signals for the GUI thread.
// The controls (weights, aggregation, reward model, pause/stop) go straight to
// the thread-safe TrainingControls the trainer reads at every step boundary.
// Exceptions on the worker become failed(QString); the destructor stops the
// job and joins the thread, so no worker outlives its controller.
// Create and call on the GUI thread. No torch in this header.

#include "view_types.h"

#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>

class QThread;

namespace awb {

class CausalLM;

class RewardModel;
class TrainingControls;

struct TrainingRequest
{
    QString db;                      // workspace file
    bool demo = false;               // the shipped demo's policy, reward model, prompts and judge
    QString demoDir;                 // empty: findDemoDir()
    QByteArray overridesJson;        // GRPO options the user changed (JSON object, TRL names)
    QString device = QStringLiteral("auto");
    int threads = 0;                 // 0: all cores
    bool resume = false;
    qint64 resumeRunId = 0;
    QMap<QString, double> weights;   // initial aspect weights (empty: the options')
    QString aggregation;             // empty: the options'
};

class TrainingController : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Starting, Running, Pausing, Paused, Stopping, Finished, Failed };
    Q_ENUM(State)

    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;

    // False (and failed() is not emitted) when a job is already running.
    bool start(const TrainingRequest &request);
    void pause();
    void resume();
    void stop();
    // Blocks until the worker has finished (tests, shutdown).
    bool wait(int timeoutMs = -1);

    void setWeights(const QMap<QString, double> &weights, const QString &aggregation);
    void setBounds(const QMap<QString, double> &bounds);   // constraints' bounds, from the next step
    void publishRewardModel(std::shared_ptr<RewardModel> model, qint64 version);

    State state() const { return m_state; }
    bool isActive() const;
    qint64 runId() const { return m_runId; }
    QStringList aspects() const { return m_aspects; }
    // While a LoRA run is active: its policy (whose frozen base a retrained reward model may
    // borrow) and the policy's folder; null otherwise.
    std::shared_ptr<const CausalLM> policyBase() const { return isActive() ? m_policyBase : nullptr; }
    QString policyFolder() const { return m_policyFolder; }

signals:
    void stateChanged(awb::TrainingController::State state);
    // The session is loaded: the run's id, aspects (with ranges), where it continues, how far it goes.
    void runStarted(qint64 runId, const QVector<awb::view::AspectSpec> &aspects, int startStep, int maxSteps,
                    const QMap<QString, double> &weights, const QString &aggregation);
    // A step was written to the store (its samples can be read from there).
    void stepFinished(const awb::view::StepPoint &point, int maxSteps, const QMap<QString, double> &weights,
                      const QString &aggregation, qint64 rewardModelVersion, double stepSeconds, double tokensPerSecond);
    void phaseChanged(int step, const QString &phase);
    void logMessage(const QString &message);
    void failed(const QString &message);
    void finished(qint64 runId, const QString &status);   // "finished", "stopped" or "failed"

private:
    void setState(State state);
    void run(TrainingRequest request);

    std::shared_ptr<TrainingControls> m_controls;
    QThread *m_thread = nullptr;
    State m_state = State::Idle;
    qint64 m_runId = 0;
    QStringList m_aspects;
    std::shared_ptr<const CausalLM> m_policyBase;
    QString m_policyFolder;
};

} // namespace awb

Q_DECLARE_METATYPE(awb::view::StepPoint)
