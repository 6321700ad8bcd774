package profiles

import (
	"errors"
	"strings"

	"github.com/BurntSushi/toml"
)

// The TOML parser's messages quote the text it choked on ("expected value
// but found \"hunter\" instead"), and that text may be a password typed on
// the wrong line, under any key. So a syntax error is reported by its
// position, its key and a message of ours picked from this table by what
// the parser's message says; the parser's message itself is never shown.
// The first row with a matching fragment wins; fragments are lower case.
var syntaxMessages = []struct {
	fragments []string
	msg       string
}{
	{[]string{"newlines not allowed within inline tables"}, "an inline table { … } must be on one line"},
	{[]string{"strings cannot contain newlines"}, "a string is not closed on its line (a missing closing quote?)"},
	{[]string{`unexpected eof; expected '"`, `unexpected eof; expected "'`}, "a string is not closed before the end of the file"},
	{[]string{"unexpected eof; expected value", `expected value but found '\n'`}, "no value after the ="},
	{[]string{"expected value but found"}, `not a value: text needs quotes (key = "text"); numbers, true and false do not`},
	{[]string{"expected a top-level item to end"}, "more after the value; want one key = value per line (text in quotes)"},
	{[]string{"table name", "table array name"}, "a malformed [table] header"},
	{[]string{"key name appears blank", "keys cannot start", "key separator", "expected '.' or '='", "unexpected '='", "unexpected '.'"}, "a malformed line; want key = value"},
	{[]string{"escape", "hexadecimal digits after"}, `an invalid \ escape in a string; use 'single quotes' for text with backslashes`},
	{[]string{"unexpected comma", "array terminator"}, `a malformed list; want ["a", "b"]`},
	{[]string{"inline table terminator"}, "a malformed inline table; want {key = value, …} on one line"},
	{[]string{"datetime", "duration"}, "a malformed date or time"},
	{[]string{"float", "integer", "digit", "number", "out of range", "out of the safe"}, "a malformed number"},
	{[]string{"already been defined", "already created", "is not a table"}, "defined twice; each key and table may appear once"},
	{[]string{"control character"}, "a control character, which TOML files cannot hold"},
	{[]string{"utf-8", "null bytes"}, "not UTF-8 text; TOML files must be UTF-8"},
	{[]string{"unexpected eof"}, "the file ends in the middle of a line"},
}

// syntaxProblem describes a TOML syntax error by where it is and what is
// wrong, never by the text there.
func syntaxProblem(err error) Problem {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return Problem{Msg: "TOML syntax: not valid TOML"}
	}
	return Problem{Field: pe.LastKey, Msg: "TOML syntax: " + syntaxMessage(pe.Message), Line: pe.Position.Line, Col: pe.Position.Col}
}

// syntaxMessage is the row of syntaxMessages that parserMsg matches.
func syntaxMessage(parserMsg string) string {
	m := strings.ToLower(parserMsg)
	for _, row := range syntaxMessages {
		for _, f := range row.fragments {
			if strings.Contains(m, f) {
				return row.msg
			}
		}
	}
	return "not valid TOML here"
}
