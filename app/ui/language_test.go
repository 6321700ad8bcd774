package ui

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/profiles"
)

// envLanguageChild holds the language setting in a child of
// TestLanguage: Fyne's translations are process-wide and load once, so
// each language is tried in a child process, the test binary again
// running TestLanguageChild.
const envLanguageChild = "SOCKSTRAY_TEST_LANGUAGE"

// TestMain loads the English translations for the tests that assert
// English labels, whatever the locale they run in; a child loads its own.
func TestMain(m *testing.M) {
	if _, child := os.LookupEnv(envLanguageChild); !child {
		if _, err := LoadTranslations("en"); err != nil {
			fmt.Fprintln(os.Stderr, "translations:", err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// languageReport is what a child saw.
type languageReport struct {
	Language string   // chosen by LoadTranslations
	Tabs     []string // the tabs' labels
	Labels   []string // the labels rendered in the window
	Proxy    string   // the status bar's switch
	State    string   // the status bar's text
	FyneCut  string   // a string of Fyne's own (the text field's menu)
}

// TestLanguageChild is the child of TestLanguage: it loads the
// translations, builds the window with Fyne's test driver, and prints
// what it shows.
func TestLanguageChild(t *testing.T) {
	setting, ok := os.LookupEnv(envLanguageChild)
	if !ok {
		t.Skip("TestLanguage runs this in a child process")
	}
	tag, err := LoadTranslations(setting)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := newWindow(t)
	r := languageReport{
		Language: tag,
		Proxy:    w.Status.Proxy.Text,
		State:    w.Status.Text.Text,
		FyneCut:  lang.L("Cut"),
	}
	for _, it := range w.Tabs.Items {
		r.Tabs = append(r.Tabs, it.Text)
	}
	for _, l := range find[*widget.Label](w.Win.Canvas().Content(), nil) {
		r.Labels = append(r.Labels, l.Text)
	}
	out, _ := json.Marshal(r)
	fmt.Printf("REPORT %s\n", out)
}

// TestLanguage checks the language follows the system's locale, that the
// setting wins over it, and that the window then shows that language,
// Fyne's own strings included. The locale comes from LANG here; macOS and
// Windows give Fyne theirs another way, and LoadTranslations works the
// same on the locale it gets.
func TestLanguage(t *testing.T) {
	zh := languageReport{Language: "zh-Hans", Tabs: []string{"配置文件", "连接", "吞吐量", "局域网共享", "用量", "日志"},
		Labels: []string{"配置文件：", "监听地址"}, Proxy: "启用代理", State: "已关闭（开启后监听 ", FyneCut: "剪切"}
	en := languageReport{Language: "en", Tabs: []string{"Profiles", "Connections", "Throughput", "LAN sharing", "Usage", "Log"},
		Labels: []string{"Profile:", "Listen host"}, Proxy: "Proxy on", State: "Off (would listen on ", FyneCut: "Cut"}
	for _, tc := range []struct {
		name, locale, setting string
		want                  languageReport
	}{
		{"Chinese system", "zh_CN.UTF-8", "", zh},
		{"Singapore Chinese system", "zh_SG.UTF-8", "", zh},
		{"English system", "en_US.UTF-8", "", en},
		{"German system", "de_DE.UTF-8", "", en},
		{"C locale", "C", "", en},
		{"setting Chinese on English", "en_US.UTF-8", "zh-Hans", zh},
		{"setting Chinese on German", "de_DE.UTF-8", "zh-Hans", zh},
		{"setting English on Chinese", "zh_CN.UTF-8", "en", en},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, stderr := runLanguageChild(t, tc.locale, tc.setting)
			w := tc.want
			if got.Language != w.Language || !slices.Equal(got.Tabs, w.Tabs) || got.Proxy != w.Proxy ||
				!strings.HasPrefix(got.State, w.State) || got.FyneCut != w.FyneCut {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			for _, l := range w.Labels {
				if !slices.Contains(got.Labels, l) {
					t.Errorf("no label %q rendered; labels: %q", l, got.Labels)
				}
			}
			if strings.Contains(stderr, "Translation failure") {
				t.Errorf("stderr:\n%s", stderr)
			}
		})
	}
}

// runLanguageChild runs TestLanguageChild with the locale and the setting
// and returns its report and its stderr.
func runLanguageChild(t *testing.T, locale, setting string) (languageReport, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLanguageChild$", "-test.count=1")
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name != "LANGUAGE" && name != "LANG" && !strings.HasPrefix(name, "LC_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LANG="+locale, envLanguageChild+"="+setting)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if js, ok := strings.CutPrefix(sc.Text(), "REPORT "); ok {
			var r languageReport
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatal(err)
			}
			return r, stderr.String()
		}
	}
	t.Fatalf("child printed no report\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	return languageReport{}, ""
}

// TestLanguageSetting chooses a language in the settings dialog: it is
// saved, and the dialog says it applies at the next start.
func TestLanguageSetting(t *testing.T) {
	w, c := newWindow(t)
	s := w.Settings
	test.Tap(s.Button)
	if s.Language.Selected != s.labels[0] || s.Note.Visible() {
		t.Fatalf("at first: %q selected, note shown %v", s.Language.Selected, s.Note.Visible())
	}
	s.Language.SetSelected(LanguageNames["zh-Hans"])
	settle(w)
	if got := c.Settings().Language; got != "zh-Hans" {
		t.Fatalf("setting %q, want zh-Hans", got)
	}
	if !s.Note.Visible() || !strings.Contains(s.Note.Text, "next starts") {
		t.Errorf("note %q shown %v", s.Note.Text, s.Note.Visible())
	}
	s.Language.SetSelected(s.labels[0])
	settle(w)
	if got := c.Settings().Language; got != "" || s.Note.Visible() {
		t.Errorf("back to the system's: setting %q, note shown %v", got, s.Note.Visible())
	}
	if err := c.SetLanguage("fr"); err == nil {
		t.Error("SetLanguage(fr) saved a language the app does not have")
	}
	if s.labels[0] != "System (English)" || !slices.Equal(s.tags, append([]string{""}, profiles.Languages...)) {
		t.Errorf("options %q for %q", s.labels, s.tags)
	}
}
