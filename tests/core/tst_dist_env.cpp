// Where a process stands in a data-parallel job, read from the launchers'
// environment: torchrun's variables, Slurm's, none; and bad values.
#include "dist/dist_env.h"
#include "util/error.h"

#include <QtTest>

#include <map>

using namespace awb;

using Vars = std::map<std::string, std::string>;
Q_DECLARE_METATYPE(Vars)

namespace {

EnvLookup lookup(const Vars &vars)
{
    return [vars](const char *name) -> const char * {
        static thread_local std::string value;
        const auto it = vars.find(name);
        if (it == vars.end())
            return nullptr;
        value = it->second;
        return value.c_str();
    };
}

} // namespace

class TestDistEnv : public QObject
{
    Q_OBJECT

private slots:
    void detects_data()
    {
        QTest::addColumn<Vars>("vars");
        QTest::addColumn<QString>("launcher");
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("world");
        QTest::addColumn<int>("localRank");
        QTest::addColumn<QString>("master");
        QTest::addColumn<bool>("agentStore");
        QTest::newRow("nothing: one process") << Vars{} << "none" << 0 << 1 << 0 << ":29500" << false;
        QTest::newRow("torchrun") << Vars{{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"},
                                          {"MASTER_PORT", "12345"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"}}
                                  << "torchrun" << 3 << 4 << 1 << "node7:12345" << true;
        QTest::newRow("env launch, default port") << Vars{{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}}
                                                  << "torchrun" << 1 << 2 << 0 << "127.0.0.1:29500" << false;
        QTest::newRow("agent store False") << Vars{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"},
                                                   {"TORCHELASTIC_USE_AGENT_STORE", "False"}}
                                           << "torchrun" << 0 << 2 << 0 << "h:29500" << false;
        QTest::newRow("srun with MASTER_ADDR") << Vars{{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"},
                                                       {"MASTER_ADDR", "gpu01"}, {"MASTER_PORT", "29400"}}
                                               << "slurm" << 5 << 8 << 1 << "gpu01:29400" << false;
        QTest::newRow("srun, host from the node list")
            << Vars{{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "2"}, {"SLURM_STEP_NODELIST", "gpu[03-05,9],cpu1"}}
            << "slurm" << 0 << 2 << 0 << "gpu03:29500" << false;
        QTest::newRow("torchrun's variables win over Slurm's")
            << Vars{{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}}
            << "torchrun" << 1 << 2 << 0 << "a:29500" << false;
        QTest::newRow("a world of one needs no master") << Vars{{"RANK", "0"}, {"WORLD_SIZE", "1"}}
                                                        << "torchrun" << 0 << 1 << 0 << ":29500" << false;
    }
    void detects()
    {
        QFETCH(Vars, vars);
        QFETCH(QString, launcher);
        QFETCH(int, rank);
        QFETCH(int, world);
        QFETCH(int, localRank);
        QFETCH(QString, master);
        QFETCH(bool, agentStore);
        const DistEnv e = detectDistEnv(lookup(vars));
        QCOMPARE(QString::fromStdString(e.launcher), launcher);
        QCOMPARE(e.rank, rank);
        QCOMPARE(e.worldSize, world);
        QCOMPARE(e.localRank, localRank);
        QCOMPARE(QString::fromStdString(e.masterAddr + ":" + std::to_string(e.masterPort)), master);
        QCOMPARE(e.agentStore, agentStore);
        QCOMPARE(e.distributed(), world > 1);
    }

    void refuses_data()
    {
        QTest::addColumn<Vars>("vars");
        QTest::addColumn<QString>("message");
        QTest::newRow("rank not a number") << Vars{{"RANK", "x"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}
                                           << "the environment variable RANK is \"x\", not a count";
        QTest::newRow("rank outside the world") << Vars{{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}
                                                << "rank 2 in a world of 2 (RANK)";
        QTest::newRow("slurm rank outside") << Vars{{"SLURM_PROCID", "4"}, {"SLURM_NTASKS", "4"}, {"MASTER_ADDR", "h"}}
                                            << "rank 4 in a world of 4 (SLURM_PROCID)";
        QTest::newRow("world of zero") << Vars{{"RANK", "0"}, {"WORLD_SIZE", "0"}} << "world size of 0 (WORLD_SIZE)";
        QTest::newRow("no master") << Vars{{"RANK", "0"}, {"WORLD_SIZE", "2"}} << "needs MASTER_ADDR";
        QTest::newRow("port out of range") << Vars{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}
                                           << "MASTER_PORT is 70000, not a TCP port";
    }
    void refuses()
    {
        QFETCH(Vars, vars);
        QFETCH(QString, message);
        try {
            detectDistEnv(lookup(vars));
            QFAIL("no error");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
        }
    }

    void slurmHosts_data()
    {
        QTest::addColumn<QString>("list");
        QTest::addColumn<QString>("first");
        QTest::newRow("one") << "node1" << "node1";
        QTest::newRow("several") << "a,b,c" << "a";
        QTest::newRow("range") << "node[03-05]" << "node03";
        QTest::newRow("range and list") << "gpu[7,9-10],cpu[1-2]" << "gpu7";
        QTest::newRow("plain before range") << "login,node[1-4]" << "login";
    }
    void slurmHosts()
    {
        QFETCH(QString, list);
        QFETCH(QString, first);
        QCOMPARE(QString::fromStdString(firstSlurmHost(list.toStdString())), first);
    }
};

QTEST_GUILESS_MAIN(TestDistEnv)
#include "tst_dist_env.moc"
