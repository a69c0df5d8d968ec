// Shared-prompt training passes (completionLogps with sharePrompts; the option
// share_prompt_prefix) against the unshared path, which runs every packed row
// [prompt | completion] whole:
//  - one micro-batch of two groups with prompts and completions of different
//    lengths (left and right padding): the same log-probs and entropies, and
//    the same LoRA and full-model gradients of a loss on them, within fp32
//    tolerance; the prompts are grouped as the rows say;
//  - two GRPO steps with LoRA (dropout off, which would draw one mask for a
//    shared prompt instead of one per row): the same completions, losses, KL
//    and rewards.
#include <ATen/ATen.h>   // before Qt: its "slots" macro breaks ATen headers

#include "core/tiny_trainer_fixture.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "train/grpo_batch.h"
#include "train/training_controls.h"

#include <QtTest>

using namespace awb;
using namespace awb::test;

namespace {

double maxAbs(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

} // namespace

class TestPrefixSharing : public QObject
{
    Q_OBJECT

private slots:
    void passesMatch_data()
    {
        QTest::addColumn<bool>("lora");
        QTest::addColumn<bool>("grad");
        QTest::newRow("LoRA, with grad") << true << true;
        QTest::newRow("full model, with grad") << false << true;
        QTest::newRow("no grad (reference pass)") << true << false;
    }

    void passesMatch()
    {
        QFETCH(bool, lora);
        QFETCH(bool, grad);
        Fixture f;
        // Two prompts of different lengths, three completions each of different lengths.
        const std::vector<std::int32_t> p1 = {5, 9, 14, 3}, p2 = {7, 8, 2, 11, 30, 6, 12};
        GenerationBatch batch;
        batch.G = 3;
        const std::vector<std::vector<std::int32_t>> tokens = {{4, 5, 6}, {7}, {8, 9, 10, 11, 12},
                                                               {13, 14}, {15, 16, 17, 18}, {19}};
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            GeneratedCompletion c;
            c.prompt = i < 3 ? &p1 : &p2;
            c.tokens = tokens[i];
            batch.completions.push_back(c);
        }
        const PackedMicroBatch m = batch.pack(0, 6, 0, false, c10::Device(c10::kCPU));
        QCOMPARE(m.promptRows.size(0), std::int64_t(2));
        QCOMPARE(m.rowPrompt.size(0), std::int64_t(6));
        QVERIFY(at::equal(m.rowPrompt, at::tensor({0, 0, 0, 1, 1, 1}, at::kLong)));

        std::vector<at::Tensor> logps, entropies;
        std::vector<std::vector<at::Tensor>> grads;
        for (const bool share : {true, false}) {
            auto model = CausalLM::load(f.model);
            if (lora) {
                LoraOptions lo;
                lo.r = 4;
                lo.dropout = 0.0;
                model->addLora(lo, 3);
                for (auto &[name, p] : model->trainableParameters()) {
                    at::NoGradGuard noGrad;
                    at::Generator gen = at::detail::createCPUGenerator(std::hash<std::string>()(name));
                    p.copy_(at::randn(p.sizes(), gen) * 0.1);
                }
            } else {
                model->setBaseTrainable(true);
            }
            model->setTraining(grad);
            at::AutoGradMode mode(grad);
            at::Tensor entropy;
            const at::Tensor lp = completionLogps(*model, m, 0.9, &entropy, share);
            logps.push_back(lp.detach());
            entropies.push_back(entropy);
            if (grad) {
                at::Generator gen = at::detail::createCPUGenerator(17);
                const at::Tensor coef = at::randn(lp.sizes(), gen) * m.mask;
                (lp * coef).sum().backward();
                std::vector<at::Tensor> g;
                for (auto &[name, p] : model->trainableParameters())
                    g.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
                grads.push_back(std::move(g));
            }
        }
        const at::Tensor mask = m.mask.to(at::kBool);
        QVERIFY2(maxAbs(logps[0].masked_select(mask), logps[1].masked_select(mask)) < 1e-5,
                 qPrintable(QString::number(maxAbs(logps[0].masked_select(mask), logps[1].masked_select(mask)))));
        QVERIFY(maxAbs(entropies[0].masked_select(mask), entropies[1].masked_select(mask)) < 1e-5);
        if (grad) {
            QCOMPARE(grads[0].size(), grads[1].size());
            for (std::size_t i = 0; i < grads[0].size(); ++i) {
                const double scale = grads[1][i].abs().max().item<double>();
                QVERIFY2(maxAbs(grads[0][i], grads[1][i]) <= 1e-5 * (1.0 + scale), qPrintable(QString::number(i)));
            }
        }
    }

    void grpoStepsMatch()
    {
        Fixture f;
        std::vector<StepReport> runs[2];
        for (int k = 0; k < 2; ++k) {
            GrpoTrainerSetup setup = f.setup();
            setup.options.useLora = true;
            setup.options.loraDropout = 0.0;
            setup.options.maxSteps = 2;
            setup.options.sharePromptPrefix = k == 0;
            TrainingControls controls;
            RecordingSink sink;
            GrpoTrainer trainer(std::move(setup), controls, sink);
            QCOMPARE(trainer.run(), std::int64_t(2));
            runs[k] = sink.steps;
        }
        for (std::size_t s = 0; s < 2; ++s) {
            const auto &a = runs[0][s], &b = runs[1][s];
            for (const char *key : {"loss", "kl", "reward", "entropy", "grad_norm"})
                QVERIFY2(std::abs(a.metrics[key].get<double>() - b.metrics[key].get<double>()) < 1e-4,
                         qPrintable(QString("step %1 %2: %3 vs %4").arg(s + 1).arg(key)
                                        .arg(a.metrics[key].get<double>()).arg(b.metrics[key].get<double>())));
            for (std::size_t i = 0; i < a.samples.size(); ++i)
                QCOMPARE(a.samples[i].completion, b.samples[i].completion);
        }
    }
};

QTEST_APPLESS_MAIN(TestPrefixSharing)
#include "tst_prefix_sharing.moc"
