// AdamW against LibTorch's own torch::optim::AdamW and a hand-computed step;
// save -> safetensors -> load -> continue against an uninterrupted run;
// gradient clipping against torch::nn::utils::clip_grad_norm_ and by hand.
#include "io/safetensors.h"
#include "train/adamw.h"
#include "train/lr_schedule.h"
#include "util/error.h"

// LibTorch's frontend headers before Qt's: Qt defines `slots` as a macro, and
// torch/jit uses it as a name. adamw.h first: clip_grad.h assumes torch/types.h.
#include <torch/optim/adamw.h>
#include <torch/nn/utils/clip_grad.h>

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>

using namespace awb;

namespace {

// A tiny least-squares problem: mean((X W + b - Y)^2), fixed data.
struct Problem
{
    at::Tensor x;
    at::Tensor y;

    Problem()
    {
        at::manual_seed(42);
        x = at::randn({5, 3});
        y = at::randn({5, 4});
    }

    at::Tensor loss(const at::Tensor &w, const at::Tensor &b) const { return (at::matmul(x, w) + b - y).pow(2).mean(); }
};

struct Params
{
    at::Tensor w;
    at::Tensor b;

    static Params initial()
    {
        at::manual_seed(1);
        return {at::randn({3, 4}).requires_grad_(true), at::randn({4}).requires_grad_(true)};
    }
    Params copy() const { return {w.detach().clone().requires_grad_(true), b.detach().clone().requires_grad_(true)}; }
    NamedTensors named() const { return {{"layer.weight", w}, {"layer.bias", b}}; }
};

void backward(const Problem &problem, const Params &p)
{
    problem.loss(p.w, p.b).backward();
}

AdamWOptions testOptions()
{
    AdamWOptions o;
    o.lr = 0.05;
    o.beta1 = 0.85;
    o.beta2 = 0.99;
    o.eps = 1e-6;
    o.weightDecay = 0.1;
    return o;
}

double maxDiff(const at::Tensor &a, const at::Tensor &b)
{
    return (a.detach().to(at::kDouble) - b.detach().to(at::kDouble)).abs().max().item<double>();
}

} // namespace

class TestAdamW : public QObject
{
    Q_OBJECT

private slots:
    void handStep();
    void matchesLibTorch();
    void saveLoadContinuesBitIdentically();
    void loadRejectsBadState();
    void zeroGradDropsGradients();
    void clipGradNormByHand();
    void clipGradNormMatchesLibTorch();
};

void TestAdamW::handStep()
{
    // p = 1, g = 0.5, lr 0.1, weight decay 0.1, betas 0.9/0.999, eps 1e-8:
    //   decay: p = 1 * (1 - 0.1 * 0.1) = 0.99
    //   m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 0.00025
    //   m_hat = 0.05 / (1 - 0.9) = 0.5, sqrt(v_hat) = sqrt(0.00025 / 0.001) = 0.5
    //   p = 0.99 - 0.1 * 0.5 / (0.5 + 1e-8)
    at::Tensor p = at::ones({1}, at::kDouble).requires_grad_(true);
    p.mutable_grad() = at::full({1}, 0.5, at::kDouble);
    AdamWOptions o;
    o.lr = 0.1;
    o.weightDecay = 0.1;
    AdamW opt({{"p", p}}, o);
    opt.step();
    QVERIFY(std::abs(p.item<double>() - (0.99 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-15);
    QCOMPARE(opt.stepCount(), std::int64_t(1));
    const NamedTensors state = opt.stateDict();
    QCOMPARE(state.size(), 4u);
    QCOMPARE(state[0].first, std::string("p.exp_avg"));
    QVERIFY(std::abs(state[0].second.item<double>() - 0.05) < 1e-16);   // 1 - 0.9 is not exactly 0.1
    QCOMPARE(state[1].first, std::string("p.exp_avg_sq"));
    QVERIFY(std::abs(state[1].second.item<double>() - 0.00025) < 1e-18);
    QCOMPARE(state[2].first, std::string("p.step"));
    QCOMPARE(state[2].second.item<std::int64_t>(), std::int64_t(1));
    QCOMPARE(state[3].first, std::string("step"));
}

void TestAdamW::matchesLibTorch()
{
    const Problem problem;
    const Params start = Params::initial();
    const AdamWOptions o = testOptions();

    Params ours = start.copy();
    AdamW opt(ours.named(), o, {"layer.bias"});

    // LibTorch: the weight decays, the bias (its own group) does not.
    Params theirs = start.copy();
    std::vector<torch::optim::OptimizerParamGroup> groups;
    const auto groupOptions = [&](double decay) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(decay));
    };
    groups.emplace_back(std::vector<at::Tensor>{theirs.w}, groupOptions(o.weightDecay));
    groups.emplace_back(std::vector<at::Tensor>{theirs.b}, groupOptions(0.0));
    torch::optim::AdamW reference(std::move(groups), torch::optim::AdamWOptions(o.lr));

    for (int step = 0; step < 6; ++step) {
        opt.zeroGrad();
        reference.zero_grad();
        backward(problem, ours);
        backward(problem, theirs);
        if (step == 0) {
            // A parameter without a gradient is skipped, and its own step count starts later.
            ours.b.mutable_grad() = at::Tensor();
            theirs.b.mutable_grad() = at::Tensor();
        }
        opt.step();
        reference.step();
        QVERIFY2(maxDiff(ours.w, theirs.w) < 1e-6, qPrintable(QString("weight, step %1").arg(step)));
        QVERIFY2(maxDiff(ours.b, theirs.b) < 1e-6, qPrintable(QString("bias, step %1").arg(step)));
    }
    QVERIFY(maxDiff(ours.w, start.w) > 0.1);   // it really moved
    const NamedTensors state = opt.stateDict();
    QCOMPARE(state[2].second.item<std::int64_t>(), std::int64_t(6));   // layer.weight.step
    QCOMPARE(state[5].second.item<std::int64_t>(), std::int64_t(5));   // layer.bias.step
    QCOMPARE(opt.stepCount(), std::int64_t(6));
}

