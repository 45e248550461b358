package report

import (
	"context"
	"testing"
)

// A page that comes back short (someone forgotten: still listed, no record) is not
// the last one: the pages after it are read too.
func TestReadPagesGoesOnPastAShortPage(t *testing.T) {
	rows := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	got, err := readPages(context.Background(), 4, func(off, n int) ([]int, int, error) {
		page := rows[off:min(off+n, len(rows))]
		if off == 0 {
			page = page[1:] // the first person was forgotten
		}
		return page, len(rows), nil
	})
	if err != nil || len(got) != 9 || got[len(got)-1] != 9 {
		t.Fatalf("read %v, %v; want everyone but the forgotten one", got, err)
	}
}
