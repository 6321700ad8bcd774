package ui

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"golang.org/x/text/language"

	"github.com/sockstray/sockstray/assets"
	"github.com/sockstray/sockstray/profiles"
)

// inForce is the language LoadTranslations chose.
var inForce = "en"

// Language is the language the app speaks since LoadTranslations: one of
// profiles.Languages.
func Language() string { return inForce }

// LanguageNames names each language in itself, as a language menu does.
var LanguageNames = map[string]string{"en": "English", "zh-Hans": "简体中文"}

// LoadTranslations makes the app speak setting, one of
// profiles.Languages, or the system's language when setting is empty (the
// closest of profiles.Languages, else English). Call it once, before the
// first string is built: a string already shown does not change.
//
// Fyne 2.7.1 cannot be told the language: its lang package looks up each
// string in the language it has closest to the system's locale. So the
// chosen file is added under the system's locale itself, which Fyne then
// has exactly and looks up first; under the chosen language; and under
// English, where Fyne falls back for a key a language lacks. The files
// hold Fyne's own strings too (dialog buttons, the text field's menu), so
// those speak the chosen language as well, and no lookup misses. Plurals
// are left out: the system's locale's plural rules would pick the form.
//
// It returns the language chosen.
func LoadTranslations(setting string) (string, error) {
	sys := lang.SystemLocale()
	tag := setting
	if tag == "" {
		tag = closest(sys)
	} else if !slices.Contains(profiles.Languages, tag) {
		return inForce, errors.New(lang.L(`language "{{.Tag}}": want one of {{.List}}`, map[string]any{"Tag": tag, "List": strings.Join(profiles.Languages, ", ")}))
	}
	data, err := assets.Translations.ReadFile(path.Join(assets.TranslationsDir, tag+".json"))
	if err != nil {
		return inForce, err
	}
	var under []fyne.Locale
	for _, l := range []fyne.Locale{"en", fyne.Locale(tag), sys} {
		if !slices.Contains(under, l) {
			under = append(under, l)
		}
	}
	var errs []error
	for _, l := range under {
		if err := lang.AddTranslationsForLocale(data, l); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", tag, l, err))
		}
	}
	inForce = tag
	return tag, errors.Join(errs...)
}

// closest is the language of profiles.Languages nearest loc, English when
// none is near. Traditional Chinese gets Simplified, as Fyne's own strings
// do.
func closest(loc fyne.Locale) string {
	s := string(loc)
	t, err := language.Parse(s)
	if err != nil { // Fyne's locales put the region before the script
		base, _, _ := strings.Cut(s, "-")
		t = language.Make(base)
	}
	tags := make([]language.Tag, len(profiles.Languages))
	for i, l := range profiles.Languages {
		tags[i] = language.Make(l)
	}
	if _, i, conf := language.NewMatcher(tags).Match(t); conf != language.No {
		return profiles.Languages[i]
	}
	return "en"
}
