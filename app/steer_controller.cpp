#include "steer_controller.h"

#include "core_views.h"
#include "store/store.h"
#include "train/conditioning.h"
#include "train/steering.h"

#include <QThread>

#include <algorithm>

namespace awb {

// The checkpoint loaded last, kept for the next request on it.
struct SteerController::Cache
{
    std::string checkpoint;
    bool gold = false;
    std::unique_ptr<SteeredPolicy> policy;

    SteeredPolicy &open(const std::string &path, bool withGold)
    {
        if (!policy || checkpoint != path || gold != withGold) {
            policy.reset();
            RuntimeOptions ro;
            policy = std::make_unique<SteeredPolicy>(path, std::string(), withGold, applyRuntime(ro));
            checkpoint = path;
            gold = withGold;
        }
        return *policy;
    }
};

namespace {

// What a job hands back to the GUI thread.
struct Outcome
{
    QString error;
    QVector<view::SteerSampleRow> sides[2];
    QString notes[2];
    bool sweep = false;
    view::SweptFront front;
};

std::vector<double> svec(const QVector<double> &v) { return std::vector<double>(v.begin(), v.end()); }

QVector<double> inOrder(const std::vector<std::string> &aspects, const std::map<std::string, double> &values)
{
    QVector<double> out;
    if (values.empty())
        return out;
    for (const auto &a : aspects) {
        const auto it = values.find(a);
        out.push_back(it == values.end() ? view::missing() : it->second);
    }
    return out;
}

QString vectorLabel(const std::vector<std::string> &aspects, const std::vector<double> &w)
{
    QStringList parts;
    for (std::size_t k = 0; k < aspects.size() && k < w.size(); ++k)
        if (w[k] > 0)
            parts << QStringLiteral("%1 %2").arg(qs(aspects[k])).arg(w[k], 0, 'f', 2);
    return parts.join(QStringLiteral(", "));
}

} // namespace

SteerController::SteerController(QObject *parent) : QObject(parent), m_cache(std::make_shared<Cache>()) {}

SteerController::~SteerController()
{
    m_cancel = true;
    if (m_job)
        m_job->wait();
}

void SteerController::reset()
{
    m_cancel = true;
    if (m_job)
        m_job->wait();
    m_cache = std::make_shared<Cache>();
}

bool SteerController::start(const std::function<void()> &work, const std::function<void()> &done)
{
    if (m_job)
        return false;
    m_cancel = false;
    m_job = QThread::create(work);
    m_job->setObjectName(QStringLiteral("steer"));
    connect(m_job, &QThread::finished, this, [this, done] {
        m_job->deleteLater();
        m_job = nullptr;
        done();
        emit finished();
    });
    m_job->start();
    return true;
}

bool SteerController::generate(const QString &checkpoint, const QString &prompt, const QVector<double> &weightsA,
                               const QVector<double> &weightsB, int samples, bool gold)
{
    auto outcome = std::make_shared<Outcome>();
    auto cache = m_cache;
    const bool compare = !weightsB.isEmpty();
    const bool ok = start([this, cache, outcome, checkpoint, prompt, weightsA, weightsB, samples, gold, compare] {
        try {
            SteeredPolicy &policy = cache->open(ss(checkpoint), gold);
            SteerOptions so;
            so.numSamples = samples;
            for (int side = 0; side < (compare ? 2 : 1); ++side) {
                emit progress(tr("Generating %1…").arg(side == 0 ? QStringLiteral("A") : QStringLiteral("B")));
                const auto rows = policy.generate({ss(prompt)}, svec(side == 0 ? weightsA : weightsB), so,
                                                  [this] { return m_cancel.load(); });
                for (const SteerSample &s : rows) {
                    view::SteerSampleRow r;
                    r.text = qs(s.text);
                    r.finish = qs(s.finish);
                    r.weights = inOrder(policy.aspects(), s.weights);
                    r.scores = inOrder(policy.aspects(), s.scores);
                    r.gold = inOrder(policy.aspects(), s.gold);
                    outcome->sides[side].push_back(r);
                }
            }
            if (!policy.steerable())
                outcome->notes[0] = tr("This run was not steerable: it answered at the weights it trained with.");
        } catch (const std::exception &e) {
            outcome->error = QString::fromUtf8(e.what());
        }
    }, [this, outcome, compare] {
        if (!outcome->error.isEmpty()) {
            emit failed(outcome->error);
            return;
        }
        emit generated(0, outcome->sides[0], outcome->notes[0]);
        if (compare)
            emit generated(1, outcome->sides[1], outcome->notes[1]);
    });
    return ok;
}

bool SteerController::sweep(const SweepRequest &req)
{
    auto outcome = std::make_shared<Outcome>();
    auto cache = m_cache;
    const bool ok = start([this, cache, outcome, req] {
        try {
            const Store store = Store::open(ss(req.db));
            const auto prompts = runHeldOutPrompts(store, req.runId, req.adversarialOnly);
            SteeredPolicy &policy = cache->open(ss(req.checkpoint), req.gold);
            const auto &aspects = policy.aspects();
            const std::vector<std::size_t> plane = {static_cast<std::size_t>(req.xAspect),
                                                    static_cast<std::size_t>(req.yAspect)};
            SteerOptions so;
            so.numSamples = req.samples;
            const auto vectors = sweepVectors(aspects.size(), req.points, plane, 1);
            const auto cancelled = [this] { return m_cancel.load(); };
            const FrontResult r = sweepFront(policy, prompts, vectors, plane[0], plane[1], so,
                                             [this](std::int64_t done, std::int64_t total) {
                                                 emit progress(tr("Sweeping the front: %1 of %2 weight vectors")
                                                                   .arg(done)
                                                                   .arg(total));
                                             },
                                             cancelled);
            view::SweptFront &f = outcome->front;
            f.xAspect = req.xAspect;
            f.yAspect = req.yAspect;
            f.byGold = r.byGold;
            f.runLabel = req.runLabel;
            for (const auto &p : r.points) {
                const auto xy = planePoint(r, p);
                f.points << QPointF(xy.first, xy.second);
                f.pointLabels << vectorLabel(aspects, p.weights);
            }
            f.front = QVector<int>(r.front.begin(), r.front.end());
            f.hypervolume = r.hypervolume;
            // Each fixed-weight run is one point: its checkpoint at its own weights.
            FrontResult fixed = r;
            fixed.points.clear();
            for (int i = 0; i < req.fixedRuns.size() && !m_cancel; ++i) {
                emit progress(tr("Measuring %1…").arg(req.fixedLabels.value(i)));
                RuntimeOptions ro;
                SteeredPolicy other(ss(req.fixedCheckpoints[i]), std::string(), req.gold, applyRuntime(ro));
                if (other.aspects() != aspects)
                    continue;
                const FrontResult one = sweepFront(other, prompts, {{}}, plane[0], plane[1], so, {}, cancelled);
                if (one.points.empty())
                    break;
                const auto xy = planePoint(one, one.points.front());
                f.fixedPoints << QPointF(xy.first, xy.second);
                f.fixedLabels << req.fixedLabels.value(i);
                fixed.points.push_back(one.points.front());
            }
            if (!fixed.points.empty()) {
                measureFront(fixed);
                f.fixedHypervolume = fixed.hypervolume;
            }
            outcome->sweep = !m_cancel;
            if (m_cancel)
                outcome->error = tr("The sweep was cancelled.");
        } catch (const std::exception &e) {
            outcome->error = QString::fromUtf8(e.what());
        }
    }, [this, outcome] {
        if (!outcome->error.isEmpty())
            emit failed(outcome->error);
        else
            emit swept(outcome->front);
    });
    return ok;
}

} // namespace awb
