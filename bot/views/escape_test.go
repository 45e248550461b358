package views_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/bot/views"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain *bold* _it_ `code` ~x~", "plain *bold* _it_ `code` ~x~"},
		{"a & b", "a &amp; b"},
		{"<!channel>", "&lt;!channel&gt;"},
		{"<!here|here> <!subteam^S123>", "&lt;!here|here&gt; &lt;!subteam^S123&gt;"},
		{"<@U123> & <https://evil|x>", "&lt;@U123&gt; &amp; &lt;https://evil|x&gt;"},
		{"&amp; typed literally", "&amp;amp; typed literally"},
		{"&lt;&gt;", "&amp;lt;&amp;gt;"},
		{"<<>>&&", "&lt;&lt;&gt;&gt;&amp;&amp;"},
		{"日本語 <b>図書館</b>", "日本語 &lt;b&gt;図書館&lt;/b&gt;"},
		{"Zoë's \"quotes\" stay", "Zoë's \"quotes\" stay"},
	}
	for _, tt := range tests {
		if got := views.Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeExactlyOnce(t *testing.T) {
	for _, s := range []string{"", "a&b", "<@U1>", "&amp;", "&&&", "<<<", "x &lt; y", "図 & 書 < 館 >"} {
		e := views.Escape(s)
		if strings.ContainsAny(e, "<>") {
			t.Errorf("Escape(%q) = %q still has < or >", s, e)
		}
		if back := html.UnescapeString(e); back != s {
			t.Errorf("Escape(%q) = %q reads back as %q: not escaped exactly once", s, e, back)
		}
	}
}

// brokenEntity finds each '&' with the entity it starts; a bare "&" match is half an
// entity left by a cut.
var brokenEntity = regexp.MustCompile(`&(?:amp;|lt;|gt;)?`)

func wholeEntities(s string) bool {
	for _, m := range brokenEntity.FindAllString(s, -1) {
		if m == "&" {
			return false
		}
	}
	return true
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short enough", "abc", 3, "abc"},
		{"empty", "", 5, ""},
		{"cut with an ellipsis", "abcdef", 4, "abc…"},
		{"zero", "abcdef", 0, ""},
		{"two", "abcdef", 2, "a…"},
		{"CJK counts runes", "日本語のテキスト", 4, "日本語…"},
		{"CJK short enough", "日本語", 3, "日本語"},
		{"emoji", "🌱🌱🌱🌱", 3, "🌱🌱…"},
		{"plain text keeps its ampersands", "R&D librarian, special collections", 20, "R&D librarian, spec…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := views.Truncate(tt.in, tt.n); got != tt.want {
				t.Fatalf("Truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestTruncateMrkdwn(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short enough", "abc", 3, "abc"},
		{"cut inside &amp; drops it", "ab&amp;cd", 5, "ab…"},
		{"cut inside &lt; drops it", "x&lt;y", 3, "x…"},
		{"cut right after the & drops it", "ab&gt;", 4, "ab…"},
		{"whole entity before the cut stays", "&amp;bcdef", 7, "&amp;b…"},
		{"entity ending at the cut stays", "ab&lt;cdef", 7, "ab&lt;…"},
		{"only the last entity can be cut", "&lt;@U1&gt; &amp; co", 15, "&lt;@U1&gt; …"},
		{"CJK with an entity", "図書館&amp;本", 5, "図書館…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := views.TruncateMrkdwn(tt.in, tt.n); got != tt.want {
				t.Fatalf("TruncateMrkdwn(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestTruncateNeverSplitsAnEntityOrARune(t *testing.T) {
	inputs := []string{
		"<!channel> <@U123> & <https://evil|x>",
		"&&&&&&&&&&",
		"a<b>c&d<e>f&g",
		"図書館 & <司書> & 本",
		"🌱<🌱>&🌱",
		strings.Repeat("<&>", 40),
	}
	for _, in := range inputs {
		e := views.Escape(in)
		for n := 2; n <= utf8.RuneCountInString(e)+1; n++ {
			got := views.TruncateMrkdwn(e, n)
			if !utf8.ValidString(got) {
				t.Fatalf("Truncate(%q, %d) = %q is not valid UTF-8", e, n, got)
			}
			if c := utf8.RuneCountInString(got); c > n {
				t.Fatalf("Truncate(%q, %d) = %q has %d characters", e, n, got, c)
			}
			if !wholeEntities(got) {
				t.Fatalf("Truncate(%q, %d) = %q splits an entity", e, n, got)
			}
			if !strings.HasPrefix(e, strings.TrimSuffix(got, "…")) {
				t.Fatalf("Truncate(%q, %d) = %q is not a prefix of the text", e, n, got)
			}
		}
	}
}

func TestTruncateToOneCharacterKeepsEntitiesWhole(t *testing.T) {
	if got := views.TruncateMrkdwn("&amp;x", 1); !wholeEntities(got) {
		t.Fatalf("TruncateMrkdwn(%q, 1) = %q splits an entity", "&amp;x", got)
	}
}

func TestTruncateOfPlainTextKeepsAmpersands(t *testing.T) {
	if got := views.Truncate("R&D librarian, special collections and archives", 20); got != "R&D librarian, spec…" {
		t.Fatalf("Truncate = %q", got)
	}
}

func TestSafeText(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"Grant writing & cataloguing", 100, "Grant writing &amp; cataloguing"},
		{"<!channel> hi", 100, "&lt;!channel&gt; hi"},
		{"<@U123> & co", 8, "&lt;@U1…"},
		{"<@U123> & co", 3, "…"},
		{"&amp;", 100, "&amp;amp;"},
		{"図書館 <司書>", 6, "図書館 …"},
		{"", 10, ""},
	}
	for _, tt := range tests {
		if got := views.SafeText(tt.in, tt.n); got != tt.want {
			t.Errorf("SafeText(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
