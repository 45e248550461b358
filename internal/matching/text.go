package matching

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalize returns the words of s the scorer matches on, in order of first
// appearance, without repeats: s is lower-cased and split at every rune that is not
// a letter or digit; words of one rune, numbers and stop words (common English words
// and words every profile of this program uses, such as "library" or "mentor") are
// dropped; the rest are lightly stemmed (Stem), so "grants" matches "grant" and
// "cataloguing" matches "catalog".
func Normalize(s string) []string {
	stems, _ := tokens(s)
	var out []string
	for _, st := range stems {
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out
}

// tokens returns the stems of Normalize(s) with repeats, and for each the
// lower-cased word it came from (what reasons show).
func tokens(s string) (stems, words []string) {
	fields := strings.FieldsFunc(strings.ToLower(s), notWordRune)
	stems, words = make([]string, 0, len(fields)), make([]string, 0, len(fields))
	for _, w := range fields {
		if utf8.RuneCountInString(w) < 2 || allDigits(w) || stopWords[w] {
			continue
		}
		st := Stem(w)
		if len(st) < 2 || stopWords[st] {
			continue
		}
		stems = append(stems, st)
		words = append(words, w)
	}
	return stems, words
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func allDigits(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Stem strips common English endings from a lower-case word, lightly and
// predictably: plural -s/-es/-ies, -ing, -ed, a final -e, British -isation and
// -ue ("catalogue"). It is not a full stemmer: it only has to make the same word's
// forms meet.
func Stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") &&
		!strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n >= 7 && strings.HasSuffix(w, "ing"):
		w = w[:n-3]
	case n >= 6 && strings.HasSuffix(w, "ed"):
		w = w[:n-2]
	}
	if strings.HasSuffix(w, "isation") {
		w = strings.TrimSuffix(w, "isation") + "ization"
	}
	if n = len(w); n > 4 && strings.HasSuffix(w, "e") {
		w = w[:n-1]
	}
	if n = len(w); n > 4 && strings.HasSuffix(w, "gu") {
		w = w[:n-1]
	}
	return w
}

// normalizeArea is the key areas match on: lower case, '-' and '_' as spaces, runs
// of spaces as one, no surrounding spaces or punctuation.
func normalizeArea(a string) string {
	a = strings.Map(func(r rune) rune {
		if r == '-' || r == '_' {
			return ' '
		}
		return unicode.ToLower(r)
	}, a)
	a = strings.Join(strings.Fields(a), " ")
	return strings.TrimFunc(a, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
}

// stopWords are dropped before matching: common English words, and words nearly
// every profile of a librarians' mentorship program uses, which say nothing about
// whether a mentor can help.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a about above after again against all also am an and any are aren as at be because
been before being below between both but by can cannot could did do does doing done
down during each either etc even ever every few for from further get gets getting
give go going good got had has have having he her here hers herself him himself his
how however i if in into is isn it its itself just know let like likely lot lots make
many may me more most much must my myself need needs no nor not now of off often on
once only or other our ours ourselves out over own per perhaps please quite rather
really same see she should so some someone something such than that the their
theirs them themselves then there these they thing things this those through thus
to too toward towards under until up upon us use used using very via want wanted
wants was way ways we well were what when where whether which while who whom whose
why will with within without would yet you your yours yourself yourselves
able advice area areas currently especially etc experience experienced field help
helping hope hoping interest interested interests learn learning librarian
librarians librarianship libraries library look looking mentee mentees mentor
mentoring mentors mentorship new offer offering program programs share sharing
specific start started starting support time work working year years`) {
		m[w] = true
	}
	return m
}()
