package matchcsv

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mentorbot/mentorbot/internal/matching"
)

// whyFull is why a mentee with allowed mentors is left out, as the pairs file and
// the summary say it: a mentee left out of a maximum matching cannot have an
// allowed mentor with a free place. Without any allowed mentor the matrix counts
// the reasons (matching.Matrix.WhyNoMentor).
const whyFull = "every allowed mentor is full"

// pairsCSV is the --out file: mentee_id,mentor_id,score,reasons, pairs by mentee
// id, then unmatched mentees (empty mentor_id and score, why in reasons).
func pairsCSV(x *matching.Matrix, p people, res matching.Result) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"mentee_id", "mentor_id", "score", "reasons"})
	for _, pr := range res.Pairs {
		w.Write([]string{pr.MenteeID, pr.MentorID, strconv.Itoa(pr.Score.Points), pr.Score.Text()})
	}
	idx := menteeIndex(p)
	for _, id := range res.Unmatched {
		w.Write([]string{id, "", "", unmatchedWhy(x, idx[id])})
	}
	w.Flush()
	return b.Bytes()
}

func unmatchedWhy(x *matching.Matrix, mentee int) string {
	if why := x.WhyNoMentor(mentee); why != "" {
		return why
	}
	return whyFull
}

func menteeIndex(p people) map[string]int {
	m := make(map[string]int, len(p.mentees))
	for i, e := range p.mentees {
		m[e.ID] = i
	}
	return m
}

// byID returns the indexes of ps in ID order.
func byID(ps []matching.Person) []int {
	idx := make([]int, len(ps))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(ps[a].ID, ps[b].ID) })
	return idx
}

// matrixCSV is the --matrix file: mentee_id,mentor_id,score for every mentee ×
// mentor pair, by mentee id then mentor id; the score is the one the optimiser
// uses, empty for a forbidden pair.
func matrixCSV(x *matching.Matrix, p people) []byte {
	var b bytes.Buffer
	b.Grow(24 * (len(p.mentees)*len(p.mentors) + 1))
	w := csv.NewWriter(&b)
	w.Write([]string{"mentee_id", "mentor_id", "score"})
	rs := byID(p.mentors)
	rec := make([]string, 3)
	for _, i := range byID(p.mentees) {
		for _, j := range rs {
			rec[0], rec[1], rec[2] = p.mentees[i].ID, p.mentors[j].ID, ""
			if pts, ok := x.Points(i, j); ok {
				rec[2] = strconv.Itoa(pts)
			}
			w.Write(rec)
		}
	}
	w.Flush()
	return b.Bytes()
}

// explain is --explain's summary: counts, then a table of pairs with names, then
// the unmatched mentees and why.
func explain(x *matching.Matrix, p people, res matching.Result, at time.Time) []byte {
	places := 0
	for _, m := range p.mentors {
		places += m.Capacity
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d mentees, %d mentors with %d places: %d pairs, %d unmatched, total score %d\n",
		len(p.mentees), len(p.mentors), places, len(res.Pairs), len(res.Unmatched), res.Total)
	fmt.Fprintf(&b, "(time zones as of %s)\n", at.UTC().Format(time.RFC3339))
	who := func(id string) string { return oneLine(p.names[id]) + " (" + oneLine(id) + ")" }
	if len(res.Pairs) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "MENTEE\tMENTOR\tSCORE\tWHY")
		for _, pr := range res.Pairs {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", who(pr.MenteeID), who(pr.MentorID), pr.Score.Points, oneLine(pr.Score.Text()))
		}
		tw.Flush()
	}
	if len(res.Unmatched) > 0 {
		b.WriteString("\nUnmatched:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		idx := menteeIndex(p)
		for _, id := range res.Unmatched {
			fmt.Fprintf(tw, "  %s\t%s\n", who(id), unmatchedWhy(x, idx[id]))
		}
		tw.Flush()
	}
	return b.Bytes()
}

// oneLine keeps a table cell on one line and in its column.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\t' || r == '\n' || r == '\r' }), " ")
}
