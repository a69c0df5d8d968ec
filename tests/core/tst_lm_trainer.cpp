// trainCausalLM: next-token training lowers the loss to what the data allows.
#include "model/causal_lm.h"
#include "train/lm_trainer.h"
#include "util/error.h"

#include <ATen/ATen.h>

#include <QtTest>

#include <cmath>

using namespace awb;

namespace {

ModelConfig tiny()
{
    ModelConfig c;
    c.vocabSize = 12;
    c.hiddenSize = 32;
    c.intermediateSize = 64;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.headDim = 8;
    c.maxPositionEmbeddings = 64;
    return c;
}

} // namespace

class TestLmTrainer : public QObject
{
    Q_OBJECT

private slots:
    void learnsADeterministicAndARandomChoice()
    {
        // Sequences "1 2 3 4 5 6 7 8" (7 deterministic transitions) and
        // "9 x" with x = 10 or 11 equally often (one coin flip). The best any
        // model can do is 0 nats on the deterministic targets and ln 2 on the
        // coin flips: a token mean of 16 ln2 / (16*7 + 16).
        std::vector<std::vector<std::int32_t>> seqs;
        for (int i = 0; i < 16; ++i) {
            seqs.push_back({1, 2, 3, 4, 5, 6, 7, 8});
            seqs.push_back({9, i % 2 ? 10 : 11});
        }
        // 16 * 7 deterministic targets + 16 coin-flip targets.
        const double floor = 16 * std::log(2.0) / (16 * 7 + 16);
        auto model = CausalLM::create(tiny(), 3, {});
        model->setBaseTrainable(true);
        const double before = evaluateCausalLM(*model, seqs);
        QVERIFY(std::abs(before - std::log(12.0)) < 0.2);   // a fresh model is close to uniform
        LmTrainOptions o;
        o.epochs = 60;
        o.batchSize = 8;
        o.learningRate = 1e-2;
        o.warmupRatio = 0.0;
        const LmTrainReport r = trainCausalLM(*model, seqs, o);
        QCOMPARE(r.steps, std::int64_t(60 * 4));
        QCOMPARE(r.tokens, std::int64_t(60 * (16 * 7 + 16)));
        const double after = evaluateCausalLM(*model, seqs);
        QVERIFY2(after < floor + 0.02, qPrintable(QString::number(after)));
        QVERIFY(after > floor - 1e-3);   // cannot beat the coin flip
        QVERIFY(r.epochLoss.front() > r.epochLoss.back());
    }

    void cancellationStops()
    {
        auto model = CausalLM::create(tiny(), 3, {});
        model->setBaseTrainable(true);
        std::vector<std::vector<std::int32_t>> seqs(64, {1, 2, 3});
        int calls = 0;
        LmTrainOptions o;
        o.batchSize = 4;
        const LmTrainReport r = trainCausalLM(*model, seqs, o, {}, [&] { return ++calls > 3; });
        QVERIFY(r.cancelled);
        QCOMPARE(r.steps, std::int64_t(3));
    }

    void tooShortSequenceIsRefused()
    {
        auto model = CausalLM::create(tiny(), 3, {});
        try {
            trainCausalLM(*model, {{1, 2}, {3}}, {});
            QFAIL("accepted");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("sequence 1") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestLmTrainer)
#include "tst_lm_trainer.moc"
