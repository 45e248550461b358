package mentor

import "strings"

// Forgotten is what forgetting a person (a data-deletion request) removed from one
// cycle. Their sign-up, the text of their evaluations and concerns, and their name in
// duo records are gone; what the program counts stays, under an anonymous token that
// stands for the person in that cycle only.
type Forgotten struct {
	CycleID string
	// Profile: the sign-up was removed; its role and status are still counted.
	Profile bool
	// Evaluations removed (each still counted as submitted).
	Evaluations int
	// Concerns whose author and text were removed (each still counted).
	Concerns int
	// Duos whose record names the token instead of the person (still counted).
	Duos int
	// Agreements whose versions or signatures named the person.
	Agreements int
}

// Empty reports whether nothing of the person was left in the cycle.
func (f Forgotten) Empty() bool {
	return !f.Profile && f.Evaluations == 0 && f.Concerns == 0 && f.Duos == 0 && f.Agreements == 0
}

// ValidUserID reports whether id looks like a Slack user id (U… or W…, capital
// letters and digits): what forgetting accepts, so a typo cannot match nothing
// silently or something else by accident.
func ValidUserID(id string) bool {
	if len(id) < 3 || len(id) > 32 || (id[0] != 'U' && id[0] != 'W') {
		return false
	}
	return strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
}
