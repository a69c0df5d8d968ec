// Communicator on c10d: TCPStore rendezvous, Gloo (and NCCL on CUDA builds).
// The only translation unit that includes c10d's headers.
#include "dist/communicator.h"

#include "util/error.h"

#include <ATen/ATen.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace awb {

namespace {

using namespace std::chrono_literals;

std::string pieces(const std::string &text)
{
    // c10::Error's what() carries a C++ backtrace after the first line.
    const auto nl = text.find('\n');
    return nl == std::string::npos ? text : text.substr(0, nl);
}

class SingleProcess : public Communicator
{
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    int localRank() const override { return 0; }
    std::string backend() const override { return "none"; }
    void allReduceSum(std::vector<at::Tensor> &, const std::string &, std::int64_t) override {}
    void broadcast(std::vector<at::Tensor> &, const std::string &) override {}
    std::string broadcast(const std::string &fromRoot, const std::string &) override { return fromRoot; }
    std::vector<std::string> allGather(const std::string &mine, const std::string &) override { return {mine}; }
};

#ifdef USE_C10D_GLOO

// Each rank bumps its key every half second from its own thread and store connection,
// so after a failure the survivors can tell which rank stopped.
class Heartbeat
{
public:
    Heartbeat(c10::intrusive_ptr<c10d::Store> store, int rank) : m_store(std::move(store)), m_rank(rank)
    {
        m_thread = std::thread([this] { loop(); });
    }
    ~Heartbeat()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

private:
    void loop()
    {
        std::int64_t beat = 0;
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_stop) {
            lock.unlock();
            try {
                const std::string v = std::to_string(++beat);
                m_store->set("heartbeat/" + std::to_string(m_rank), std::vector<std::uint8_t>(v.begin(), v.end()));
            } catch (const std::exception &) {
                // The store's host is gone: the collectives will say so.
            }
            lock.lock();
            m_wake.wait_for(lock, 500ms, [this] { return m_stop; });
        }
    }

    c10::intrusive_ptr<c10d::Store> m_store;
    int m_rank;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::thread m_thread;
};

