// GrpoOptions: TRL's defaults and names, JSON round trip, and clear errors.
#include "train/grpo_options.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include "error_of.h"

using namespace awb;
using awb::test::errorOf;

class TestGrpoOptions : public QObject
{
    Q_OBJECT

private slots:
    void defaultsFollowTrlAndTheDesign()
    {
        // DESIGN.md's defaults; TRL's where the design is silent.
        const GrpoOptions o;
        QCOMPARE(o.numGenerations, std::int64_t(8));
        QCOMPARE(o.epsilon, 0.2);
        QCOMPARE(o.effectiveEpsilonHigh(), 0.2);
        QCOMPARE(o.beta, 0.04);
        QCOMPARE(o.lossType, std::string("dapo"));
        QCOMPARE(o.scaleRewards, std::string("group"));
        QCOMPARE(o.multiObjectiveAggregation, std::string("sum_then_normalize"));
        QCOMPARE(o.temperature, 1.0);
        QCOMPARE(o.learningRate, 1e-6);
        QCOMPARE(o.maxCompletionLength, std::int64_t(256));
        validateGrpoOptions(o);
    }

    void jsonRoundTrip()
    {
        GrpoOptions o;
        o.lossType = "bnpo";
        o.epsilonHigh = 0.28;
        o.useLora = true;
        o.seed = 123;
        o.aspectWeights = {{"safety", 2.0}, {"politeness", 0.5}};
        const nlohmann::json j = grpoOptionsToJson(o);
        QCOMPARE(j["loss_type"].get<std::string>(), std::string("bnpo"));
        QCOMPARE(j["epsilon_high"].get<double>(), 0.28);
        QCOMPARE(j["aspect_weights"]["safety"].get<double>(), 2.0);
        const GrpoOptions back = grpoOptionsFromJson(j, "test");
        QCOMPARE(grpoOptionsToJson(back), j);
        QCOMPARE(back.effectiveEpsilonHigh(), 0.28);
    }

    void layersOverrideOnlyWhatTheyName()
    {
        GrpoOptions base;
        base.maxSteps = 60;
        base.numGenerations = 4;
        const GrpoOptions o = grpoOptionsFromJson(nlohmann::json{{"max_steps", 10}}, "flags", base);
        QCOMPARE(o.maxSteps, std::int64_t(10));
        QCOMPARE(o.numGenerations, std::int64_t(4));
    }

