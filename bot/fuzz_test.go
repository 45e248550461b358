package bot

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzSplitCommand feeds the /mentorship text parser whatever a person can type:
// the subcommand is the first word, lower-cased, whatever white space separates it
// from the rest (a tab, a no-break space from a phone's keyboard), and the rest is
// its arguments, trimmed, their words untouched.
func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{"", "join", "  PROGRAM   new ", "match\tnext", "program\u00a0new", "help me please", "\n", "évaluer x", "\xff\xfe join"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		name, args := splitCommand(text)
		if strings.IndexFunc(name, unicode.IsSpace) >= 0 {
			t.Fatalf("splitCommand(%q): name %q holds white space", text, name)
		}
		if strings.ToLower(name) != name {
			t.Fatalf("splitCommand(%q): name %q is not lower case", text, name)
		}
		if strings.TrimSpace(args) != args {
			t.Fatalf("splitCommand(%q): args %q not trimmed", text, args)
		}
		words := strings.Fields(text)
		if len(words) == 0 {
			if name != "" || args != "" {
				t.Fatalf("splitCommand(%q) = %q, %q; want nothing", text, name, args)
			}
			return
		}
		if name != strings.ToLower(words[0]) {
			t.Fatalf("splitCommand(%q): name %q, want %q", text, name, strings.ToLower(words[0]))
		}
		if got := strings.Fields(args); strings.Join(got, " ") != strings.Join(words[1:], " ") {
			t.Fatalf("splitCommand(%q): args %q, want the words %q", text, args, words[1:])
		}
	})
}