class C10dCommunicator : public Communicator
{
public:
    C10dCommunicator(const DistEnv &env, const DistOptions &options) : m_env(env), m_options(options)
    {
        const std::string where = env.masterAddr + ":" + std::to_string(env.masterPort);
        const bool host = !env.agentStore && env.rank == 0;
        const auto connectStore = [&](bool server, std::chrono::milliseconds timeout) {
            c10d::TCPStoreOptions so;
            so.port = static_cast<std::uint16_t>(env.masterPort);
            so.isServer = server;
            so.numWorkers = c10::nullopt;
            so.waitWorkers = false;   // joining is awaited below, with a message naming who is missing
            so.timeout = timeout;
            return c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
        };
        const std::string prefix = env.agentStore ? "/worker/attempt_" + std::to_string(env.restartCount) : "awb";
        try {
            m_tcp = connectStore(host, std::chrono::milliseconds(options.connectTimeout));
            m_store = c10::make_intrusive<c10d::PrefixStore>(prefix, m_tcp);
            // A second connection with a short timeout: heartbeats, and reading them after a failure.
            m_monitor = c10::make_intrusive<c10d::PrefixStore>(prefix, connectStore(false, 5000ms));
        } catch (const std::exception &e) {
            throw Error("rank " + std::to_string(env.rank) + (host ? " cannot host" : " cannot reach") +
                        " the rendezvous store at " + where + " (MASTER_ADDR, MASTER_PORT) within " +
                        std::to_string(options.connectTimeout.count()) + " s: " + pieces(e.what()));
        }
        try {
            awaitEveryRank(where);
        } catch (const Error &) {
            throw;
        } catch (const std::exception &e) {
            throw Error("rank " + std::to_string(env.rank) + ": the rendezvous store at " + where +
                        " (MASTER_ADDR, MASTER_PORT) does not answer as a c10d TCPStore: " + pieces(e.what()));
        }
        m_heartbeat = std::make_unique<Heartbeat>(m_monitor, env.rank);
        try {
            auto go = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(options.timeout));
            if (!env.socketIfname.empty()) {
                std::stringstream names(env.socketIfname);
                std::string name;
                while (std::getline(names, name, ','))
                    if (!name.empty())
                        go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
            } else if (env.masterAddr == "127.0.0.1" || env.masterAddr == "localhost" || env.masterAddr == "::1") {
                go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            } else {
                go->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            }
            go->threads = 2;
            m_gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(
                c10::make_intrusive<c10d::PrefixStore>("gloo", m_store), env.rank, env.worldSize, go);
#ifdef USE_C10D_NCCL
            if (at::hasCUDA()) {
                m_nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(
                    c10::make_intrusive<c10d::PrefixStore>("nccl", m_store), env.rank, env.worldSize,
                    c10d::ProcessGroupNCCL::Options::create());
            }
#endif
        } catch (const std::exception &e) {
            throw Error(failure("joining the process group" +
                                (env.socketIfname.empty() ? std::string() : " (GLOO_SOCKET_IFNAME " + env.socketIfname + ")"),
                                e.what()));
        }
    }

    int rank() const override { return m_env.rank; }
    int size() const override { return m_env.worldSize; }
    int localRank() const override { return m_env.localRank; }
    std::string backend() const override
    {
#ifdef USE_C10D_NCCL
        if (m_nccl)
            return "gloo+nccl";
#endif
        return "gloo";
    }

    void allReduceSum(std::vector<at::Tensor> &tensors, const std::string &what, std::int64_t bucketBytes) override
    {
        std::size_t i = 0;
        while (i < tensors.size()) {
            // A bucket: consecutive tensors of one dtype and device, up to bucketBytes.
            std::size_t j = i;
            std::int64_t bytes = 0;
            std::vector<at::Tensor> flat;
            while (j < tensors.size() && tensors[j].scalar_type() == tensors[i].scalar_type() &&
                   tensors[j].device() == tensors[i].device() &&
                   (flat.empty() || bytes + static_cast<std::int64_t>(tensors[j].nbytes()) <= bucketBytes)) {
                bytes += static_cast<std::int64_t>(tensors[j].nbytes());
                flat.push_back(tensors[j].reshape({-1}));
                ++j;
            }
            std::vector<at::Tensor> bucket = {at::cat(flat)};
            c10d::AllreduceOptions ao;
            ao.reduceOp = c10d::ReduceOp::SUM;
            run(what, [&] { return group(bucket[0])->allreduce(bucket, ao); });
            std::int64_t offset = 0;
            for (std::size_t k = i; k < j; ++k) {
                const std::int64_t n = tensors[k].numel();
                tensors[k].copy_(bucket[0].narrow(0, offset, n).view(tensors[k].sizes()));
                offset += n;
            }
            i = j;
        }
    }

    void broadcast(std::vector<at::Tensor> &tensors, const std::string &what) override
    {
        c10d::BroadcastOptions bo;
        bo.rootRank = 0;
        for (auto &t : tensors) {
            std::vector<at::Tensor> one = {t.is_contiguous() ? t : t.contiguous()};
            run(what, [&] { return group(one[0])->broadcast(one, bo); });
            if (!t.is_same(one[0]))
                t.copy_(one[0]);
        }
    }

    std::string broadcast(const std::string &fromRoot, const std::string &what) override
    {
        std::vector<at::Tensor> size = {at::tensor({static_cast<std::int64_t>(root() ? fromRoot.size() : 0)}, at::kLong)};
        c10d::BroadcastOptions bo;
        run(what, [&] { return m_gloo->broadcast(size, bo); });
        const std::int64_t n = size[0].item<std::int64_t>();
        std::vector<at::Tensor> bytes = {at::empty({std::max<std::int64_t>(n, 1)}, at::kByte)};
        if (root())
            std::memcpy(bytes[0].data_ptr(), fromRoot.data(), fromRoot.size());
        run(what, [&] { return m_gloo->broadcast(bytes, bo); });
        return std::string(static_cast<const char *>(bytes[0].data_ptr()), static_cast<std::size_t>(n));
    }

    std::vector<std::string> allGather(const std::string &mine, const std::string &what) override
    {
        const int W = size();
        std::vector<at::Tensor> in = {at::tensor({static_cast<std::int64_t>(mine.size())}, at::kLong)};
        std::vector<std::vector<at::Tensor>> out(1);
        for (int r = 0; r < W; ++r)
            out[0].push_back(at::empty({1}, at::kLong));
        run(what, [&] { return m_gloo->allgather(out, in); });
        std::vector<std::int64_t> sizes;
        std::int64_t longest = 1;
        for (const auto &t : out[0]) {
            sizes.push_back(t.item<std::int64_t>());
            longest = std::max(longest, sizes.back());
        }
        std::vector<at::Tensor> data = {at::zeros({longest}, at::kByte)};
        std::memcpy(data[0].data_ptr(), mine.data(), mine.size());
        std::vector<std::vector<at::Tensor>> gathered(1);
        for (int r = 0; r < W; ++r)
            gathered[0].push_back(at::empty({longest}, at::kByte));
        run(what, [&] { return m_gloo->allgather(gathered, data); });
        std::vector<std::string> texts;
        for (int r = 0; r < W; ++r)
            texts.emplace_back(static_cast<const char *>(gathered[0][static_cast<std::size_t>(r)].data_ptr()),
                               static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)]));
        return texts;
    }

