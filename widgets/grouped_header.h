#pragma once
// A horizontal header with a second level: sections whose Qt::UserRole header
// data name the same group (an aspect, say) get one shared caption above their
// own text. The reward-model panel's versions table uses it. GUI thread only.

#include <QHeaderView>

namespace awb {

class GroupedHeader : public QHeaderView
{
public:
    explicit GroupedHeader(QWidget *parent);
    QSize sizeHint() const override;

protected:
    // Each section paints its slice of the caption, clipped to itself, so the
    // order in which sections are painted does not matter.
    void paintSection(QPainter *painter, const QRect &rect, int logical) const override;

private:
    QString group(int logical) const;
};

} // namespace awb
