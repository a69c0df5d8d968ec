// Pareto front and 2-D hypervolume (both objectives maximised), against
// cases worked out by hand and, on random clouds, against brute force.
#include "pareto.h"

#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace awb;

class TestPareto : public QObject
{
    Q_OBJECT

private slots:
    void front_data();
    void front();
    void hypervolume_data();
    void hypervolume();
    void randomCloudsMatchBruteForce();
};

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// The definition, O(n^2): q dominates p when q >= p in both and > in one.
QVector<int> bruteFront(const QVector<QPointF> &pts)
{
    QVector<int> out;
    for (int i = 0; i < pts.size(); ++i) {
        bool dominated = false;
        for (int j = 0; j < pts.size() && !dominated; ++j)
            dominated = pts[j].x() >= pts[i].x() && pts[j].y() >= pts[i].y()
                        && (pts[j].x() > pts[i].x() || pts[j].y() > pts[i].y());
        if (!dominated)
            out.push_back(i);
    }
    std::sort(out.begin(), out.end(), [&](int a, int b) {
        return pts[a].x() != pts[b].x() ? pts[a].x() < pts[b].x() : a < b;
    });
    return out;
}

// Union of rectangles [ref, p] by columns between consecutive distinct x:
// a column (x0, x1] is covered up to the largest y among points with x >= x1.
double bruteArea(const QVector<QPointF> &pts, QPointF ref)
{
    QVector<double> xs{ref.x()};
    for (const QPointF &p : pts)
        if (p.x() > ref.x())
            xs.push_back(p.x());
    std::sort(xs.begin(), xs.end());
    double area = 0.0;
    for (int k = 1; k < xs.size(); ++k) {
        double top = ref.y();
        for (const QPointF &p : pts)
            if (p.x() >= xs[k])
                top = std::max(top, p.y());
        area += (xs[k] - xs[k - 1]) * (top - ref.y());
    }
    return area;
}

} // namespace

void TestPareto::front_data()
{
    QTest::addColumn<QVector<QPointF>>("points");
    QTest::addColumn<QVector<int>>("expected");

    QTest::newRow("empty") << QVector<QPointF>{} << QVector<int>{};
    QTest::newRow("single") << QVector<QPointF>{{0.3, 0.4}} << QVector<int>{0};
    // 0:(0.9,0.1) 1:(0.4,0.4) dominated by 2:(0.5,0.5); 3:(0.1,0.9);
    // 4:(0.2,0.1) dominated by 2. Front by x: 3, 2, 0.
    QTest::newRow("staircase with dominated")
        << QVector<QPointF>{{0.9, 0.1}, {0.4, 0.4}, {0.5, 0.5}, {0.1, 0.9}, {0.2, 0.1}}
        << QVector<int>{3, 2, 0};
    // Equal x: the larger y is >= in x and > in y, so it dominates.
    QTest::newRow("tie in x") << QVector<QPointF>{{0.5, 0.5}, {0.5, 0.7}} << QVector<int>{1};
    // Equal y: the larger x dominates.
    QTest::newRow("tie in y") << QVector<QPointF>{{0.3, 0.6}, {0.8, 0.6}} << QVector<int>{1};
    // Exact duplicates are kept, in index order; (0.4,0.4) is dominated by them.
    QTest::newRow("duplicates kept")
        << QVector<QPointF>{{0.5, 0.5}, {0.2, 0.8}, {0.4, 0.4}, {0.5, 0.5}}
        << QVector<int>{1, 0, 3};
    QTest::newRow("all identical")
        << QVector<QPointF>{{0.2, 0.2}, {0.2, 0.2}, {0.2, 0.2}} << QVector<int>{0, 1, 2};
    // NaN and infinite points are ignored, even though (inf,0.9) would dominate.
    QTest::newRow("non-finite ignored")
        << QVector<QPointF>{{kNaN, 0.9}, {0.5, kNaN}, {0.3, 0.3}, {kInf, 0.9}, {0.1, 0.2}}
        << QVector<int>{2};
    // A point dominating all others is the whole front.
    QTest::newRow("one dominates all")
        << QVector<QPointF>{{0.1, 0.1}, {1.0, 1.0}, {0.9, 0.2}, {0.2, 0.9}} << QVector<int>{1};
    // Negative coordinates: (-1,-0.5), (-0.5,-1), (-2,-2) dominated.
    QTest::newRow("negative")
        << QVector<QPointF>{{-2, -2}, {-0.5, -1}, {-1, -0.5}} << QVector<int>{2, 1};
}