void TestAdamW::saveLoadContinuesBitIdentically()
{
    const Problem problem;
    const Params start = Params::initial();
    const AdamWOptions o = testOptions();
    LrSchedule schedule;
    schedule.type = LrSchedulerType::Cosine;
    schedule.warmupSteps = 2;
    schedule.totalSteps = 8;
    // One optimiser step as the trainer will do it: lr from the schedule at the
    // optimiser's own step count, clip, update.
    const auto trainStep = [&](AdamW &opt, const Params &p) {
        opt.setLr(o.lr * lrMultiplier(schedule, opt.stepCount()));
        opt.zeroGrad();
        backward(problem, p);
        clipGradNorm(opt.params(), 0.5);
        opt.step();
    };

    Params straight = start.copy();
    AdamW a(straight.named(), o, {"layer.bias"});
    for (int i = 0; i < 6; ++i)
        trainStep(a, straight);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string optFile = dir.filePath("optimizer.safetensors").toStdString();
    const std::string paramFile = dir.filePath("model.safetensors").toStdString();
    {
        Params first = start.copy();
        AdamW b(first.named(), o, {"layer.bias"});
        for (int i = 0; i < 3; ++i)
            trainStep(b, first);
        saveSafetensors(optFile, b.stateDict());
        saveSafetensors(paramFile, first.named());
    }

    // A fresh process would start from the files alone.
    const auto params = SafetensorsFile::open(paramFile);
    Params resumed{params->tensor("layer.weight").clone().requires_grad_(true),
                   params->tensor("layer.bias").clone().requires_grad_(true)};
    AdamW c(resumed.named(), o, {"layer.bias"});
    const auto stateFile = SafetensorsFile::open(optFile);
    NamedTensors state;
    for (const auto &name : stateFile->names())
        state.emplace_back(name, stateFile->tensor(name));
    c.loadStateDict(state);
    QCOMPARE(c.stepCount(), std::int64_t(3));
    for (int i = 0; i < 3; ++i)
        trainStep(c, resumed);

    QVERIFY(at::equal(resumed.w, straight.w));
    QVERIFY(at::equal(resumed.b, straight.b));
    const NamedTensors sa = a.stateDict();
    const NamedTensors sc = c.stateDict();
    QCOMPARE(sa.size(), sc.size());
    for (std::size_t i = 0; i < sa.size(); ++i) {
        QCOMPARE(sa[i].first, sc[i].first);
        QVERIFY2(at::equal(sa[i].second, sc[i].second), sa[i].first.c_str());
    }
}

