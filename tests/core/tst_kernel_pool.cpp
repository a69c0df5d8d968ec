// The kernels' thread pool (core/model/kernels.h): parallelFor covers every
// index once in chunks that start on the grain, nested calls run inline, tasks
// in quick succession do not mix, and products on the pool equal the serial
// ones bit for bit.
#include "model/kernels.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <atomic>
#include <vector>

using namespace awb;

namespace {

std::vector<float> randomVector(std::int64_t n, std::uint64_t seed)
{
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const at::Tensor t = at::randn({n}, gen, at::kFloat);
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + n);
}

} // namespace

class TestKernelPool : public QObject
{
    Q_OBJECT

private slots:
    void cleanup() { kernels::setThreads(2); }
    void parallelForCoversEachIndexOnce();
    void parallelForBackToBack();
    void threadSetting();
};

void TestKernelPool::parallelForCoversEachIndexOnce()
{
    for (int threads : {1, 2, 3}) {
        kernels::setThreads(threads);
        QCOMPARE(kernels::threads(), threads);
        for (std::int64_t n : {1, 7, 64, 1001}) {
            std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
            std::atomic<int> chunks{0};
            kernels::parallelFor(n, 16, [&](std::int64_t b, std::int64_t e) {
                ++chunks;
                QVERIFY(b % 16 == 0);   // chunk starts are multiples of the grain
                for (std::int64_t i = b; i < e; ++i) {
                    ++hits[i];
                    // A nested call runs on this thread and still covers its range.
                    if (i == b)
                        kernels::parallelFor(3, 1, [&](std::int64_t nb, std::int64_t ne) { QCOMPARE(ne - nb, 3); });
                }
            });
            for (std::int64_t i = 0; i < n; ++i)
                QCOMPARE(hits[i].load(), 1);
            QVERIFY(chunks.load() <= 8 * threads);   // a few chunks per thread, not one per grain
        }
    }
}

void TestKernelPool::parallelForBackToBack()
{
    // Tasks of different sizes in quick succession, as a decode step issues them:
    // a thread that comes late to one task must neither run a chunk of it after
    // it finished nor count one towards the next.
    kernels::setThreads(2);
    for (int iteration = 0; iteration < 20000; ++iteration) {
        const std::int64_t n = iteration % 3 == 0 ? 2 : 12 + iteration % 5;
        std::atomic<std::int64_t> sum{0};
        kernels::parallelFor(n, 1, [&](std::int64_t b, std::int64_t e) {
            for (std::int64_t i = b; i < e; ++i)
                sum += i + 1;
        });
        if (sum.load() != n * (n + 1) / 2)
            QFAIL(qPrintable(QString("iteration %1: sum %2 for n %3").arg(iteration).arg(sum.load()).arg(n)));
    }
}

void TestKernelPool::threadSetting()
{
    kernels::setThreads(0);   // at least one: the caller
    QCOMPARE(kernels::threads(), 1);
    kernels::setThreads(2);
    // Products on the pool agree bit for bit with the serial ones: each output
    // element is computed by one thread in the same order.
    const auto x = randomVector(4 * 300, 13), w = randomVector(701 * 300, 14);
    for (std::int64_t M : {1, 4}) {
        std::vector<float> a(M * 701), b(M * 701);
        kernels::linear(x.data(), M, 300, 300, w.data(), 701, nullptr, a.data(), 701);
        kernels::linearSerial(x.data(), M, 300, 300, w.data(), 701, nullptr, b.data(), 701);
        QCOMPARE(a, b);
    }
}

QTEST_GUILESS_MAIN(TestKernelPool)
#include "tst_kernel_pool.moc"
