package views_test

import (
	"reflect"
	"testing"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

func TestMatchSettingsModalShowsTheCycleSettingsAndReadsThemBack(t *testing.T) {
	s := matching.Settings{Levels: map[matching.Criterion]matching.Level{matching.CriterionAreas: matching.LevelHigh, matching.CriterionFrequency: matching.LevelOff},
		MustShareMethod: true, MaxHoursApart: 3}
	c := cycle()
	c.Name = "<!channel> 2026"
	m := views.MatchSettingsModal(c, s, 4)
	d := mustValidView(t, m)
	mustContain(t, d.text(), "*&lt;!channel&gt; 2026*")
	if n := len(d.blocks); n != 1+len(matching.Criteria())+2 {
		t.Fatalf("%d blocks: %v", n, d.blockIDs())
	}
	// Untouched, the form gives back what it showed.
	got, meta, err := views.ParseMatchSettings(submit(t, m, nil))
	if err != nil || meta.Rev != 4 || meta.CycleID != "c2026" || !reflect.DeepEqual(got, s) {
		t.Fatalf("untouched form = %+v, %+v, %v; want %+v", got, meta, err, s)
	}
	// Changed: time zones high, no must-have on methods, mentor more senior, no hour limit.
	got, _, err = views.ParseMatchSettings(submit(t, m, submitted{
		"level_timezone": "high", "level_areas": "normal", "must_haves": []string{"mentor_senior"}, "max_hours_apart": "0",
	}))
	want := matching.Settings{Levels: map[matching.Criterion]matching.Level{matching.CriterionTimeZone: matching.LevelHigh, matching.CriterionFrequency: matching.LevelOff},
		MentorMoreSenior: true}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("changed form = %+v, %v; want %+v", got, err, want)
	}
	if _, _, err := views.ParseMatchSettings(submit(t, views.MatchSettingsModal(mentor.Cycle{}, s, 0), nil)); mentor.ErrorCode(err) != mentor.EINVALID {
		t.Fatalf("a form without its cycle: %v", err)
	}
}