void TestPareto::front()
{
    QFETCH(QVector<QPointF>, points);
    QFETCH(QVector<int>, expected);
    QCOMPARE(paretoFrontIndices(points), expected);
}

void TestPareto::hypervolume_data()
{
    QTest::addColumn<QVector<QPointF>>("points");
    QTest::addColumn<QPointF>("reference");
    QTest::addColumn<double>("expected");

    const QVector<QPointF> stairs{{0.2, 0.8}, {0.5, 0.5}, {0.8, 0.2}};
    QTest::newRow("empty") << QVector<QPointF>{} << QPointF(0, 0) << 0.0;
    // 0.5 * 0.4
    QTest::newRow("single") << QVector<QPointF>{{0.5, 0.4}} << QPointF(0, 0) << 0.2;
    // Columns: [0,0.2] x 0.8 = 0.16; [0.2,0.5] x 0.5 = 0.15; [0.5,0.8] x 0.2 = 0.06.
    QTest::newRow("staircase") << stairs << QPointF(0, 0) << 0.37;
    // (0.3,0.3) lies inside the staircase: same 0.37.
    QTest::newRow("dominated adds nothing")
        << (stairs + QVector<QPointF>{{0.3, 0.3}}) << QPointF(0, 0) << 0.37;
    // Reference (0.1,0.1): [0.1,0.2] x 0.7 = 0.07; [0.2,0.5] x 0.4 = 0.12;
    // [0.5,0.8] x 0.1 = 0.03; total 0.22.
    QTest::newRow("shifted reference") << stairs << QPointF(0.1, 0.1) << 0.22;
    // Reference (0.3,0.3): (0.2,0.8) and (0.8,0.2) are not beyond it; only
    // (0.5,0.5) counts: 0.2 * 0.2 = 0.04.
    QTest::newRow("points below reference") << stairs << QPointF(0.3, 0.3) << 0.04;
    // On the reference's x: a zero-width rectangle.
    QTest::newRow("on reference edge") << QVector<QPointF>{{0.0, 0.7}} << QPointF(0, 0) << 0.0;
    QTest::newRow("all below reference")
        << QVector<QPointF>{{0.1, 0.1}, {0.2, 0.05}} << QPointF(0.5, 0.5) << 0.0;
    // Two copies of (0.5,0.5) cover 0.25 once.
    QTest::newRow("duplicates") << QVector<QPointF>{{0.5, 0.5}, {0.5, 0.5}} << QPointF(0, 0) << 0.25;
    // Same x: the taller one, 0.5 * 0.7.
    QTest::newRow("tie in x") << QVector<QPointF>{{0.5, 0.5}, {0.5, 0.7}} << QPointF(0, 0) << 0.35;
    // Same y: the wider one, 0.8 * 0.6.
    QTest::newRow("tie in y") << QVector<QPointF>{{0.3, 0.6}, {0.8, 0.6}} << QPointF(0, 0) << 0.48;
    QTest::newRow("non-finite ignored")
        << QVector<QPointF>{{kNaN, 0.9}, {0.5, kNaN}, {kInf, 1.0}, {0.5, 0.4}} << QPointF(0, 0) << 0.2;
    // Negative reference: 1 x 1.
    QTest::newRow("negative reference") << QVector<QPointF>{{0, 0}} << QPointF(-1, -1) << 1.0;
}

void TestPareto::hypervolume()
{
    QFETCH(QVector<QPointF>, points);
    QFETCH(QPointF, reference);
    QFETCH(double, expected);
    const double got = hypervolume2D(points, reference);
    QVERIFY2(std::abs(got - expected) < 1e-12,
             qPrintable(QStringLiteral("got %1, expected %2").arg(got, 0, 'g', 17).arg(expected)));
}

void TestPareto::randomCloudsMatchBruteForce()
{
    QRandomGenerator rng(12345);
    for (int trial = 0; trial < 200; ++trial) {
        const int n = int(rng.bounded(40));
        QVector<QPointF> pts;
        for (int i = 0; i < n; ++i) {
            // Coarse grid (0.05 steps) so ties and duplicates are frequent.
            pts.push_back({rng.bounded(21) / 20.0, rng.bounded(21) / 20.0});
        }
        QCOMPARE(paretoFrontIndices(pts), bruteFront(pts));
        const QPointF ref(rng.bounded(5) / 20.0, rng.bounded(5) / 20.0);
        QVERIFY(std::abs(hypervolume2D(pts, ref) - bruteArea(pts, ref)) < 1e-12);
    }
}

QTEST_APPLESS_MAIN(TestPareto)
#include "tst_pareto.moc"
