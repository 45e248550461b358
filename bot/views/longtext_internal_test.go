package views

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var halfEntity = regexp.MustCompile(`&(?:amp;|lt;|gt;)?`)

func TestMrkdwnPartsKeepEverythingAndEveryEntityWhole(t *testing.T) {
	inputs := []string{
		"",
		"short",
		strings.Repeat("<&>", 1000),
		strings.Repeat("a&b ", 900),
		strings.Repeat("line with <tags> & more\n", 200),
		strings.Repeat("図書館&", 1200),
		strings.Repeat("x", 2799) + "&" + strings.Repeat("y", 10),
	}
	for _, in := range inputs {
		e := Escape(in)
		for _, n := range []int{10, 37, 100, 2800} {
			parts := mrkdwnParts(e, n, 1<<20)
			var joined strings.Builder
			for _, p := range parts {
				if c := utf8.RuneCountInString(p); c > n || c == 0 {
					t.Fatalf("n=%d: a part of %d characters", n, c)
				}
				for _, m := range halfEntity.FindAllString(p, -1) {
					if m == "&" {
						t.Fatalf("n=%d: part %q splits an entity", n, p)
					}
				}
				joined.WriteString(p)
			}
			squash := func(s string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(s) }
			if squash(joined.String()) != squash(e) {
				t.Fatalf("n=%d: parts of %q lose text", n, Truncate(in, 40))
			}
		}
	}
	if got := mrkdwnParts(Escape(strings.Repeat("<", 100)), 10, 2); len(got) != 2 || !strings.HasSuffix(got[1], "…") {
		t.Fatalf("capped parts = %q, want two, the last cut with …", got)
	}
}
