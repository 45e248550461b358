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
// best first: by points, highest first, then by mentor ID; the scores are
// ScorePair's. Matrix.RankTop ranks the same way from a scored matrix (what the
// pairing window's "choose another mentor" list uses).
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
func (x *Matrix) Rank(mentee int) []Candidate { return x.RankTop(mentee, -1) }

// RankTop is Rank cut to the best limit mentors (all when limit is negative).
// Only those are explained, which is most of the cost when a mentee may have
// thousands of mentors and a page shows five.
func (x *Matrix) RankTop(mentee, limit int) []Candidate {
	type candidate struct {
		points int
		j      int
	}
	var cs []candidate
	for j := range x.mentors {
		if p, ok := x.Points(mentee, j); ok {
			cs = append(cs, candidate{p, j})
		}
	}
	slices.SortFunc(cs, func(a, b candidate) int {
		if c := cmp.Compare(b.points, a.points); c != 0 {
			return c
		}
		return cmp.Compare(x.mentors[a.j].ID, x.mentors[b.j].ID)
	})
	if limit >= 0 && len(cs) > limit {
		cs = cs[:limit]
	}
	out := make([]Candidate, len(cs))
	for k, c := range cs {
		out[k] = Candidate{MentorID: x.mentors[c.j].ID, Score: x.Score(mentee, c.j)}
	}
	return out
}