void TestAdamW::loadRejectsBadState()
{
    const Params p = Params::initial();
    AdamW opt(p.named());
    const auto message = [&](const NamedTensors &state) -> std::string {
        try {
            opt.loadStateDict(state);
        } catch (const FormatError &e) {
            return e.what();
        }
        return {};
    };
    const at::Tensor step = at::scalar_tensor(2, at::kLong);
    const at::Tensor w = at::zeros({3, 4});
    std::string m = message({{"other.weight.exp_avg", w}, {"step", step}});
    QVERIFY2(m.find("'other.weight.exp_avg' belongs to no parameter") != std::string::npos, m.c_str());
    m = message({{"layer.weight.exp_avg", at::zeros({4, 3})}, {"step", step}});
    QVERIFY2(m.find("shape") != std::string::npos, m.c_str());
    m = message({{"layer.weight.exp_avg", w}, {"layer.weight.step", step}, {"step", step}});
    QVERIFY2(m.find("'layer.weight' needs exp_avg, exp_avg_sq and step together") != std::string::npos, m.c_str());
    m = message({{"layer.weight.exp_avg", w}, {"layer.weight.exp_avg_sq", w}, {"layer.weight.step", step}});
    QVERIFY2(m.find("'step' is missing") != std::string::npos, m.c_str());
    m = message({{"step", at::scalar_tensor(-1.0)}});
    QVERIFY2(m.find("not a step count") != std::string::npos, m.c_str());
    // A failed load leaves the optimiser as it was.
    QCOMPARE(opt.stepCount(), std::int64_t(0));
    QCOMPARE(opt.stateDict().size(), 1u);

    QVERIFY_THROWS_EXCEPTION(Error, AdamW({{"a", p.w}, {"a", p.b}}));
    QVERIFY_THROWS_EXCEPTION(Error, AdamW(p.named(), {}, {"layer.gamma"}));
}

void TestAdamW::zeroGradDropsGradients()
{
    const Problem problem;
    const Params p = Params::initial();
    AdamW opt(p.named());
    backward(problem, p);
    QVERIFY(p.w.grad().defined());
    opt.zeroGrad();
    QVERIFY(!p.w.grad().defined());
    QVERIFY(!p.b.grad().defined());
    // With no gradients a step changes nothing and creates no state.
    const at::Tensor before = p.w.detach().clone();
    opt.step();
    QVERIFY(at::equal(p.w, before));
    QCOMPARE(opt.stateDict().size(), 1u);
}

void TestAdamW::clipGradNormByHand()
{
    // Gradients (3, 4) and (12): norms 5 and 12, total sqrt(25 + 144) = 13.
    at::Tensor a = at::zeros({2}, at::kDouble).requires_grad_(true);
    at::Tensor b = at::zeros({1}, at::kDouble).requires_grad_(true);
    a.mutable_grad() = at::tensor(std::vector<double>{3, 4}, at::kDouble);
    b.mutable_grad() = at::tensor(std::vector<double>{12}, at::kDouble);
    at::Tensor noGrad = at::zeros({3}, at::kDouble).requires_grad_(true);

    // Above the limit nothing changes (the coefficient clamps to exactly 1).
    QCOMPARE(clipGradNorm(NamedTensors{{"a", a}, {"b", b}, {"c", noGrad}}, 100.0), 13.0);
    QCOMPARE(a.grad()[1].item<double>(), 4.0);

    // Clipped to 6.5: everything scaled by 6.5 / (13 + 1e-6).
    const double total = clipGradNorm(std::vector<at::Tensor>{a, b, noGrad}, 6.5);
    QCOMPARE(total, 13.0);
    const double k = 6.5 / (13.0 + 1e-6);
    QVERIFY(std::abs(a.grad()[0].item<double>() - 3.0 * k) < 1e-15);
    QVERIFY(std::abs(a.grad()[1].item<double>() - 4.0 * k) < 1e-15);
    QVERIFY(std::abs(b.grad()[0].item<double>() - 12.0 * k) < 1e-15);
    QVERIFY(!noGrad.grad().defined());
    QCOMPARE(clipGradNorm(std::vector<at::Tensor>{noGrad}, 1.0), 0.0);
}

void TestAdamW::clipGradNormMatchesLibTorch()
{
    const Problem problem;
    const Params ours = Params::initial();
    const Params theirs = ours.copy();
    backward(problem, ours);
    backward(problem, theirs);
    const double got = clipGradNorm(ours.named(), 0.3);
    const double expected = torch::nn::utils::clip_grad_norm_(std::vector<at::Tensor>{theirs.w, theirs.b}, 0.3);
    QVERIFY(expected > 0.3);   // the clip was active
    QVERIFY(std::abs(got - expected) < 1e-6 * expected);
    QVERIFY(maxDiff(ours.w.grad(), theirs.w.grad()) < 1e-7);
    QVERIFY(maxDiff(ours.b.grad(), theirs.b.grad()) < 1e-7);
}

QTEST_GUILESS_MAIN(TestAdamW)
#include "tst_adamw.moc"
