package assets

import "embed"

// Translations holds the desktop app's strings in each language it
// speaks: translations/en.json and translations/zh-Hans.json, one file a
// language named by its BCP 47 tag, in the JSON format of Fyne's lang
// package (go-i18n's: a key's text, or its "one" and "other" forms).
// The keys are the English text the code passes to lang.L and lang.N.
//
//go:embed translations
var Translations embed.FS

// TranslationsDir is the folder in Translations that holds the files.
const TranslationsDir = "translations"
