// A frozen base kept in its stored bfloat16 (LoadOptions::keepStoredBf16)
// against the same folder converted to fp32 at load, which holds exactly the
// same values: outputs may differ only by summation order.
//  - logits on the kernel path (decoding with a cache) and the torch path (a
//    long prefill), and LoRA gradients through a training pass;
//  - what such a base refuses (training it, merging adapters into it) and
//    the merged state dict staying fp32;
//  - GRPO with LoRA on a bfloat16 folder: the steps' losses, KL and rewards and
//    the sampled completions equal those of the fp32 copy within tolerance.
#include <ATen/ATen.h>   // before Qt: its "slots" macro breaks ATen headers

#include "core/tiny_trainer_fixture.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "train/training_controls.h"

#include <QtTest>

using namespace awb;
using namespace awb::test;

namespace {

ModelConfig tinyLlama()
{
    ModelConfig c;
    c.vocabSize = 97;
    c.hiddenSize = 48;
    c.intermediateSize = 96;
    c.numLayers = 2;
    c.numHeads = 6;
    c.numKvHeads = 2;
    c.headDim = 8;
    c.maxPositionEmbeddings = 128;
    c.tieWordEmbeddings = false;
    return c;
}

std::unique_ptr<CausalLM> loadAs(const std::string &dir, bool keepBf16)
{
    CausalLM::LoadOptions lo;
    lo.keepStoredBf16 = keepBf16;
    return CausalLM::load(dir, lo);
}

double maxAbs(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

at::Tensor ids(std::int64_t B, std::int64_t T, std::uint64_t seed)
{
    at::Generator gen = at::detail::createCPUGenerator(seed);
    return at::randint(97, {B, T}, gen, at::kLong);
}

at::Tensor positions(std::int64_t B, std::int64_t T, std::int64_t start = 0)
{
    return at::arange(start, start + T, at::kLong).repeat({B, 1});
}

} // namespace

class TestFrozenBase : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_folder = (std::filesystem::path(m_dir.path().toStdString()) / "bf16").string();
        CausalLM::create(tinyLlama(), 3, {})->save(m_folder, 0, false, at::kBFloat16);
    }

    void keepsTheStoredDtype()
    {
        const auto kept = loadAs(m_folder, true), widened = loadAs(m_folder, false);
        QCOMPARE(kept->baseDtype(), at::kBFloat16);
        QCOMPARE(widened->baseDtype(), at::kFloat);
        QCOMPARE(kept->dtype(), at::kFloat);
        QCOMPARE(kept->parameterCount(), widened->parameterCount());
        // The same values: the fp32 copy is the widened bfloat16.
        const auto a = kept->stateDict(), b = widened->stateDict();
        for (std::size_t i = 0; i < a.size(); ++i)
            QCOMPARE(maxAbs(a[i].second, b[i].second), 0.0);
    }

    void logitsMatch_data()
    {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("prompt");
        QTest::addColumn<bool>("decode");   // a prefill, then one decoded token per sequence
        QTest::newRow("decode with a cache (kernels)") << 3 << 5 << true;
        QTest::newRow("prefill of 80 rows (torch)") << 2 << 40 << false;
        QTest::newRow("prefill of 12 rows (kernels)") << 2 << 6 << false;
    }

    void logitsMatch()
    {
        QFETCH(int, batch);
        QFETCH(int, prompt);
        QFETCH(bool, decode);
        at::NoGradGuard noGrad;
        at::Tensor out[2];
        for (int k = 0; k < 2; ++k) {
            auto m = loadAs(m_folder, k == 0);
            const at::Tensor x = ids(batch, prompt, 5);
            if (decode) {
                KvCache cache = m->makeCache(batch, prompt + 1);
                m->forward(x, positions(batch, prompt), &cache);
                out[k] = m->logits(m->forward(ids(batch, 1, 6), positions(batch, 1, prompt), &cache));
            } else {
                out[k] = m->logits(m->forward(x, positions(batch, prompt)));
            }
        }
        QVERIFY2(maxAbs(out[0], out[1]) < 1e-5, qPrintable(QString::number(maxAbs(out[0], out[1]))));
    }

    // LoRA training through a bfloat16 base: the adapters' gradients equal those
    // through the fp32 copy (storedLinear's backward widens the weights again).
    void loraGradientsMatch()
    {
        LoraOptions lora;
        lora.r = 4;
        lora.dropout = 0.0;
        std::vector<NamedTensors> grads;
        for (const bool keep : {true, false}) {
            auto m = loadAs(m_folder, keep);
            m->addLora(lora, 9);
            // B starts at zero; give the adapters values so that every gradient flows.
            for (auto &[name, p] : m->trainableParameters()) {
                at::NoGradGuard noGrad;
                at::Generator gen = at::detail::createCPUGenerator(std::hash<std::string>()(name));
                p.copy_(at::randn(p.sizes(), gen) * 0.1);
            }
            m->setTraining(true);
            const at::Tensor x = ids(2, 10, 7);
            const at::Tensor h = m->forward(x, positions(2, 10));
            const at::Tensor logp = m->tokenLogProbs(h.narrow(1, 0, 9), x.narrow(1, 1, 9), 1.0);
            logp.sum().backward();
            NamedTensors g;
            for (auto &[name, p] : m->trainableParameters())
                g.emplace_back(name, p.grad().clone());
            grads.push_back(std::move(g));
        }
        QCOMPARE(grads[0].size(), grads[1].size());
        QVERIFY(!grads[0].empty());
        for (std::size_t i = 0; i < grads[0].size(); ++i) {
            const double scale = grads[1][i].second.abs().max().item<double>();
            QVERIFY2(maxAbs(grads[0][i].second, grads[1][i].second) <= 1e-4 * (1.0 + scale),
                     qPrintable(QString::fromStdString(grads[0][i].first)));
        }
    }

    void refusesToTrainOrMerge()
    {
        auto m = loadAs(m_folder, true);
        const auto messageOf = [](const std::function<void()> &fn) {
            try {
                fn();
            } catch (const Error &e) {
                return std::string(e.what());
            }
            return std::string();
        };
        const std::string train = messageOf([&] { m->setBaseTrainable(true); });
        QVERIFY2(train.find("bfloat16 as stored") != std::string::npos, train.c_str());
        LoraOptions lora;
        lora.r = 2;
        m->addLora(lora, 1);
        const std::string merge = messageOf([&] { m->mergeLora(); });
        QVERIFY2(merge.find("round the adapters away") != std::string::npos, merge.c_str());
        // An export's merged state dict is computed in fp32, not rounded into the base.
        for (const auto &[name, t] : m->stateDict(/*mergedLora=*/true))
            if (name.find("q_proj.weight") != std::string::npos)
                QCOMPARE(t.scalar_type(), at::kFloat);
    }

    // Two GRPO steps with LoRA on a bfloat16 policy folder, held as stored and
    // widened: the same completions, losses, KL and rewards within tolerance.
    void grpoStepsMatch()
    {
        Fixture f;
        CausalLM::load(f.model)->save(f.model, 0, false, at::kBFloat16);
        std::vector<StepReport> runs[2];
        for (int k = 0; k < 2; ++k) {
            GrpoTrainerSetup setup = f.setup();
            setup.options.useLora = true;
            setup.options.maxSteps = 2;
            setup.runtime.keepStoredBf16 = k == 0;
            TrainingControls controls;
            RecordingSink sink;
            GrpoTrainer trainer(std::move(setup), controls, sink);
            QCOMPARE(trainer.sharedPolicy()->baseDtype(), k == 0 ? at::kBFloat16 : at::kFloat);
            QCOMPARE(trainer.run(), std::int64_t(2));
            runs[k] = sink.steps;
        }
        for (std::size_t s = 0; s < 2; ++s) {
            const auto &a = runs[0][s], &b = runs[1][s];
            for (const char *key : {"loss", "kl", "reward", "entropy"})
                QVERIFY2(std::abs(a.metrics[key].get<double>() - b.metrics[key].get<double>()) < 1e-4,
                         qPrintable(QString("step %1 %2: %3 vs %4").arg(s + 1).arg(key)
                                        .arg(a.metrics[key].get<double>()).arg(b.metrics[key].get<double>())));
            QCOMPARE(a.samples.size(), b.samples.size());
            for (std::size_t i = 0; i < a.samples.size(); ++i)
                QCOMPARE(a.samples[i].completion, b.samples[i].completion);
        }
    }

private:
    QTemporaryDir m_dir;
    std::string m_folder;
};

QTEST_APPLESS_MAIN(TestFrozenBase)
#include "tst_frozen_base.moc"
