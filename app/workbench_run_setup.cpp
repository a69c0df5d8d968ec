// The run form's options (the newest run's, the algorithm's knobs) and the
// weights panel's constraints (a run's bounds, edited live).

#include "workbench_controller.h"

#include "core_views.h"
#include "io/json_util.h"
#include "pareto_view.h"
#include "reward_curves_view.h"
#include "reward_model_panel.h"
#include "sample_inspector.h"
#include "main_window.h"
#include "options_form.h"
#include "run_panel.h"
#include "store/store.h"
#include "train/constraints.h"
#include "training_controller.h"
#include "weights_panel.h"
#include "workspace.h"

#include <QStatusBar>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace awb {

void WorkbenchController::restoreLastRunOptions()
{
    const auto runs = m_workspace->store().runs();
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        const auto &known = knownAlgorithms();
        if (std::find(known.begin(), known.end(), it->config.value("algorithm", std::string("grpo"))) == known.end() ||
            !it->config.contains("model"))
            continue;   // labelling rounds and the like
        nlohmann::json config = it->config;
        for (const char *key : {"demo", "aspect_schema", "run_uid"})
            config.erase(key);
        try {
            const GrpoOptions options = grpoOptionsFromJson(config, "run " + std::to_string(it->id));
            showRunOptions(options);
            m_run->setPolicyPath(qs(options.model));
        } catch (const std::exception &) {
            // A run written by another version of the options: the form keeps its defaults.
        }
        return;
    }
}

void WorkbenchController::showRunOptions(const GrpoOptions &options)
{
    m_formDefaults = options;
    m_run->setOptions(grpoOptionSpecs(options));
}

void WorkbenchController::followAlgorithm()
{
    const std::string algorithm = ss(m_run->optionsForm()->value(QStringLiteral("algorithm")).toString());
    const auto &known = knownAlgorithms();
    if (algorithm == m_formDefaults.algorithm || std::find(known.begin(), known.end(), algorithm) == known.end())
        return;
    const AlgorithmForm next = switchFormAlgorithm(m_run->options(), m_formDefaults, m_formDefaults, algorithm);
    GrpoOptions defaults = m_formDefaults;
    setAlgorithm(defaults, algorithm);
    m_formDefaults = defaults;
    m_run->setOptions(next.specs);
    for (auto it = next.carried.begin(); it != next.carried.end(); ++it)
        m_run->setOptionValue(it.key(), it.value());
}

// A workspace without runs shows the aspects its first run will have (the demo's reward
// model, else the workspace's newest version), so the weights can be set before Start.
void WorkbenchController::showAspectsBeforeFirstRun()
{
    std::string folder;
    if (m_demo)
        folder = ss(m_demoDir) + "/reward_model";
    else if (const auto versions = m_workspace->store().rewardModels(); !versions.empty())
        folder = versions.back().path;
    if (folder.empty())
        return;
    QVector<view::AspectSpec> aspects;
    try {
        aspects = aspectSpecs(readJsonFile(folder + "/aspects.json"));
    } catch (const std::exception &) {
        return;   // the run names the folder's problem when it starts
    }
    if (aspects.isEmpty())
        return;
    m_aspects = aspects;
    m_curves->setAspects(m_aspects);
    m_pareto->setAspects(m_aspects);
    m_inspector->setAspects(m_aspects);
    m_rmPanel->setAspects(m_aspects);
    QMap<QString, double> weights;
    for (const auto &a : m_aspects)
        weights[a.name] = 1.0;
    m_weights->setAspects(m_aspects, weights, QStringLiteral("sum_then_normalize"));
    m_weights->setConstraints({});
}

void WorkbenchController::connectConstraints()
{
    connect(m_weights, &WeightsPanel::boundsChanged, this, [this](const QMap<QString, double> &bounds) {
        if (following()) {
            steerFollowed([&](Store::RunControls &c) { c.bounds = toStdMap(bounds); }, tr("bounds"));
            return;
        }
        m_training->setBounds(bounds);
        if (m_training->isActive())
            m_window->statusBar()->showMessage(tr("The new bounds apply from the next step"), 5000);
    });
}

void WorkbenchController::showRunConstraints(qint64 runId, const QVector<view::StepPoint> &points)
{
    QVector<view::ConstraintSpec> specs;
    try {
        const auto run = m_workspace->store().run(runId);
        if (run && run->config.contains("constraints") && run->config["constraints"].is_object()) {
            const auto parsed =
                parseConstraints(run->config["constraints"].get<std::map<std::string, std::string>>(), "constraints");
            for (const Constraint &c : parsed) {
                view::ConstraintSpec spec{qs(c.aspect), c.atLeast, c.bound};
                // The bound in force at the run's last step, when it was edited live.
                for (int k = 0; !points.isEmpty() && k < m_aspects.size() && k < points.last().bounds.size(); ++k)
                    if (m_aspects[k].name == spec.aspect && !view::isMissing(points.last().bounds[k]))
                        spec.bound = points.last().bounds[k];
                specs.push_back(spec);
            }
        }
    } catch (const std::exception &) {
        // A run whose constraints no longer parse started with them refused: nothing to show.
    }
    m_weights->setConstraints(specs);
    if (!points.isEmpty())
        m_weights->setConstraintsInForce(points.last().step, points.last().bounds, points.last().lambdas);
}

} // namespace awb
