#include "ui_language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace awb {

namespace {

// Owned here, installed on the running QCoreApplication; replaced on each call.
std::unique_ptr<QTranslator> &appTranslator()
{
    static std::unique_ptr<QTranslator> t;
    return t;
}

std::unique_ptr<QTranslator> &qtTranslator()
{
    static std::unique_ptr<QTranslator> t;
    return t;
}

void uninstall(std::unique_ptr<QTranslator> &t)
{
    if (t)
        QCoreApplication::removeTranslator(t.get());
    t.reset();
}

// English is the source language: no .qm to load, and a German system with
// English chosen must not pick up the German file through uiLanguages().
bool isEnglish(const QLocale &locale) { return locale.language() == QLocale::English; }

} // namespace

QVector<UiLanguage> uiLanguages()
{
    // Endonyms, deliberately untranslated: a user who cannot read the current
    // language must still find their own.
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("de"), QStringLiteral("Deutsch")},
            {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
}

QString chosenUiLanguage(const QString &commandLine)
{
    if (!commandLine.trimmed().isEmpty())
        return commandLine.trimmed();
    return QSettings().value(QLatin1String(kUiLanguageKey)).toString().trimmed();
}

QLocale uiLocale(const QString &code)
{
    return code.isEmpty() ? QLocale::system() : QLocale(code);
}

InstalledTranslations installUiTranslations(const QString &code)
{
    uninstall(appTranslator());
    uninstall(qtTranslator());

    InstalledTranslations result;
    result.locale = uiLocale(code);
    if (!code.isEmpty())
        QLocale::setDefault(result.locale);
    if (isEnglish(result.locale))
        return result;

    auto app = std::make_unique<QTranslator>();
    if (app->load(result.locale, QStringLiteral("alignment-workbench"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(app.get());
        appTranslator() = std::move(app);
        result.app = true;
    }
    auto qt = std::make_unique<QTranslator>();
    if (qt->load(result.locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt.get());
        qtTranslator() = std::move(qt);
        result.qt = true;
    }
    return result;
}

} // namespace awb
