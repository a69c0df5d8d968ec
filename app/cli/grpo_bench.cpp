#include "cli/grpo_bench.h"

#include "cli/model_bench.h"
#include "demo/demo_builder.h"
#include "train/grpo_session.h"
#include "train/training_controls.h"
#include "util/error.h"

#include <filesystem>
#include <unistd.h>

namespace awb {

namespace {

namespace fs = std::filesystem;

class BenchSink : public TrainingSink
{
public:
    explicit BenchSink(const std::function<void(const std::string &)> &log) : m_log(log) {}
    void onStep(const StepReport &r) override
    {
        nlohmann::json s = {{"step", r.step}, {"step_s", r.metrics.value("time/step", 0.0)}};
        for (const auto &[phase, seconds] : r.phaseSeconds)
            s[phase] = seconds;
        m_log("grpo step " + std::to_string(r.step) + ": " + s.dump());
        steps.push_back(std::move(s));
    }
    void onLog(const std::string &message) override { m_log(message); }
    nlohmann::json steps = nlohmann::json::array();

private:
    const std::function<void(const std::string &)> &m_log;
};

// A folder under the temporary directory, removed when the measurement ends.
struct ScratchDir
{
    fs::path path;
    ScratchDir() : path(fs::temp_directory_path() / ("awb-bench-grpo-" + std::to_string(::getpid())))
    {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~ScratchDir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

} // namespace

nlohmann::json parseOptionAssignment(const std::string &text)
{
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        throw Error("--grpo-option: \"" + text + "\" is not KEY=VALUE");
    const std::string value = text.substr(eq + 1);
    nlohmann::json parsed = nlohmann::json::parse(value, nullptr, false);
    return {{text.substr(0, eq), parsed.is_discarded() ? nlohmann::json(value) : parsed}};
}

nlohmann::json runGrpoBench(const GrpoBenchOptions &o, const RuntimeOptions &runtime,
                            const std::function<void(const std::string &)> &log)
{
    if (o.model.empty())
        throw Error("bench --phases grpo: give the policy folder with --model");
    if (!fs::is_regular_file(fs::path(o.model) / "config.json"))
        throw Error(o.model + ": not a model folder (no config.json)");
    if (o.steps < 1 || o.promptsPerStep < 1 || o.numGenerations < 2 || o.miniBatchSize < 1)
        throw Error("bench --phases grpo: needs --grpo-steps >= 1, --prompts-per-step >= 1, --num-generations >= 2 "
                    "and --mini-batch-size >= 1");
    std::string rewardModel = o.rewardModel, prompts = o.prompts;
    if (rewardModel.empty() || prompts.empty()) {
        const std::string demo = findDemoDir();
        if (rewardModel.empty())
            rewardModel = (fs::path(demo) / "reward_model").string();
        if (prompts.empty())
            prompts = (fs::path(demo) / "prompts.jsonl").string();
    }
    const nlohmann::json config = {{"model", fs::absolute(o.model).string()},
                                   {"reward_model", fs::absolute(rewardModel).string()},
                                   {"prompts", fs::absolute(prompts).string()},
                                   {"use_lora", o.useLora},
                                   {"prompts_per_step", o.promptsPerStep},
                                   {"num_generations", o.numGenerations},
                                   {"max_prompt_length", o.promptTokens},
                                   {"max_completion_length", o.newTokens},
                                   {"mini_batch_size", o.miniBatchSize},
                                   {"max_steps", o.steps},
                                   {"save_steps", 0},
                                   {"beta", 0.04}};
    ScratchDir scratch;
    GrpoSessionOptions so;
    so.config = config;
    for (const auto &[key, value] : o.overrides.items())
        so.config[key] = value;
    so.runtime = runtime;
    so.db = (scratch.path / "bench.awb").string();
    TrainingControls controls;
    BenchSink sink(log);
    {
        GrpoSession session(so, controls, sink);
        session.run();
    }
    if (sink.steps.empty())
        throw Error("bench --phases grpo: the run ended before its first step");
    const nlohmann::json &last = sink.steps.back();
    nlohmann::json g = {{"steps", sink.steps}, {"config", so.config}, {"peak_rss_mb", peakRssMb()}};
    for (const char *phase : {"generation", "scoring", "reference", "update"})
        g[std::string(phase) + "_s"] = last.value(phase, 0.0);
    g["step_s"] = last.value("step_s", 0.0);
    return {{"grpo", g}};
}

} // namespace awb
