package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// uiSources are the folders (from here) and files whose strings the user
// sees: the screens, the tray, the controller's notices and errors, and
// the desktop entry point.
var uiSources = []string{".", "../tray", "../control", "../uitext", "../gui*.go"}

// untranslated are names and units: the UI may show them as they are,
// and their translations may be themselves.
var untranslated = map[string]bool{"Sockstray": true, "SOCKS5": true, "KB/s": true}

// textArgs are the calls whose arguments at these positions are shown to
// the user (by function or method name, whatever the receiver): a string
// literal with words in them must be a translation's key instead.
var textArgs = map[string][]int{
	// widget, container, fyne
	"NewLabel": {0}, "NewLabelWithStyle": {0}, "NewButton": {0}, "NewButtonWithIcon": {0},
	"NewCheck": {0}, "NewSelect": {0}, "NewRadioGroup": {0}, "NewHyperlink": {0},
	"NewFormItem": {0}, "NewCard": {0, 1}, "NewRichTextWithText": {0}, "NewTabItem": {0},
	"NewTabItemWithIcon": {0}, "NewMenuItem": {0}, "NewMenu": {0}, "NewWindow": {0},
	"NewNotification": {0, 1},
	// dialog
	"ShowConfirm": {0, 1}, "NewConfirm": {0, 1}, "ShowInformation": {0, 1}, "NewInformation": {0, 1},
	"NewCustom": {0, 1}, "ShowCustom": {0, 1}, "NewCustomWithoutButtons": {0}, "ShowCustomWithoutButtons": {0},
	"NewCustomConfirm": {0, 1, 2}, "ShowCustomConfirm": {0, 1, 2}, "NewForm": {0, 1, 2}, "ShowForm": {0, 1, 2},
	// setters
	"SetText": {0}, "SetPlaceHolder": {0}, "SetTitle": {0}, "SetConfirmText": {0}, "SetDismissText": {0},
	// the app's own: notices, failures, form errors, errors shown as they are
	"Notify": {1}, "notify": {1}, "fail": {0}, "setError": {0}, "bad": {1}, "errors.New": {0}, "fmt.Errorf": {0},
}

// textFields are fields that hold shown text, set by assignment or in a
// composite literal.
var textFields = map[string]bool{"Text": true, "Label": true, "PlaceHolder": true, "Title": true}

// langFuncs are the lang functions that take a key first, and whether the
// app may use them: not the plural ones, for the system's locale's plural
// rules would pick the form (see LoadTranslations).
var langFuncs = map[string]bool{"L": true, "X": true, "Localize": true, "LocalizeKey": true,
	"N": false, "XN": false, "LocalizePlural": false, "LocalizePluralKey": false}

// scanUI parses the UI's sources and returns the keys passed to lang, and
// the places where a literal with words is shown untranslated.
func scanUI(t *testing.T) (keys map[string]string, bare []string) {
	t.Helper()
	keys = map[string]string{} // where each is used
	fset := token.NewFileSet()
	var pkgs [][]*ast.File
	for _, src := range uiSources {
		pattern := filepath.Join(src, "*.go")
		if strings.HasSuffix(src, ".go") {
			pattern = src
		}
		names, err := filepath.Glob(pattern)
		if err != nil || len(names) == 0 {
			t.Fatalf("no Go files match %s: %v", pattern, err)
		}
		var files []*ast.File
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		pkgs = append(pkgs, files)
	}
	for _, files := range pkgs {
		consts := stringConsts(files)
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name, isLang := callName(n)
					if allowed, ok := langFuncs[name]; ok && isLang {
						if !allowed {
							t.Errorf("%s: lang.%s: say it without a plural (\"Connections: {{.Count}}\")", fset.Position(n.Pos()), name)
						}
						if len(n.Args) == 0 {
							return true
						}
						k, ok := stringValue(n.Args[0], consts)
						if !ok {
							t.Errorf("%s: the key of lang.%s is not a string literal or constant: this test cannot check it", fset.Position(n.Pos()), name)
							return true
						}
						keys[k] = fset.Position(n.Pos()).String()
						return true
					}
					for _, i := range shownArgs(n) {
						if i < len(n.Args) {
							bare = append(bare, bareLiterals(fset, n.Args[i])...)
						}
					}
				case *ast.AssignStmt:
					for i, lhs := range n.Lhs {
						if sel, ok := lhs.(*ast.SelectorExpr); ok && textFields[sel.Sel.Name] && i < len(n.Rhs) {
							bare = append(bare, bareLiterals(fset, n.Rhs[i])...)
						}
					}
				case *ast.KeyValueExpr:
					if id, ok := n.Key.(*ast.Ident); ok && textFields[id.Name] {
						bare = append(bare, bareLiterals(fset, n.Value)...)
					}
				}
				return true
			})
		}
	}
	slices.Sort(bare)
	return keys, slices.Compact(bare)
}

// callName is the name of the called function or method, and whether it
// is the lang package's.
func callName(c *ast.CallExpr) (string, bool) {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		return fn.Name, false
	case *ast.SelectorExpr:
		x, ok := fn.X.(*ast.Ident)
		return fn.Sel.Name, ok && x.Name == "lang"
	}
	return "", false
}

// shownArgs are the positions of c's arguments that textArgs names.
func shownArgs(c *ast.CallExpr) []int {
	if fn, ok := c.Fun.(*ast.SelectorExpr); ok {
		if x, ok := fn.X.(*ast.Ident); ok {
			if is, ok := textArgs[x.Name+"."+fn.Sel.Name]; ok {
				return is
			}
		}
	}
	name, _ := callName(c)
	return textArgs[name]
}

// stringConsts are the package's string constants given as literals.
func stringConsts(files []*ast.File) map[string]string {
	consts := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if v, ok := stringValue(vs.Values[i], nil); ok {
							consts[name.Name] = v
						}
					}
				}
			}
		}
	}
	return consts
}

// stringValue is the value of a string literal, or of a constant of consts.
func stringValue(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	}
	return "", false
}

// notWords are what is no word in a literal: format verbs and template
// actions.
var notWords = regexp.MustCompile(`%[-+# 0]*[0-9*]*(\.[0-9*]+)?[a-zA-Z%]|\{\{[^}]*\}\}`)

// bareLiterals are the string literals in e, outside lang's calls, that
// hold a word.
func bareLiterals(fset *token.FileSet, e ast.Expr) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if name, isLang := callName(n); isLang && slices.Contains(slices.Collect(maps.Keys(langFuncs)), name) {
				return false
			}
		case *ast.FuncLit:
			return false
		case *ast.BasicLit:
			s, err := strconv.Unquote(n.Value)
			if n.Kind != token.STRING || err != nil || untranslated[s] {
				return false
			}
			if strings.IndexFunc(notWords.ReplaceAllString(s, ""), unicode.IsLetter) >= 0 {
				out = append(out, fset.Position(n.Pos()).String()+": "+n.Value)
			}
		}
		return true
	})
	return out
}
