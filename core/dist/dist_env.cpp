#include "dist/dist_env.h"

#include "util/error.h"

#include <cstdlib>

namespace awb {

namespace {

bool present(const EnvLookup &env, const char *name)
{
    const char *v = env(name);
    return v && *v;
}

int intVar(const EnvLookup &env, const char *name, int fallback)
{
    const char *v = env(name);
    if (!v || !*v)
        return fallback;
    char *end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (*end != '\0' || n < 0 || n > 1000000)
        throw Error(std::string("the environment variable ") + name + " is \"" + v + "\", not a count");
    return static_cast<int>(n);
}

} // namespace

std::string firstSlurmHost(const std::string &nodeList)
{
    const std::string first = nodeList.substr(0, std::min(nodeList.find(','), nodeList.find('[')));
    const auto open = nodeList.find('[');
    if (open == std::string::npos || open > nodeList.find(','))
        return nodeList.substr(0, nodeList.find(','));
    // "prefix[03-05,9]": the prefix and the first number of the range, zero-padded as written.
    std::string digits;
    for (std::size_t i = open + 1; i < nodeList.size() && nodeList[i] >= '0' && nodeList[i] <= '9'; ++i)
        digits += nodeList[i];
    return first + digits;
}

DistEnv detectDistEnv(const EnvLookup &env)
{
    DistEnv d;
    const auto str = [&](const char *name) { return present(env, name) ? std::string(env(name)) : std::string(); };
    if (present(env, "WORLD_SIZE") || present(env, "RANK")) {
        d.launcher = "torchrun";
        d.worldSize = intVar(env, "WORLD_SIZE", 1);
        d.rank = intVar(env, "RANK", 0);
        d.localRank = intVar(env, "LOCAL_RANK", 0);
    } else if (present(env, "SLURM_PROCID") && present(env, "SLURM_NTASKS")) {
        d.launcher = "slurm";
        d.worldSize = intVar(env, "SLURM_NTASKS", 1);
        d.rank = intVar(env, "SLURM_PROCID", 0);
        d.localRank = intVar(env, "SLURM_LOCALID", 0);
    }
    if (d.worldSize < 1)
        throw Error("the environment gives a world size of 0 (" +
                    std::string(d.launcher == "slurm" ? "SLURM_NTASKS" : "WORLD_SIZE") + ")");
    if (d.rank >= d.worldSize)
        throw Error("the environment gives rank " + std::to_string(d.rank) + " in a world of " +
                    std::to_string(d.worldSize) + " (" + (d.launcher == "slurm" ? "SLURM_PROCID" : "RANK") + ")");
    d.masterAddr = str("MASTER_ADDR");
    if (d.masterAddr.empty() && d.launcher == "slurm") {
        const std::string list = present(env, "SLURM_STEP_NODELIST") ? str("SLURM_STEP_NODELIST") : str("SLURM_JOB_NODELIST");
        if (!list.empty())
            d.masterAddr = firstSlurmHost(list);
    }
    d.masterPort = intVar(env, "MASTER_PORT", 29500);
    if (d.masterPort < 1 || d.masterPort > 65535)
        throw Error("the environment variable MASTER_PORT is " + std::to_string(d.masterPort) + ", not a TCP port");
    d.agentStore = str("TORCHELASTIC_USE_AGENT_STORE") == "True";
    d.restartCount = intVar(env, "TORCHELASTIC_RESTART_COUNT", 0);
    d.socketIfname = str("GLOO_SOCKET_IFNAME");
    if (d.distributed() && d.masterAddr.empty())
        throw Error("a job of " + std::to_string(d.worldSize) +
                    " processes needs MASTER_ADDR (the host of rank 0's rendezvous store) in the environment");
    return d;
}

DistEnv detectDistEnv()
{
    return detectDistEnv([](const char *name) { return static_cast<const char *>(std::getenv(name)); });
}

} // namespace awb
