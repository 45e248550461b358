package mentor

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// pagedDuos is a cycle of n duos that counts the pages read.
type pagedDuos struct {
	n, pages int
}

func (p *pagedDuos) DuoIDs(context.Context, string) ([]string, error) {
	ids := make([]string, p.n)
	for i := range ids {
		ids[i] = fmt.Sprint("D", i)
	}
	return ids, nil
}

func (p *pagedDuos) Duos(_ context.Context, _ string, ids []string) ([]Duo, error) {
	p.pages++
	out := make([]Duo, len(ids))
	for i, id := range ids {
		out[i] = Duo{ID: id}
	}
	return out, nil
}

// EachDuo visits every duo once, in order, a page of 500 at a time, and stops at
// the first error.
func TestEachDuoVisitsEveryDuoInPagesAndStopsAtAnError(t *testing.T) {
	r := &pagedDuos{n: 1203}
	var seen []string
	if err := EachDuo(context.Background(), r, "c", func(d Duo) error { seen = append(seen, d.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1203 || seen[0] != "D0" || seen[1202] != "D1202" || r.pages != 3 {
		t.Fatalf("visited %d duos (first %s) in %d pages; want 1203 in 3", len(seen), seen[0], r.pages)
	}
	stop := errors.New("stop")
	n := 0
	err := EachDuo(context.Background(), &pagedDuos{n: 1203}, "c", func(d Duo) error {
		if n++; d.ID == "D600" {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 601 {
		t.Fatalf("after an error: %v, %d visited; want stop after 601", err, n)
	}
}
