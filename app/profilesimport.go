package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sockstray/sockstray/profiles"
)

// profilesImport imports the share link arg, or with arg "-" the link
// read from stdin.
func profilesImport(s *profiles.Store, arg string, stdin io.Reader, stdout, stderr io.Writer) error {
	link := arg
	if arg == "-" {
		var err error
		if link, err = readLink(stdin, stderr); err != nil {
			return err
		}
	}
	l, err := profiles.ParseLink(link)
	if err != nil {
		return err
	}
	p, err := s.Import(l)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported profile %q: listens on %s:%d, via %s\n", p.Name, p.Host, p.Port, upstreamLabel(p.Upstreams[0]))
	if l.Password != "" {
		fmt.Fprintf(stdout, "its password is in the keychain as %s\n", profiles.UpstreamAccount(p.Name, p.Upstreams[0]))
	}
	return nil
}

// maxLinkInput bounds what `import -` reads: a link with the longest
// username and password RFC 1929 allows is well under this.
const maxLinkInput = 4096

// readLink reads the one link `import -` takes from stdin. From a terminal
// it prompts on prompt and takes the first line. From a pipe or a file it
// reads to the end, which must hold one line: a second link would
// otherwise be dropped unseen. Its errors never quote the input.
func readLink(stdin io.Reader, prompt io.Writer) (string, error) {
	r := bufio.NewReader(io.LimitReader(stdin, maxLinkInput+1))
	var text string
	var err error
	if isTerminal(stdin) {
		fmt.Fprint(prompt, "Paste the link and press Enter: ")
		text, err = r.ReadString('\n')
	} else {
		var b []byte
		b, err = io.ReadAll(r)
		text = string(b)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the link from standard input: %w", err)
	}
	if len(text) > maxLinkInput {
		return "", fmt.Errorf("standard input holds more than %d bytes; want one link", maxLinkInput)
	}
	var lines []string
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	switch len(lines) {
	case 0:
		return "", errors.New("no link on standard input; want one line such as socks5://USER:PASSWORD@HOST:PORT#NAME")
	case 1:
		return lines[0], nil
	}
	return "", fmt.Errorf("standard input holds %d lines; want one link (import them one at a time)", len(lines))
}

// isTerminal reports whether r is a terminal (a character device).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
