#pragma once
// The playground: type a prompt, move the aspect sliders, and generate with
// the conditioned policy of any checkpoint of the workspace, several samples
// at a time, each with its per-aspect reward-model scores (and the gold
// judge's on the demo). A second column of sliders ("Compare with B")
// generates the same prompt at another weight setting, side by side. A
// checkpoint of a run that was not steerable generates at the weights it
// trained with: its sliders are disabled and a line says so.
//
// A view only: it emits generateRequested and shows what app/ hands back.
// Keyboard: Ctrl+Return generates. GUI thread only.

#include "steer_types.h"
#include "view_types.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QSpinBox;
class QTextBrowser;

namespace awb {

class PlaygroundPanel : public QWidget
{
    Q_OBJECT

public:
    explicit PlaygroundPanel(QWidget *parent = nullptr);

    void setAspects(const QVector<view::AspectSpec> &aspects);
    // Newest first is a good order; keeps the chosen checkpoint when it is still there.
    void setCheckpoints(const QVector<view::SteerCheckpoint> &checkpoints);
    int checkpointCount() const;

    // Programmatic use (tests, app/): as if typed or moved by the user.
    void setPrompt(const QString &prompt);
    void setWeights(int side, const QVector<double> &weights);   // side 0 = A, 1 = B; any scale
    void setCompare(bool on);
    void setSampleCount(int n);
    QVector<double> weights(int side) const;   // as the sliders stand, summing to 1
    bool comparing() const;

    // Results of the last request, per side; `note` says e.g. that the run is not steerable.
    void showResults(int side, const QVector<view::SteerSampleRow> &samples, const QString &note = QString());
    void setBusy(bool busy, const QString &status = QString());
    void showError(const QString &message);
    QString resultsText(int side) const;   // what a side shows, as plain text (tests)

public slots:
    void requestGenerate();

signals:
    // weightsB is empty unless comparing; weights are empty for a checkpoint that is not steerable.
    void generateRequested(const QString &checkpoint, const QString &prompt, const QVector<double> &weightsA,
                           const QVector<double> &weightsB, int samples);

private:
    void rebuildSliders();
    void updateSteerable();
    QString renderSamples(const QVector<view::SteerSampleRow> &samples, const QString &note) const;

    QVector<view::AspectSpec> m_aspects;
    QVector<view::SteerCheckpoint> m_checkpoints;
    QComboBox *m_checkpoint = nullptr;
    QLabel *m_steerNote = nullptr;
    QPlainTextEdit *m_prompt = nullptr;
    QGridLayout *m_sliderGrid = nullptr;
    QVector<QSlider *> m_sliders[2];
    QVector<QLabel *> m_shares[2];
    QCheckBox *m_compare = nullptr;
    QSpinBox *m_samples = nullptr;
    QPushButton *m_generate = nullptr;
    QLabel *m_status = nullptr;
    QTextBrowser *m_results[2] = {nullptr, nullptr};
};

} // namespace awb
