package redisstore_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

func TestMatchSettingsAreTheDefaultsUntilSavedThenOneWriterWins(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	got, rev, err := s.MatchSettings(ctx, "c")
	if err != nil || rev != 0 || !got.IsDefault() {
		t.Fatalf("before any save: %+v rev %d err %v", got, rev, err)
	}
	want := matching.Settings{Levels: map[matching.Criterion]matching.Level{matching.CriterionAreas: matching.LevelHigh}, MaxHoursApart: 3, MustShareMethod: true}
	if rev, err = s.SaveMatchSettings(ctx, "c", want, 0); err != nil || rev != 1 {
		t.Fatalf("first save: rev %d err %v", rev, err)
	}
	got, rev, err = s.MatchSettings(ctx, "c")
	if err != nil || rev != 1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v rev %d err %v", got, rev, err)
	}
	// Two committee members both opened revision 1: the second save is refused.
	if _, err := s.SaveMatchSettings(ctx, "c", matching.Settings{}, 1); err != nil {
		t.Fatal(err)
	}
	_, err = s.SaveMatchSettings(ctx, "c", want, 1)
	wantCode(t, "stale save", err, mentor.ECONFLICT)
	if got, rev, _ := s.MatchSettings(ctx, "c"); rev != 2 || !got.IsDefault() {
		t.Fatalf("after the refused save: %+v rev %d", got, rev)
	}
	// Another cycle's settings are its own.
	if got, rev, _ := s.MatchSettings(ctx, "other"); rev != 0 || !got.IsDefault() {
		t.Fatalf("other cycle: %+v rev %d", got, rev)
	}
}