private:
    // Each rank sets joined/<rank>; all wait until every key is there, for connectTimeout at most.
    void awaitEveryRank(const std::string &where)
    {
        const std::string mine = "joined/" + std::to_string(rank());
        m_store->set(mine, std::vector<std::uint8_t>{1});
        const auto deadline = std::chrono::steady_clock::now() + m_options.connectTimeout;
        for (;;) {
            std::string missing;
            for (int r = 0; r < size(); ++r)
                if (!m_store->check({"joined/" + std::to_string(r)}))
                    missing += (missing.empty() ? "" : ", ") + std::to_string(r);
            if (missing.empty())
                return;
            if (std::chrono::steady_clock::now() > deadline)
                throw Error("rank " + std::to_string(rank()) + ": rank" + (missing.find(',') == std::string::npos ? " " : "s ") +
                            missing + " did not join the job at " + where + " within " +
                            std::to_string(m_options.connectTimeout.count()) + " s (--dist-connect-timeout)");
            std::this_thread::sleep_for(100ms);
        }
    }

    c10::intrusive_ptr<c10d::ProcessGroup> group(const at::Tensor &t) const
    {
#ifdef USE_C10D_NCCL
        if (m_nccl && t.is_cuda())
            return m_nccl;
#endif
        if (!t.device().is_cpu())
            throw Error("data-parallel collectives: a tensor on " + t.device().str() +
                        ", and this LibTorch has no NCCL process group for it");
        return m_gloo;
    }

    template <class Start>
    void run(const std::string &what, Start start)
    {
        try {
            auto work = start();
            work->wait();
        } catch (const std::exception &e) {
            throw Error(failure(what, e.what()));
        }
    }

    // Reads the heartbeats twice, 2 s apart: a rank whose count did not move is lost.
    std::string lostRanks()
    {
        const auto read = [this] {
            std::map<int, std::string> beats;
            for (int r = 0; r < size(); ++r) {
                if (r == rank())
                    continue;
                const auto v = m_monitor->get("heartbeat/" + std::to_string(r));
                beats[r] = std::string(v.begin(), v.end());
            }
            return beats;
        };
        try {
            const auto before = read();
            std::this_thread::sleep_for(2000ms);
            const auto after = read();
            std::string lost;
            for (const auto &[r, beat] : before)
                if (after.at(r) == beat)
                    lost += (lost.empty() ? "" : ", ") + std::to_string(r);
            return lost;
        } catch (const std::exception &) {
            return m_env.agentStore ? std::string() : std::string("0");   // the store went with its host, rank 0
        }
    }

    std::string failure(const std::string &what, const std::string &cause)
    {
        const std::string lost = lostRanks();
        std::string head = "rank " + std::to_string(rank()) + " of " + std::to_string(size()) + ": ";
        if (!lost.empty())
            head += (lost.find(',') == std::string::npos ? "rank " : "ranks ") + lost + " of the job " +
                    (lost.find(',') == std::string::npos ? "was" : "were") + " lost";
        else
            head += "no other rank answered within the timeout of " + std::to_string(m_options.timeout.count()) + " s";
        return head + " during " + what + " (" + pieces(cause) + ")";
    }

    DistEnv m_env;
    DistOptions m_options;
    c10::intrusive_ptr<c10d::TCPStore> m_tcp;
    c10::intrusive_ptr<c10d::Store> m_store, m_monitor;
    std::unique_ptr<Heartbeat> m_heartbeat;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_gloo;
#ifdef USE_C10D_NCCL
    c10::intrusive_ptr<c10d::ProcessGroupNCCL> m_nccl;
#endif
};

#endif // USE_C10D_GLOO

} // namespace

std::shared_ptr<Communicator> Communicator::single()
{
    return std::make_shared<SingleProcess>();
}

std::shared_ptr<Communicator> Communicator::connect(const DistEnv &env, const DistOptions &options)
{
    if (!env.distributed())
        return single();
#ifdef USE_C10D_GLOO
    return std::make_shared<C10dCommunicator>(env, options);
#else
    (void)options;
    throw Error("this build of awb has no Gloo process group (it was built without libgloo-dev), so it cannot join a job of " +
                std::to_string(env.worldSize) + " processes");
#endif
}

std::shared_ptr<Communicator> joinJob(const DistEnv &env, const DistOptions &options)
{
    return Communicator::connect(env, options);
}

std::string distBackends()
{
#if defined(USE_C10D_GLOO) && defined(USE_C10D_NCCL)
    return at::hasCUDA() ? "gloo+nccl" : "gloo";
#elif defined(USE_C10D_GLOO)
    return "gloo";
#else
    return "none";
#endif
}

void Communicator::allReduceSum(std::vector<double> &values, const std::string &what)
{
    if (size() == 1 || values.empty())
        return;
    std::vector<at::Tensor> t = {at::tensor(values, at::kDouble)};
    allReduceSum(t, what);
    const double *p = t[0].data_ptr<double>();
    values.assign(p, p + values.size());
}

bool Communicator::any(bool flag, const std::string &what)
{
    std::vector<double> v = {flag ? 1.0 : 0.0};
    allReduceSum(v, what);
    return v[0] > 0.5;
}

} // namespace awb
