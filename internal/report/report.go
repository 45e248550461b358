// Package report is the committee's view of a whole program cycle (product.md,
// `report` and `mentorbot export`): the funnel from sign-up to evaluation, mentors and
// mentees apart; the CSVs of duos, evaluations and participants; and a PNG chart of
// the funnel.
//
// Everything but Service is pure: Load reads a cycle into Data, and the functions
// over Data (FunnelOf, SummaryOf, WriteCSV, Chart) compute without I/O, so the bot's
// upload and the command line's export write the same bytes for the same store.
//
// The evaluations CSV holds what participants wrote in confidence: it is for the
// committee only. Nothing here logs or posts; the callers decide where files go.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store reads a cycle page by page.
type Store interface {
	// ParticipantPage returns sign-ups by sign-up time from offset (at most limit)
	// and how many there are.
	ParticipantPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Participant, int, error)
	// DuoPage returns duos, oldest first, ended ones included, from offset (at most
	// limit) and how many there are.
	DuoPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Duo, int, error)
	// EvaluationPage returns evaluations in the order they came in, from offset (at
	// most limit), and how many there are.
	EvaluationPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Evaluation, int, error)
	// EvaluationTimes returns who evaluated and when they first did.
	EvaluationTimes(ctx context.Context, cycleID string) (map[string]time.Time, error)
}

// Cache keeps a computed summary for a short while, shared by every replica.
type Cache interface {
	CachedReport(ctx context.Context, cycleID, name string) ([]byte, bool, error)
	CacheReport(ctx context.Context, cycleID, name string, data []byte, ttl time.Duration) error
}

// Page sizes of Load: a page is two round trips to the store.
const (
	ParticipantPageSize = 1000
	DuoPageSize         = 500
	EvaluationPageSize  = 500
)

// FunnelTTL is how long the funnel shown on the committee's Home may be old: Home is
// published at every click and event, and the funnel needs every duo of the cycle,
// so it is computed at most about once per FunnelTTL, by whichever replica finds it
// missing.
const FunnelTTL = time.Minute

// Data is a whole cycle as the report reads it.
type Data struct {
	Cycle        mentor.Cycle
	Participants []mentor.Participant // by sign-up time, withdrawn ones included
	Duos         []mentor.Duo         // oldest first, ended ones included
	// Evaluated is who evaluated the cycle and when they first did.
	Evaluated map[string]time.Time
	// Evaluations are the evaluations themselves, in the order they came in; only
	// when loaded with evaluations (they are confidential, and large).
	Evaluations []mentor.Evaluation
}

// Options tune a Service; zero values take the defaults above.
type Options struct {
	ParticipantPage, DuoPage, EvaluationPage int
}

// Service reads cycles for the report. It is safe for concurrent use.
type Service struct {
	store Store
	cache Cache
	opts  Options
}

// New returns the service. cache may be nil: the funnel is then computed every time.
func New(store Store, cache Cache, opts Options) *Service {
	if opts.ParticipantPage <= 0 {
		opts.ParticipantPage = ParticipantPageSize
	}
	if opts.DuoPage <= 0 {
		opts.DuoPage = DuoPageSize
	}
	if opts.EvaluationPage <= 0 {
		opts.EvaluationPage = EvaluationPageSize
	}
	return &Service{store: store, cache: cache, opts: opts}
}

// Load reads cycle c: its sign-ups, duos and who evaluated, and with
// withEvaluations the evaluations too. It reads in pages of two round trips each
// (the page's ids and the total, then the records): with the default page sizes,
// for 10,000 people and 3,000 duos 20 + 12 round trips and one more for who
// evaluated, plus two per 500 evaluations. A page that comes back short does not
// end the reading: the pages up to the total are all read (see readPages).
func (s *Service) Load(ctx context.Context, c mentor.Cycle, withEvaluations bool) (Data, error) {
	d := Data{Cycle: c}
	var err error
	if d.Participants, err = readPages(ctx, s.opts.ParticipantPage, func(off, n int) ([]mentor.Participant, int, error) {
		return s.store.ParticipantPage(ctx, c.ID, off, n)
	}); err != nil {
		return d, err
	}
	if d.Duos, err = readPages(ctx, s.opts.DuoPage, func(off, n int) ([]mentor.Duo, int, error) {
		return s.store.DuoPage(ctx, c.ID, off, n)
	}); err != nil {
		return d, err
	}
	if d.Evaluated, err = s.store.EvaluationTimes(ctx, c.ID); err != nil {
		return d, err
	}
	if withEvaluations {
		if d.Evaluations, err = readPages(ctx, s.opts.EvaluationPage, func(off, n int) ([]mentor.Evaluation, int, error) {
			return s.store.EvaluationPage(ctx, c.ID, off, n)
		}); err != nil {
			return d, err
		}
	}
	return d, nil
}

