#pragma once
// The collectives a data-parallel run needs, on PyTorch's c10d: a Gloo process
// group (CPU tensors, and the run's small messages) and, on a CUDA LibTorch
// built with NCCL, an NCCL one for tensors on the GPU. The rendezvous is c10d's
// TCPStore at MASTER_ADDR:MASTER_PORT: rank 0 hosts it, or under torchrun's
// static rendezvous (TORCHELASTIC_USE_AGENT_STORE=True) the agent does and
// every rank is a client. No sockets or protocol of this project's own.
//
// A communicator of one process (Communicator::single()) does nothing in every
// collective, so the trainer calls them unconditionally.
//
// Failures end in Error with a message naming what was lost: a rank that
// stopped answering (each rank keeps a heartbeat key in the store, so the
// survivors can tell which one went), the store's address when it cannot be
// reached, and the collective that failed.
//
// One thread: the training thread calls every collective, in the same order
// on every rank. Core-only header (ATen types).

#include "dist/dist_env.h"

#include <ATen/core/Tensor.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace awb {

class Communicator
{
public:
    virtual ~Communicator() = default;

    // A single process: every collective returns its input.
    static std::shared_ptr<Communicator> single();
    // The job `env` describes (single() for a world of one). Blocks until every
    // rank has joined, or throws Error after options.connectTimeout.
    static std::shared_ptr<Communicator> connect(const DistEnv &env, const DistOptions &options = {});

    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual int localRank() const = 0;
    virtual std::string backend() const = 0;   // "none", "gloo", "gloo+nccl"
    bool root() const { return rank() == 0; }

    // In place: the element-wise sum over ranks. Tensors of one dtype and
    // device are flattened into buckets of at most `bucketBytes`, one
    // collective per bucket.
    virtual void allReduceSum(std::vector<at::Tensor> &tensors, const std::string &what,
                              std::int64_t bucketBytes = 64ll << 20) = 0;
    void allReduceSum(std::vector<double> &values, const std::string &what);
    // True when any rank's flag is.
    bool any(bool flag, const std::string &what);
    // In place: rank 0's values on every rank (same shapes and dtypes everywhere).
    virtual void broadcast(std::vector<at::Tensor> &tensors, const std::string &what) = 0;
    // Rank 0's text on every rank (the others' argument is ignored).
    virtual std::string broadcast(const std::string &fromRoot, const std::string &what) = 0;
    // Every rank's text, in rank order, on every rank.
    virtual std::vector<std::string> allGather(const std::string &mine, const std::string &what) = 0;
};

} // namespace awb
