package ui

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/sockstray/sockstray/assets"
	"github.com/sockstray/sockstray/profiles"
)

// translationFile reads one language's file: each key's text, or (for
// some of Fyne's keys) its plural forms.
func translationFile(t *testing.T, tag string) map[string]any {
	t.Helper()
	data, err := assets.Translations.ReadFile(path.Join(assets.TranslationsDir, tag+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return parseTranslations(t, tag+".json", data)
}

func parseTranslations(t *testing.T, name string, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// fyneStrings are Fyne's own strings, from its English translation in the
// module this build uses: the app's files hold them too.
func fyneStrings(t *testing.T) map[string]any {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "fyne.io/fyne/v2").Output()
	if err != nil {
		t.Fatalf("go list fyne.io/fyne/v2: %v", err)
	}
	name := filepath.Join(strings.TrimSpace(string(out)), "lang", "translations", "base.en.json")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return parseTranslations(t, name, data)
}

// texts are a translation's texts: itself, or its plural forms'.
func texts(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		for _, form := range slices.Sorted(maps.Keys(v)) {
			s, _ := v[form].(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// fields are the template fields a text uses ({{.Name}} → Name).
func fields(t *testing.T, where, text string) []string {
	t.Helper()
	if _, err := template.New("").Parse(text); err != nil {
		t.Errorf("%s: %v", where, err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`).FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestUIStringsTranslated fails when a string the UI shows is not a
// translation key, or when a key lacks a text in a language: every key the
// code passes to lang is in every file, non-empty, with the same template
// fields as the key; Chinese texts differ from the English keys (but for
// names and units); every file holds Fyne's own strings, in the shape
// Fyne's files give them; and no file holds a key nothing uses.
func TestUIStringsTranslated(t *testing.T) {
	keys, bare := scanUI(t)
	for _, b := range bare {
		t.Errorf("%s is shown untranslated: pass it through lang.L (and add it to assets/translations)", b)
	}
	if len(keys) < 100 {
		t.Fatalf("only %d keys found: is the scan broken?", len(keys))
	}
	fyneKeys := fyneStrings(t)
	for _, tag := range profiles.Languages {
		file := translationFile(t, tag)
		for k, pos := range keys {
			where := tag + ".json: " + strconv.Quote(k) + " (" + pos + ")"
			v, ok := file[k].(string)
			if !ok {
				t.Errorf("%s: missing, or not a text", where)
				continue
			}
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: empty", where)
			}
			if got, want := fields(t, where, v), fields(t, "key "+strconv.Quote(k), k); !slices.Equal(got, want) {
				t.Errorf("%s: %q uses the fields %v, the key %v", where, v, got, want)
			}
			if tag != "en" && v == k && !untranslated[k] {
				t.Errorf("%s: not translated", where)
			}
		}
		for k, fv := range fyneKeys {
			where := tag + ".json: Fyne's " + strconv.Quote(k)
			v, ok := file[k]
			if !ok {
				t.Errorf("%s: missing (copy it from Fyne's lang/translations)", where)
				continue
			}
			if want, got := texts(fv), texts(v); len(got) != len(want) || slices.Contains(got, "") {
				t.Errorf("%s: %v, want the forms of %v", where, v, fv)
			}
		}
		for k := range file {
			_, used := keys[k]
			if _, fyne := fyneKeys[k]; !used && !fyne {
				t.Errorf("%s.json: %q is used nowhere in the UI", tag, k)
			}
		}
	}
}

// TestTranslationFilesAreTheLanguages checks the translation files and
// the languages the settings accept are the same set, and each is named.
func TestTranslationFilesAreTheLanguages(t *testing.T) {
	entries, err := assets.Translations.ReadDir(assets.TranslationsDir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, strings.TrimSuffix(e.Name(), ".json"))
	}
	want := slices.Sorted(slices.Values(profiles.Languages))
	if !slices.Equal(files, want) {
		t.Errorf("translation files %v, profiles.Languages %v", files, want)
	}
	for _, l := range profiles.Languages {
		if LanguageNames[l] == "" {
			t.Errorf("LanguageNames has no name for %s", l)
		}
	}
}