// readPages calls page from offset 0 until it has read the total it reports. A short
// page is not the end: a person forgotten (see redisstore.Forget) stays in the
// cycle's lists, to be counted, without a record to read.
func readPages[T any](ctx context.Context, size int, page func(offset, limit int) ([]T, int, error)) ([]T, error) {
	var out []T
	for off := 0; ; off += size {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		xs, total, err := page(off, size)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = make([]T, 0, total)
		}
		out = append(out, xs...)
		if off+size >= total {
			return out, nil
		}
	}
}

// Summary reads cycle c (without the evaluations' answers) and sums it up.
func (s *Service) Summary(ctx context.Context, c mentor.Cycle) (Summary, error) {
	d, err := s.Load(ctx, c, false)
	if err != nil {
		return Summary{}, err
	}
	return SummaryOf(d), nil
}

// Funnel returns the funnel of cycle c, at most FunnelTTL old: from the cache, or
// computed (reading the whole cycle but the evaluations' answers) and cached. Two
// replicas that miss at once both compute it; the last one's stays.
func (s *Service) Funnel(ctx context.Context, c mentor.Cycle) (Funnel, error) {
	if s.cache != nil {
		b, ok, err := s.cache.CachedReport(ctx, c.ID, "funnel")
		if err != nil {
			return Funnel{}, err
		}
		var f Funnel
		if ok && json.Unmarshal(b, &f) == nil && len(f.Stages) == len(funnelSteps) {
			return f, nil
		}
	}
	d, err := s.Load(ctx, c, false)
	if err != nil {
		return Funnel{}, err
	}
	f := FunnelOf(d)
	if s.cache != nil {
		b, err := json.Marshal(f)
		if err != nil {
			return f, fmt.Errorf("encode funnel: %w", err)
		}
		// Best effort: the funnel is right without it; the next reader computes it.
		_ = s.cache.CacheReport(ctx, c.ID, "funnel", b, FunnelTTL)
	}
	return f, nil
}

// File is one file of the report.
type File struct {
	Name    string // file name, such as "duos-2026-27.csv"
	Title   string // what Slack shows
	Type    string // "csv" or "png"
	Content []byte
}

// Files reads cycle c with its evaluations and returns the committee's files: the
// duos CSV, the evaluations CSV and the funnel chart, each titled with the cycle's
// name and tag (which names one report, so the files of a report can be found again).
func (s *Service) Files(ctx context.Context, c mentor.Cycle, tag string) ([]File, Summary, error) {
	d, err := s.Load(ctx, c, true)
	if err != nil {
		return nil, Summary{}, err
	}
	return FilesOf(d, tag)
}

// FilesOf is Files over data already read.
func FilesOf(d Data, tag string) ([]File, Summary, error) {
	sum := SummaryOf(d)
	var out []File
	for _, what := range []Kind{KindDuos, KindEvaluations} {
		b, err := CSV(what, d)
		if err != nil {
			return nil, sum, err
		}
		out = append(out, File{Name: FileName(what, d.Cycle), Title: fileTitle(what.Title(), d.Cycle, tag), Type: "csv", Content: b})
	}
	png, err := Chart(sum.Funnel, d.Cycle.Name)
	if err != nil {
		return nil, sum, err
	}
	out = append(out, File{Name: "funnel-" + slug(d.Cycle) + ".png", Title: fileTitle("Funnel", d.Cycle, tag), Type: "png", Content: png})
	return out, sum, nil
}

func fileTitle(what string, c mentor.Cycle, tag string) string {
	name := c.Name
	if name == "" {
		name = c.ID
	}
	t := what + " · " + name
	if tag != "" {
		t += " · report " + tag
	}
	return t
}

// FileName is the name of a CSV of cycle c, such as "duos-2026-27.csv".
func FileName(what Kind, c mentor.Cycle) string { return string(what) + "-" + slug(c) + ".csv" }

// slug is the cycle's name made safe for a file name ("2026–27" → "2026-27"):
// lower-case ASCII letters and digits, anything else one '-'; the id when the name
// has none of those.
func slug(c mentor.Cycle) string {
	for _, s := range []string{c.Name, c.ID} {
		var b strings.Builder
		dash := false
		for _, r := range strings.ToLower(s) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				if dash && b.Len() > 0 {
					b.WriteByte('-')
				}
				b.WriteRune(r)
				dash = false
			} else {
				dash = true
			}
		}
		if b.Len() > 0 {
			return b.String()
		}
	}
	return "cycle"
}