    void badInputNamesTheField_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown key") << R"({"num_generation": 4})" << "unknown field \"num_generation\"";
        QTest::newRow("wrong type") << R"({"beta": "high"})" << "field \"beta\" has the wrong type";
        QTest::newRow("float for int") << R"({"max_steps": 2.5})" << "field \"max_steps\" has the wrong type";
        QTest::newRow("weights not numbers") << R"({"aspect_weights": {"safety": "x"}})" << "aspect_weights.\"safety\"";
        QTest::newRow("not an object") << R"([1, 2])" << "must be a JSON object";
        QTest::newRow("unknown algorithm") << R"({"algorithm": "ppo2"})" << "\"ppo2\" is not one of grpo, rloo, ppo, dpo";
        QTest::newRow("beta for ppo") << R"({"algorithm": "ppo", "beta": 0.1})"
                                      << "\"beta\" is an option of grpo, rloo, dpo, not of the algorithm \"ppo\"";
        QTest::newRow("ppo knob for grpo") << R"({"vf_coef": 0.5})" << "\"vf_coef\" is an option of ppo";
        QTest::newRow("grpo knob for rloo") << R"({"algorithm": "rloo", "loss_type": "dapo"})"
                                            << "\"loss_type\" is an option of grpo, dpo, not of the algorithm \"rloo\"";
        QTest::newRow("rloo knob for grpo") << R"({"normalize_advantages": true})"
                                            << "\"normalize_advantages\" is an option of rloo, not of the algorithm \"grpo\"";
        QTest::newRow("dynamic sampling for rloo") << R"({"algorithm": "rloo", "dynamic_sampling": true})"
                                                   << "\"dynamic_sampling\" is an option of grpo";
        QTest::newRow("dpo knob for grpo") << R"({"label_smoothing": 0.1})"
                                           << "\"label_smoothing\" is an option of dpo, not of the algorithm \"grpo\"";
        QTest::newRow("epsilon for dpo") << R"({"algorithm": "dpo", "epsilon": 0.1})" << "\"epsilon\" is an option of grpo, rloo";
    }
    void badInputNamesTheField()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        try {
            grpoOptionsFromJson(nlohmann::json::parse(json.toStdString()), "cfg.json");
            QFAIL("accepted");
        } catch (const FormatError &e) {
            const std::string what = e.what();
            QVERIFY2(what.find("cfg.json") != std::string::npos, e.what());
            QVERIFY2(what.find(expected.toStdString()) != std::string::npos, e.what());
        }
    }

    void validationNamesTheKnob_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("loss_type") << "loss_type" << "\"ppo\"";
        QTest::newRow("scale_rewards") << "scale_rewards" << "\"sometimes\"";
        QTest::newRow("aggregation") << "multi_objective_aggregation" << "\"max\"";
        QTest::newRow("one generation") << "num_generations" << "1";
        QTest::newRow("top_p") << "top_p" << "1.5";
        QTest::newRow("temperature") << "temperature" << "0";
    }
    void validationNamesTheKnob()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        const auto j = nlohmann::json::parse("{\"" + key.toStdString() + "\": " + value.toStdString() + "}");
        const GrpoOptions o = grpoOptionsFromJson(j, "cfg");
        try {
            validateGrpoOptions(o);
            QFAIL("accepted");
        } catch (const Error &e) {
            QVERIFY2(std::string(e.what()).rfind(key.toStdString(), 0) == 0, e.what());
        }
    }

    // RLOO starts from TRL's RLOOConfig defaults where they differ (beta 0.05);
    // a knob set by hand survives the switch; the JSON of an rloo run names
    // only rloo's knobs, and reads back to the same options.
    void algorithmsHaveTheirOwnDefaultsAndKnobs()
    {
        QCOMPARE(GrpoOptions{}.algorithm, std::string("grpo"));
        QCOMPARE(defaultGrpoOptions("rloo").beta, 0.05);
        QCOMPARE(grpoOptionsFromJson(nlohmann::json{{"algorithm", "rloo"}}, "cfg").beta, 0.05);
        QCOMPARE(grpoOptionsFromJson(nlohmann::json{{"algorithm", "rloo"}, {"beta", 0.2}}, "cfg").beta, 0.2);
        GrpoOptions handSet;
        handSet.beta = 0.3;
        setAlgorithm(handSet, "rloo");
        QCOMPARE(handSet.beta, 0.3);
        GrpoOptions rloo = defaultGrpoOptions("rloo");
        rloo.normalizeAdvantages = true;
        const nlohmann::json j = grpoOptionsToJson(rloo);
        QCOMPARE(j["algorithm"].get<std::string>(), std::string("rloo"));
        for (const char *grpoOnly : {"loss_type", "scale_rewards", "multi_objective_aggregation", "dynamic_sampling"})
            QVERIFY2(!j.contains(grpoOnly), grpoOnly);
        QVERIFY(!grpoOptionsToJson(GrpoOptions{}).contains("normalize_advantages"));
        const GrpoOptions back = grpoOptionsFromJson(j, "cfg");
        QCOMPARE(back.algorithm, std::string("rloo"));
        QVERIFY(back.normalizeAdvantages);
        QCOMPARE(back.beta, 0.05);
        QVERIFY(optionApplies("learning_rate", "rloo") && optionApplies("loss_type", "grpo"));
        QVERIFY(!optionApplies("loss_type", "rloo"));
        QCOMPARE(optionChoices("algorithm"), knownAlgorithms());
        // PPO: TRL's PPOConfig defaults; one completion per prompt is allowed (the value model is the baseline).
        const GrpoOptions ppo = grpoOptionsFromJson(nlohmann::json{{"algorithm", "ppo"}, {"num_generations", 1}}, "cfg");
        QCOMPARE(ppo.numPpoEpochs, std::int64_t(4));
        QCOMPARE(ppo.numMiniBatches, std::int64_t(1));
        QCOMPARE(ppo.cliprange, 0.2);
        QCOMPARE(ppo.cliprangeValue, 0.2);
        QCOMPARE(ppo.vfCoef, 0.1);
        QCOMPARE(ppo.klCoef, 0.05);
        QCOMPARE(ppo.gamma, 1.0);
        QCOMPARE(ppo.lam, 0.95);
        QCOMPARE(ppo.klEstimator, std::string("k1"));
        validateGrpoOptions(ppo);
        GrpoOptions grpoOne;
        grpoOne.numGenerations = 1;
        QVERIFY_THROWS_EXCEPTION(Error, validateGrpoOptions(grpoOne));
    }

    // DPO: DPOConfig's beta 0.1 and loss_type sigmoid; loss_type's values follow the algorithm.
    void dpoHasItsOwnLossTypes()
    {
        const GrpoOptions dpo = grpoOptionsFromJson(nlohmann::json{{"algorithm", "dpo"}}, "cfg");
        QCOMPARE(dpo.beta, 0.1);
        QCOMPARE(dpo.lossType, std::string("sigmoid"));
        QCOMPARE(dpo.labelSmoothing, 0.0);
        QCOMPARE(dpo.maxLength, std::int64_t(1024));
        QVERIFY(!dpo.precomputeRefLogProbs);
        QCOMPARE(optionChoices("loss_type", "dpo"), (std::vector<std::string>{"sigmoid", "robust", "hinge", "ipo"}));
        QCOMPARE(optionChoices("loss_type", "grpo"), (std::vector<std::string>{"grpo", "bnpo", "dr_grpo", "dapo"}));
        // A GRPO loss type is not a DPO one: switching takes DPO's default; "ipo" set by hand stays.
        GrpoOptions bnpo;
        bnpo.lossType = "bnpo";
        setAlgorithm(bnpo, "dpo");
        QCOMPARE(bnpo.lossType, std::string("sigmoid"));
        const GrpoOptions ipo = grpoOptionsFromJson(nlohmann::json{{"algorithm", "dpo"}, {"loss_type", "ipo"}}, "cfg");
        QCOMPARE(ipo.lossType, std::string("ipo"));
        validateGrpoOptions(ipo);
        GrpoOptions wrong = ipo;
        wrong.lossType = "dapo";
        QVERIFY(errorOf([&] { validateGrpoOptions(wrong); }).find("loss_type: \"dapo\" is not one of sigmoid") == 0);
        GrpoOptions smooth = ipo;
        smooth.labelSmoothing = 0.5;
        QVERIFY(errorOf([&] { validateGrpoOptions(smooth); }).find("label_smoothing") == 0);
        GrpoOptions web = ipo;
        web.pairSource = "web";
        QVERIFY(errorOf([&] { validateGrpoOptions(web); }).find("pair_source: \"web\" is not one of auto, file") == 0);
        GrpoOptions noEval = ipo;
        noEval.evalSteps = 0;
        QVERIFY(errorOf([&] { validateGrpoOptions(noEval); }).find("eval_steps") == 0);
        GrpoOptions noFile = ipo;
        noFile.pairSource = "file";
        QVERIFY(errorOf([&] { validateGrpoOptions(noFile); }).find("no preference_file") != std::string::npos);
        const nlohmann::json j = grpoOptionsToJson(ipo);
        for (const char *grpoOnly : {"epsilon", "num_iterations", "dynamic_sampling", "scale_rewards"})
            QVERIFY2(!j.contains(grpoOnly), grpoOnly);
        QCOMPARE(grpoOptionsFromJson(j, "cfg").lossType, std::string("ipo"));
    }

    void loraTargetsParse()
    {
        GrpoOptions o;
        o.loraTargetModules = " q_proj, v_proj ,,down_proj";
        QCOMPARE(o.loraTargets(), (std::vector<std::string>{"q_proj", "v_proj", "down_proj"}));
    }
};

QTEST_GUILESS_MAIN(TestGrpoOptions)
#include "tst_grpo_options.moc"
