#pragma once
// The language of the GUI: which translations ship, which one a start-up uses
// (--language, else the setting ui/language, else the system locale) and the
// QTranslators for the app's messages and for Qt's own (qtbase_*.qm). The
// app's .qm files are compiled into awb_app as resources under :/i18n, so the
// build tree and an installed copy find them the same way. GUI thread only.

#include <QLocale>
#include <QString>
#include <QVector>

class QCoreApplication;

namespace awb {

// QSettings key of the user's override: "" follows the system, else a code
// from uiLanguages() ("en", "de", "zh_CN").
inline constexpr char kUiLanguageKey[] = "ui/language";

struct UiLanguage
{
    QString code;   // "en", "de", "zh_CN"
    QString name;   // the language's own name (an endonym), shown untranslated in menus
};

// English (the source language) first, then every shipped translation.
QVector<UiLanguage> uiLanguages();

// The code a start-up should use: commandLine when not empty, else the
// setting, else "" (the system locale).
QString chosenUiLanguage(const QString &commandLine);

// The locale for a code: "" is QLocale::system(), anything else QLocale(code).
QLocale uiLocale(const QString &code);

struct InstalledTranslations
{
    QLocale locale;
    bool app = false;   // an app .qm was found and installed (never for English)
    bool qt = false;    // qtbase_<lang>.qm was found and installed
};

// Removes the translators a previous call installed, then installs the app's
// and Qt's for code's locale; a code other than "" also becomes the default
// QLocale, so numbers and Qt's dialogs follow the chosen language.
InstalledTranslations installUiTranslations(const QString &code);

} // namespace awb
