package pairing_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/pairing"
)

// slackChannelName is Slack's rule for channel names, plus ours: no empty parts.
var slackChannelName = regexp.MustCompile(`^[a-z0-9_-]{1,80}$`)

// mustBeChannelName fails unless name follows Slack's rules and reads cleanly.
func mustBeChannelName(t *testing.T, name string) {
	t.Helper()
	if !slackChannelName.MatchString(name) {
		t.Fatalf("%q is not a Slack channel name (lower-case letters, digits, - and _, at most 80)", name)
	}
	if strings.Contains(name, "--") || strings.HasSuffix(name, "-") || strings.HasPrefix(name, "-") {
		t.Fatalf("%q has a double, leading or trailing dash", name)
	}
}

func TestChannelName(t *testing.T) {
	tests := []struct {
		name                 string
		cycle, mentee, mentr string
		suffix               int
		want                 string
	}{
		{"first names, en dash in the cycle", "2026–2027", "Ada Lovelace", "Grace Hopper", 1, "duo-2026-2027-ada-grace"},
		{"suffix 0 is no suffix", "2026–2027", "Ada Lovelace", "Grace Hopper", 0, "duo-2026-2027-ada-grace"},
		{"suffix 2", "2026–2027", "Ada Lovelace", "Grace Hopper", 2, "duo-2026-2027-ada-grace-2"},
		{"suffix 13", "2026–2027", "Ada Lovelace", "Grace Hopper", 13, "duo-2026-2027-ada-grace-13"},
		{"em dash and slash", "2026—27 / spring", "ada", "grace", 1, "duo-2026-27-spring-ada-grace"},
		{"upper case", "SPRING 2027", "ADA", "GRACE", 1, "duo-spring-2027-ada-grace"},
		{"hyphenated first name", "2026–2027", "Anne-Marie Dupont", "Jean_Luc Picard", 1, "duo-2026-2027-anne-marie-jean-luc"},
		{"punctuation dropped", "2026–2027", "O'Brien", "Dr. Who", 1, "duo-2026-2027-obrien-dr"},
		{"accents dropped", "2026–2027", "Zoë Saldaña", "José Martí", 1, "duo-2026-2027-zo-jos"},
		{"non-ASCII names fall back to the user id", "2026–2027", "李娜", "Ωμέγα Παπαδοπούλου", 1, "duo-2026-2027-u0mentee1-u0mentor1"},
		{"empty names fall back to the user id", "2026–2027", "", "   ", 1, "duo-2026-2027-u0mentee1-u0mentor1"},
		{"names of only dashes fall back", "2026–2027", "---", "...", 1, "duo-2026-2027-u0mentee1-u0mentor1"},
		{"no cycle name", "", "Ada", "Grace", 1, "duo-cycle-ada-grace"},
		{"emoji cycle name", "🌱🌱", "Ada", "Grace", 1, "duo-cycle-ada-grace"},
		{"dashes around parts trimmed", "--2026--2027--", "-Ada-", "_Grace_", 1, "duo-2026-2027-ada-grace"},
		{"long parts cut at 20", "Mentorship Program of the Librarians' Association 2026–2027",
			"Bartholomewmaximilianus", "Wolfeschlegelsteinhausenbergerdorff", 1,
			"duo-mentorship-program-o-bartholomewmaximilia-wolfeschlegelsteinha"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pairing.ChannelName(tt.cycle, tt.mentee, tt.mentr, "U0MENTEE1", "U0MENTOR1", tt.suffix)
			if got != tt.want {
				t.Fatalf("ChannelName = %q, want %q", got, tt.want)
			}
			mustBeChannelName(t, got)
		})
	}
}

func TestChannelNameAlwaysFollowsSlackRules(t *testing.T) {
	texts := []string{
		"", " ", "-", "–", "a", "Ada", "ADA LOVELACE", "2026–2027", "2026 – 2027", "x-", "-x", "a--b", "a - b", "a_-_b",
		"李娜", "Zoë", "ß", "İstanbul", "🌱 Garden", "tab\there", "new\nline", "<!channel>", "<@U123>", "a&b", "a.b.c",
		strings.Repeat("a", 200), strings.Repeat("ab-", 50), strings.Repeat("-", 30) + "z", strings.Repeat("é", 100),
		strings.Repeat("a ", 40), "abcdefghijklmnopqrs t", "abcdefghijklmnopqrs-tuv",
	}
	for _, cycle := range texts {
		for _, name := range texts {
			for _, suffix := range []int{0, 1, 2, 20, 9999} {
				got := pairing.ChannelName(cycle, name, name+" Smith", "U0MENTEE1", "U0MENTOR1", suffix)
				mustBeChannelName(t, got)
				if suffix > 1 && !strings.HasSuffix(got, "-"+strconv.Itoa(suffix)) {
					t.Fatalf("ChannelName(%q, %q, suffix %d) = %q, lost its suffix", cycle, name, suffix, got)
				}
			}
		}
	}
}

func TestChannelNamesOfDifferentSuffixesDiffer(t *testing.T) {
	seen := map[string]int{}
	for suffix := 1; suffix <= 20; suffix++ {
		n := pairing.ChannelName("2026–2027", "Ada", "Grace", "U1", "U2", suffix)
		if prev, dup := seen[n]; dup {
			t.Fatalf("suffixes %d and %d both give %q", prev, suffix, n)
		}
		seen[n] = suffix
	}
}

func TestTopicName(t *testing.T) {
	tests := []struct{ value, want string }{
		{"experience", "professional experience"},
		{"grants", "grant opportunities"},
		{"career", "career advice"},
		{"research", "research topic"},
		{"resume", "resume"},
		{"development", "professional development"},
		{"self-assessment", "self-assessment"},
		{"web-page", "personal web page"},
		{"organizations", "professional organizations"},
		{"digital humanities", "digital humanities"}, // free text stays as typed
		{"", ""},
	}
	for _, tt := range tests {
		if got := pairing.TopicName(tt.value); got != tt.want {
			t.Errorf("TopicName(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}
