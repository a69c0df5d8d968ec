#pragma once
// Exported plots read back independently of the code that wrote them, for the
// plot views' export tests. readSvg uses QXmlStreamReader, not QSvgGenerator:
// the root's viewBox, <title> and <desc>, the text of every <text>, and every
// drawn shape with the stroke and fill it inherits from its <g> ancestors
// (QSvgGenerator puts the pen and brush on the group around the shapes).
// renderSvg draws the file with Qt's SVG renderer; countPixels counts one
// exact colour in an image.

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QStringList>
#include <QSvgRenderer>
#include <QVector>
#include <QXmlStreamReader>

#include <algorithm>

namespace awb::test {

struct SvgSummary
{
    struct Shape
    {
        QString element;   // polyline, path, ellipse, rect, ...
        QString stroke;    // e.g. "#1f77b4", "none"
        QString fill;
        int points = 0;    // coordinate pairs of a polyline or polygon
    };

    QString error;     // empty when the file was well-formed SVG
    QString root;      // the root element's name
    QString viewBox;   // e.g. "0 0 900 600"
    QString title;
    QString description;
    QStringList texts;
    QVector<Shape> shapes;

    int count(const QString &element, const QString &stroke) const
    {
        int n = 0;
        for (const Shape &s : shapes)
            n += s.element == element && s.stroke.compare(stroke, Qt::CaseInsensitive) == 0 ? 1 : 0;
        return n;
    }
    // The most coordinate pairs of a polyline drawn in stroke.
    int longestPolyline(const QString &stroke) const
    {
        int most = 0;
        for (const Shape &s : shapes)
            if (s.element == QLatin1String("polyline") && s.stroke.compare(stroke, Qt::CaseInsensitive) == 0)
                most = std::max(most, s.points);
        return most;
    }
    bool hasText(const QString &needle) const
    {
        for (const QString &t : texts)
            if (t.contains(needle))
                return true;
        return false;
    }
};

inline SvgSummary readSvg(const QString &path)
{
    SvgSummary out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.error = file.errorString();
        return out;
    }
    QXmlStreamReader xml(&file);
    struct Paint
    {
        QString stroke, fill;
    };
    QVector<Paint> inherited{Paint{QStringLiteral("none"), QStringLiteral("black")}};
    const QStringList shapeNames{QStringLiteral("polyline"), QStringLiteral("polygon"), QStringLiteral("path"),
                                 QStringLiteral("ellipse"), QStringLiteral("circle"), QStringLiteral("rect"),
                                 QStringLiteral("line")};
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isEndElement()) {
            inherited.removeLast();
            continue;
        }
        if (!xml.isStartElement())
            continue;
        const QXmlStreamAttributes a = xml.attributes();
        Paint paint = inherited.last();
        if (a.hasAttribute(QLatin1String("stroke")))
            paint.stroke = a.value(QLatin1String("stroke")).toString();
        if (a.hasAttribute(QLatin1String("fill")))
            paint.fill = a.value(QLatin1String("fill")).toString();
        inherited.push_back(paint);
        const QString name = xml.name().toString();
        if (out.root.isEmpty()) {
            out.root = name;
            out.viewBox = a.value(QLatin1String("viewBox")).toString();
        } else if (name == QLatin1String("title") || name == QLatin1String("desc") || name == QLatin1String("text")) {
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            inherited.removeLast();   // readElementText consumed the end element
            if (name == QLatin1String("title"))
                out.title = text;
            else if (name == QLatin1String("desc"))
                out.description = text;
            else
                out.texts.push_back(text);
        } else if (shapeNames.contains(name)) {
            const QString points = a.value(QLatin1String("points")).toString().simplified();
            out.shapes.push_back({name, paint.stroke, paint.fill,
                                  points.isEmpty() ? 0 : int(points.split(QLatin1Char(' ')).size())});
        }
    }
    if (xml.hasError())
        out.error = QStringLiteral("line %1: %2").arg(xml.lineNumber()).arg(xml.errorString());
    return out;
}

// The SVG at path drawn on white at its viewBox size; a null image when Qt's
// renderer cannot read it.
inline QImage renderSvg(const QString &path)
{
    QSvgRenderer renderer(path);
    if (!renderer.isValid())
        return {};
    QImage image(renderer.viewBoxF().size().toSize(), QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    renderer.render(&painter);
    return image;
}

inline int countPixels(const QImage &image, const QColor &colour)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            n += image.pixelColor(x, y) == colour ? 1 : 0;
    return n;
}

} // namespace awb::test
