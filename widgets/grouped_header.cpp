#include "grouped_header.h"

#include <QPainter>
#include <QStyleOptionHeader>

#include <algorithm>

namespace awb {

GroupedHeader::GroupedHeader(QWidget *parent)
    : QHeaderView(Qt::Horizontal, parent)
{
    setDefaultAlignment(Qt::AlignCenter);
}

QSize GroupedHeader::sizeHint() const
{
    QSize s = QHeaderView::sizeHint();
    s.setHeight(std::max(s.height(), 2 * fontMetrics().height() + 12));
    return s;
}

void GroupedHeader::paintSection(QPainter *painter, const QRect &rect, int logical) const
{
    const QString name = group(logical);
    if (name.isEmpty()) {
        QHeaderView::paintSection(painter, rect, logical);
        return;
    }
    const int half = rect.height() / 2;
    QHeaderView::paintSection(painter, rect.adjusted(0, half, 0, 0), logical);
    int first = logical;
    int last = logical;
    while (first > 0 && group(first - 1) == name)
        --first;
    while (last + 1 < count() && group(last + 1) == name)
        ++last;
    const int left = sectionViewportPosition(first);
    const QRect span(left, rect.top(), sectionViewportPosition(last) + sectionSize(last) - left, half);
    QStyleOptionHeader opt;
    initStyleOption(&opt);
    opt.rect = span;
    opt.section = logical;
    opt.text = fontMetrics().elidedText(name, Qt::ElideRight, span.width() - 6);
    opt.textAlignment = Qt::AlignCenter;
    opt.position = QStyleOptionHeader::Middle;
    painter->save();
    painter->setClipRect(QRect(rect.left(), rect.top(), rect.width(), half));
    style()->drawControl(QStyle::CE_Header, &opt, painter, this);
    painter->restore();
}

QString GroupedHeader::group(int logical) const
{
    return model() ? model()->headerData(logical, Qt::Horizontal, Qt::UserRole).toString() : QString();
}

} // namespace awb
