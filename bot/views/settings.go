package views

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The committee's "Matching settings" modal: a level for each criterion and the
// must-haves, per cycle.
const (
	CallbackMatchSettings = "match_settings"
	ActionPairSettings    = "pair_settings" // pairing modal and committee Home: open the matching settings (value: cycle id)
	BlockPairSettings     = "settings"      // pairing modal: the block of that button

	BlockMustHaves     = "must_haves"      // checkboxes of the yes/no must-haves
	BlockMaxHoursApart = "max_hours_apart" // select: no limit, 1–12 hours
	blockLevelPrefix   = "level_"          // + criterion: the criterion's level
)

// Values of the must-have checkboxes.
const (
	mustArea   = "share_area"
	mustMethod = "share_method"
	mustSenior = "mentor_senior"
)

// SettingsMeta travels in the settings modal's private_metadata.
type SettingsMeta struct {
	CycleID string `json:"cycle"`
	Rev     int    `json:"rev"`
}

var levelLabels = map[matching.Level]string{
	matching.LevelOff:    "Off: doesn't count",
	matching.LevelLow:    "Low: counts half",
	matching.LevelNormal: "Normal",
	matching.LevelHigh:   "High: counts double",
}

func levelOptions() []mentor.Option {
	var out []mentor.Option
	for _, l := range matching.Levels() {
		out = append(out, mentor.Option{Value: string(l), Label: levelLabels[l]})
	}
	return out
}

func mustOptions() []mentor.Option {
	return []mentor.Option{
		{Value: mustArea, Label: "At least one shared area"},
		{Value: mustMethod, Label: "At least one communication method in common"},
		{Value: mustSenior, Label: "Mentor at a more senior career stage"},
	}
}

func hoursOptions() []mentor.Option {
	out := []mentor.Option{{Value: "0", Label: "No limit"}}
	for h := 1; h <= matching.MaxHoursLimit; h++ {
		out = append(out, mentor.Option{Value: strconv.Itoa(h), Label: fmt.Sprintf("At most %d h apart", h)})
	}
	return out
}

// MatchSettingsModal is the committee's form for cycle c's matching settings s,
// stored at revision rev (0: never changed).
func MatchSettingsModal(c mentor.Cycle, s matching.Settings, rev int) *slack.ModalViewRequest {
	meta, _ := json.Marshal(SettingsMeta{CycleID: c.ID, Rev: rev})
	blocks := []slack.Block{section(BlockIntro, fmt.Sprintf(
		"How pairs are scored for *%s*. Each criterion counts off, low (half), normal or high (double); a must-have rules out every pair that breaks it. Saved settings apply to the next `/mentorship match`.",
		SafeText(c.Name, 80)))}
	for _, cr := range matching.Criteria() {
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Normal"), blockLevelPrefix+string(cr), options(levelOptions())...)
		sel.InitialOption = optionsOf(levelOptions(), []string{string(s.Level(cr))})[0]
		blocks = append(blocks, input(blockLevelPrefix+string(cr), cr.Label(), "", sel, false))
	}
	must := slack.NewCheckboxGroupsBlockElement(BlockMustHaves, options(mustOptions())...)
	var on []string
	for v, set := range map[string]bool{mustArea: s.MustShareArea, mustMethod: s.MustShareMethod, mustSenior: s.MentorMoreSenior} {
		if set {
			on = append(on, v)
		}
	}
	must.InitialOptions = optionsOf(mustOptions(), on)
	hours := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("No limit"), BlockMaxHoursApart, options(hoursOptions())...)
	hours.InitialOption = optionsOf(hoursOptions(), []string{strconv.Itoa(s.MaxHoursApart)})[0]
	blocks = append(blocks,
		input(BlockMustHaves, "Must-haves", "A pair that breaks one is never proposed.", must, true),
		input(BlockMaxHoursApart, "Time zones must-have", "", hours, false),
	)
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackMatchSettings,
		Title:           plain("Matching settings"),
		Submit:          plain("Save"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// ParseMatchSettings reads the submitted settings modal.
func ParseMatchSettings(v slack.View) (matching.Settings, SettingsMeta, error) {
	var meta SettingsMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.CycleID == "" {
		return matching.Settings{}, meta, mentor.Errorf(mentor.EINVALID, "This form is out of date. Close it and open the matching settings again.")
	}
	st := StateOf(v)
	s := matching.Settings{Levels: map[matching.Criterion]matching.Level{}}
	for _, cr := range matching.Criteria() {
		l, err := matching.ParseLevel(st.Selected(blockLevelPrefix + string(cr)))
		if err != nil {
			return s, meta, mentor.FieldErrors{blockLevelPrefix + string(cr): "Choose off, low, normal or high."}.Err()
		}
		if l != matching.LevelNormal {
			s.Levels[cr] = l
		}
	}
	for _, m := range st.SelectedAll(BlockMustHaves) {
		switch m {
		case mustArea:
			s.MustShareArea = true
		case mustMethod:
			s.MustShareMethod = true
		case mustSenior:
			s.MentorMoreSenior = true
		}
	}
	if h := st.Selected(BlockMaxHoursApart); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 0 || n > matching.MaxHoursLimit {
			return s, meta, mentor.FieldErrors{BlockMaxHoursApart: "Choose a number of hours from the list."}.Err()
		}
		s.MaxHoursApart = n
	}
	return s, meta, nil
}

// SettingsSaved replaces the settings modal once saved.
func SettingsSaved(c mentor.Cycle, steering string) *slack.ModalViewRequest {
	text := fmt.Sprintf(":white_check_mark: Matching settings of *%s* saved: ", SafeText(c.Name, 80))
	if steering == "" {
		text += "the program's defaults."
	} else {
		text += strings.ReplaceAll(SafeText(steering, 1500), " · ", "; ") + "."
	}
	text += "\nRun `/mentorship match` again (or close and reopen the proposals) for pairs under these settings."
	m := DoneModal("Matching settings", Notice(text))
	m.CallbackID = CallbackMatchSettings
	return m
}
