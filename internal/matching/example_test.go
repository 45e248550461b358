package matching_test

import (
	"fmt"

	"github.com/mentorbot/mentorbot/internal/matching"
)

func ExampleSolve() {
	mentees := []matching.Person{
		{ID: "amy", Stage: matching.Student, Areas: []string{"cataloguing"}, Text: "RDA and MARC practice",
			Methods: []string{"email"}, Frequency: "monthly", UTCOffset: -300},
		{ID: "ben", Stage: matching.New, Areas: []string{"grant opportunities"}, Text: "my first grant proposal",
			Methods: []string{"video"}, Frequency: "biweekly", UTCOffset: 480, Avoid: []string{"wei"}},
	}
	mentors := []matching.Person{
		{ID: "linda", Stage: matching.Mid, Areas: []string{"Cataloguing"}, Text: "original cataloguing in RDA, MARC",
			Methods: []string{"email", "slack"}, Frequency: "monthly", UTCOffset: -240, Capacity: 1},
		{ID: "wei", Stage: matching.Senior, Areas: []string{"grant opportunities"}, Text: "I review grant proposals",
			Methods: []string{"video"}, Frequency: "biweekly", UTCOffset: 480, Capacity: 2},
	}
	// Amy and Linda would score best, but Ben avoids Wei: matching both mentees
	// comes first, so Amy gets Wei and Ben gets Linda.
	res := matching.Solve(mentees, mentors, matching.DefaultWeights())
	for _, p := range res.Pairs {
		fmt.Printf("%s–%s %d: %s\n", p.MenteeID, p.MentorID, p.Score.Points, p.Score.Text())
	}
	fmt.Println("unmatched:", res.Unmatched, "total:", res.Total)
	// Output:
	// amy–wei -9: no shared topics; no communication method in common; monthly vs biweekly meetings; 11 h apart; mentor is three stages more senior
	// ben–linda -5: no shared topics; no communication method in common; biweekly vs monthly meetings; 12 h apart; mentor is one stage more senior
	// unmatched: [] total: -14
}

func ExampleRank() {
	amy := matching.Person{ID: "amy", Stage: matching.Student, Areas: []string{"cataloguing"},
		Text: "RDA and MARC practice", Methods: []string{"email"}, Frequency: "monthly", UTCOffset: -300}
	mentors := []matching.Person{
		{ID: "wei", Stage: matching.Senior, Areas: []string{"grant opportunities"}, Methods: []string{"video"}, Capacity: 2},
		{ID: "linda", Stage: matching.Mid, Areas: []string{"Cataloguing"}, Text: "original cataloguing in RDA, MARC",
			Methods: []string{"email", "slack"}, Frequency: "monthly", UTCOffset: -240, Capacity: 1},
		{ID: "full", Stage: matching.Mid, Areas: []string{"cataloguing"}, Capacity: 0},
	}
	for _, c := range matching.Rank(amy, mentors, matching.DefaultWeights()) {
		fmt.Println(c.MentorID, c.Score.Points)
	}
	// Output:
	// linda 40
	// wei -4
}
