package mentor

import "context"

// DuoReader reads a cycle's duos: the store.
type DuoReader interface {
	DuoIDs(ctx context.Context, cycleID string) ([]string, error)
	Duos(ctx context.Context, cycleID string, ids []string) ([]Duo, error)
}

// duoPage is how many duos EachDuo reads at a time: a large cycle has thousands.
const duoPage = 500

// EachDuo calls fn with every duo of cycle cycleID, in the order they were made,
// reading them a page at a time. It stops at the first error fn returns.
func EachDuo(ctx context.Context, r DuoReader, cycleID string, fn func(Duo) error) error {
	ids, err := r.DuoIDs(ctx, cycleID)
	if err != nil {
		return err
	}
	for from := 0; from < len(ids); from += duoPage {
		ds, err := r.Duos(ctx, cycleID, ids[from:min(from+duoPage, len(ids))])
		if err != nil {
			return err
		}
		for _, d := range ds {
			if err := fn(d); err != nil {
				return err
			}
		}
	}
	return nil
}
