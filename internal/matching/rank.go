package matching

import (
	"cmp"
	"slices"
)

// Candidate is a mentor one mentee may be paired with, and the pair's score.
type Candidate struct {
	MentorID string
	Score    Score
}

// Rank returns the mentors mentee may be paired with (forbidden pairs left out),
// best first: by points, highest first, then by mentor ID. It is what a "choose
// another mentor" list shows; the scores are ScorePair's.
func Rank(mentee Person, mentors []Person, w Weights) []Candidate {
	return RankWith(mentee, mentors, w, Settings{})
}

// RankWith is Rank under a cycle's settings: pairs that break a must-have are left
// out too.
func RankWith(mentee Person, mentors []Person, w Weights, s Settings) []Candidate {
	v, t := newVocab(), newTable(&w, &s)
	e := v.prepare(&mentee)
	var out []Candidate
	for k := range mentors {
		r := &mentors[k]
		if forbiddenReason(&mentee, r) != "" {
			continue
		}
		rp := v.prepare(r)
		if mustHaveReason(&e, &rp, &s) != "" {
			continue
		}
		out = append(out, Candidate{MentorID: r.ID, Score: explain(&e, &rp, v, t)})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score.Points, a.Score.Points); c != 0 {
			return c
		}
		return cmp.Compare(a.MentorID, b.MentorID)
	})
	return out
}

// Rank returns the mentors mentees[mentee] may be paired with, best first, as
// RankWith does, from the matrix: each person is prepared once however many
// mentees are ranked.
func (x *Matrix) Rank(mentee int) []Candidate {
	var out []Candidate
	for j := range x.mentors {
		if _, ok := x.Points(mentee, j); ok {
			out = append(out, Candidate{MentorID: x.mentors[j].ID, Score: x.Score(mentee, j)})
		}
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Score.Points, a.Score.Points); c != 0 {
			return c
		}
		return cmp.Compare(a.MentorID, b.MentorID)
	})
	return out
}
