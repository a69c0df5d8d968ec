#include "training_controller.h"

#include "core_views.h"
#include "store/store.h"
#include "train/grpo_session.h"
#include "train/training_controls.h"
#include "util/error.h"

#include <QPointer>
#include <QThread>

#include <cmath>

namespace awb {

namespace {

// Forwards the trainer's reports to the controller's thread as queued calls.
class QueuedSink : public TrainingSink
{
public:
    explicit QueuedSink(TrainingController *owner) : m_owner(owner) {}

    void onStep(const StepReport &r) override
    {
        QStringList names;
        for (const auto &a : r.aspects)
            names << qs(a);
        const view::StepPoint point = stepPointFromMetrics(m_runId, static_cast<int>(r.step), r.metrics, names);
        const int maxSteps = static_cast<int>(r.maxSteps);
        const QMap<QString, double> weights = toQMap(r.weights);
        const QString aggregation = qs(r.aggregation);
        const qint64 version = r.rewardModelVersion;
        const double seconds = r.metrics.value("time/step", 0.0);
        const double tps = r.metrics.value("tokens_per_s", 0.0);
        post([=](TrainingController *c) {
            emit c->stepFinished(point, maxSteps, weights, aggregation, version, seconds, tps);
        });
    }
    void onLog(const std::string &message) override
    {
        const QString m = qs(message);
        post([=](TrainingController *c) { emit c->logMessage(m); });
    }
    void onPhase(std::int64_t step, const std::string &phase) override
    {
        const QString p = qs(phase);
        const int s = static_cast<int>(step);
        post([=](TrainingController *c) { emit c->phaseChanged(s, p); });
    }

    template <class F>
    void post(F &&f)
    {
        QPointer<TrainingController> owner = m_owner;
        QMetaObject::invokeMethod(
            m_owner, [owner, f = std::forward<F>(f)] {
                if (owner)
                    f(owner.data());
            },
            Qt::QueuedConnection);
    }

    TrainingController *m_owner;
    qint64 m_runId = 0;
};

} // namespace

TrainingController::TrainingController(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<view::StepPoint>();
    qRegisterMetaType<QVector<view::AspectSpec>>();
}

TrainingController::~TrainingController()
{
    if (m_controls)
        m_controls->requestStop();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

bool TrainingController::isActive() const
{
    return m_thread && m_thread->isRunning();
}

bool TrainingController::start(const TrainingRequest &request)
{
    if (isActive())
        return false;
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_controls = std::make_shared<TrainingControls>();
    if (!request.weights.isEmpty())
        m_controls->setWeights(toStdMap(request.weights));
    if (!request.aggregation.isEmpty())
        m_controls->setAggregation(ss(request.aggregation));
    m_runId = 0;
    setState(State::Starting);
    m_thread = QThread::create([this, request] { run(request); });
    m_thread->setObjectName(QStringLiteral("grpo-training"));
    m_thread->start();
    return true;
}

// On the worker thread.
void TrainingController::run(TrainingRequest request)
{
    QueuedSink sink(this);
    auto controls = m_controls;
    QString status = QStringLiteral("failed");
    qint64 runId = 0;
    try {
        GrpoSessionOptions so;
        so.db = ss(request.db);
        so.demo = request.demo;
        so.demoDir = ss(request.demoDir);
        so.resume = request.resume;
        so.resumeRunId = request.resumeRunId;
        so.runtime.device = ss(request.device);
        so.runtime.threads = request.threads;
        if (!request.overridesJson.isEmpty())
            so.overrides = nlohmann::json::parse(request.overridesJson.toStdString());
        GrpoSession session(so, *controls, sink);
        runId = session.runId();
        sink.m_runId = runId;
        QVector<view::AspectSpec> aspects;
        {
            Store store = Store::open(so.db);
            if (const auto info = store.run(runId))
                aspects = runAspects(*info, store.metricNames(runId));
        }
        const auto &opts = session.options();
        const int startStep = static_cast<int>(session.startStep());
        const int maxSteps = static_cast<int>(opts.maxSteps);
        const ControlSnapshot snap = controls->snapshot();
        QMap<QString, double> weights;
        for (const auto &a : session.aspects()) {
            const auto it = snap.weights.find(a);
            const auto ot = opts.aspectWeights.find(a);
            weights[qs(a)] = it != snap.weights.end() ? it->second : ot != opts.aspectWeights.end() ? ot->second : 1.0;
        }
        const QString aggregation = qs(snap.aggregation.empty() ? opts.multiObjectiveAggregation : snap.aggregation);
        std::shared_ptr<const CausalLM> policyBase = opts.useLora ? session.trainer().sharedPolicy() : nullptr;
        const QString policyFolder = qs(opts.model);
        sink.post([=](TrainingController *c) {
            c->m_policyBase = policyBase;
            c->m_policyFolder = policyFolder;
            c->m_runId = runId;
            c->m_aspects = aspectNames(aspects);
            emit c->runStarted(runId, aspects, startStep, maxSteps, weights, aggregation);
            if (c->m_state == State::Starting)
                c->setState(State::Running);
        });
        session.run();
        const bool stopped = controls->stopRequested();
        status = stopped ? QStringLiteral("stopped") : QStringLiteral("finished");
    } catch (const std::exception &e) {
        const QString message = QString::fromUtf8(e.what());
        sink.post([=](TrainingController *c) { emit c->failed(message); });
    }
    sink.post([=](TrainingController *c) {
        c->m_policyBase.reset();
        c->setState(status == QLatin1String("failed") ? State::Failed : State::Finished);
        emit c->finished(runId, status);
    });
}

void TrainingController::pause()
{
    if (!m_controls || (m_state != State::Running && m_state != State::Starting))
        return;
    m_controls->requestPause();
    // The trainer blocks at its next phase boundary; the GUI shows Paused at once.
    setState(State::Paused);
}

void TrainingController::resume()
{
    if (!m_controls || m_state != State::Paused)
        return;
    m_controls->resume();
    setState(State::Running);
}

void TrainingController::stop()
{
    if (!m_controls || !isActive())
        return;
    m_controls->requestStop();
    setState(State::Stopping);
}

bool TrainingController::wait(int timeoutMs)
{
    if (!m_thread)
        return true;
    return timeoutMs < 0 ? m_thread->wait() : m_thread->wait(QDeadlineTimer(timeoutMs));
}

void TrainingController::setWeights(const QMap<QString, double> &weights, const QString &aggregation)
{
    if (!m_controls)
        m_controls = std::make_shared<TrainingControls>();
    m_controls->setWeights(toStdMap(weights));
    if (!aggregation.isEmpty())
        m_controls->setAggregation(ss(aggregation));
}

void TrainingController::setBounds(const QMap<QString, double> &bounds)
{
    if (!m_controls)
        m_controls = std::make_shared<TrainingControls>();
    m_controls->setBounds(toStdMap(bounds));
}

void TrainingController::publishRewardModel(std::shared_ptr<RewardModel> model, qint64 version)
{
    if (!m_controls)
        return;
    m_controls->publishRewardModel(std::move(model), version);
}

void TrainingController::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace awb
