#pragma once
// Where this process stands in a data-parallel job, read from the environment
// the launchers set: torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT, TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT) or
// Slurm's srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, with MASTER_ADDR
// and MASTER_PORT from the job script, or the first host of
// SLURM_STEP_NODELIST / SLURM_JOB_NODELIST and port 29500). With none of them
// it is a single process, as before.
//
// Pure: the environment is passed in, so tests give their own.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace awb {

class Communicator;

struct DistOptions
{
    // Collectives (Gloo's timeout): how long a rank waits for the slowest one.
    std::chrono::seconds timeout{1800};
    // Reaching the rendezvous store, and the other ranks joining it.
    std::chrono::seconds connectTimeout{300};
};

struct DistEnv
{
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr;        // the rendezvous store's host
    int masterPort = 0;
    bool agentStore = false;       // torchrun's agent hosts the store: every rank is a client
    int restartCount = 0;          // torchrun's attempt: the store's key prefix
    std::string launcher = "none"; // "torchrun" (or any RANK/WORLD_SIZE launcher), "slurm", "none"
    std::string socketIfname;      // GLOO_SOCKET_IFNAME: comma-separated interfaces for Gloo

    bool distributed() const { return worldSize > 1; }
};

using EnvLookup = std::function<const char *(const char *)>;

// Throws Error naming the variable for a value that is not a number, a rank
// outside [0, world size), or a multi-process job without MASTER_ADDR.
DistEnv detectDistEnv(const EnvLookup &env);
DistEnv detectDistEnv();   // the process's environment

// Joins the job `env` describes (dist/communicator.h; a communicator of one
// process for a world of one). Throws Error naming the store's address when
// it cannot be reached in options.connectTimeout.
std::shared_ptr<Communicator> joinJob(const DistEnv &env, const DistOptions &options);
// The process groups this build can make for a job: "gloo", "gloo+nccl" (a
// CUDA LibTorch with NCCL and a GPU), or "none" (no Gloo at build time).
std::string distBackends();

// The first host of a Slurm node list: "node[03-05,9],gpu1" gives "node03".
std::string firstSlurmHost(const std::string &nodeList);

} // namespace awb
