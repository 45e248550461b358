package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// Acts: each handler plays one thing a person does, through slackfake's drivers,
// and answers JSON: {"ok":true}, {"error":"…"} for the page to show, or
// {"errors":{block_id: message}} for a modal's inline errors.

type actResult struct {
	OK     bool              `json:"ok"`
	Error  string            `json:"error,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
}

func (s *Server) reply(w http.ResponseWriter, err error) {
	if err != nil {
		s.log.Info("sandbox: act failed", "err", err)
		writeJSON(w, actResult{Error: err.Error()})
		return
	}
	writeJSON(w, actResult{OK: true})
}

// actor parses the form and returns the acting person, or answers an error.
func (s *Server) actor(w http.ResponseWriter, r *http.Request) (Person, bool) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return Person{}, false
	}
	p, ok := s.person(r)
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, actResult{Error: "choose who you are first: no such person in the cast"})
	}
	return p, ok
}

// handleSend posts what the person typed in the composer: "/mentorship …" runs the
// slash command in the channel; anything else is a message (and its message event).
func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	me, ok := s.actor(w, r)
	if !ok {
		return
	}
	channel := r.PostFormValue("c")
	if channel == homeChannel || channel == "" {
		dm, err := s.cfg.Slack.DMChannel(me.ID)
		if err != nil {
			s.reply(w, err)
			return
		}
		channel = dm
	}
	if c, ok := s.cfg.Slack.Channel(channel); !ok || !c.IsMember(me.ID) {
		s.reply(w, fmt.Errorf("%s is not in that channel", me.Name))
		return
	}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if text == "" {
		s.reply(w, errors.New("type a message or /mentorship help"))
		return
	}
	ctx, cancel := s.actContext(r)
	defer cancel()
	cmd := s.cfg.Slack.Options().Command
	if rest, isCmd := strings.CutPrefix(text, cmd); isCmd && (rest == "" || rest[0] == ' ') {
		_, err := s.cfg.Slack.SlashCommand(ctx, me.ID, channel, strings.TrimSpace(rest))
		s.reply(w, err)
		return
	}
	if strings.HasPrefix(text, "/") {
		word, _, _ := strings.Cut(text, " ")
		s.reply(w, fmt.Errorf("%s is not a command here; the sandbox knows %s", word, cmd))
		return
	}
	_, err := s.cfg.Slack.UserMessage(ctx, me.ID, channel, text)
	if errors.Is(err, slackfake.ErrNotSubscribed) {
		err = nil // posted; the app does not listen to this kind of channel, as in Slack
	}
	s.reply(w, err)
}

// target reads where an element is: a view, a message or an ephemeral.
func target(r *http.Request) (slackfake.Target, error) {
	var t slackfake.Target
	switch r.PostFormValue("where") {
	case "view":
		t = slackfake.InView(r.PostFormValue("view"))
	case "message":
		t = slackfake.InMessage(r.PostFormValue("channel"), r.PostFormValue("ts"))
	case "ephemeral":
		t = slackfake.InEphemeral(r.PostFormValue("ts"))
	default:
		return t, fmt.Errorf("where must be view, message or ephemeral, not %q", r.PostFormValue("where"))
	}
	t.BlockID = r.PostFormValue("block")
	return t, nil
}

func (s *Server) handleClick(w http.ResponseWriter, r *http.Request) {
	me, ok := s.actor(w, r)
	if !ok {
		return
	}
	t, err := target(r)
	if err != nil {
		s.reply(w, err)
		return
	}
	ctx, cancel := s.actContext(r)
	defer cancel()
	_, err = s.cfg.Slack.ClickButton(ctx, me.ID, t, r.PostFormValue("action"))
	s.reply(w, err)
}

// handleChange plays a choice in a select, checkboxes, radio buttons, date picker
// or overflow menu: Slack sends block_actions for those that dispatch, and only
// remembers the choice in the view for the others.
func (s *Server) handleChange(w http.ResponseWriter, r *http.Request) {
	me, ok := s.actor(w, r)
	if !ok {
		return
	}
	t, err := target(r)
	if err != nil {
		s.reply(w, err)
		return
	}
	action := r.PostFormValue("action")
	el, err := s.findElement(me, t, action)
	if err != nil {
		s.reply(w, err)
		return
	}
	v, ok, err := valueFor(el, r.PostForm["value"])
	if err != nil || !ok {
		if err == nil {
			err = errors.New("nothing chosen")
		}
		s.reply(w, err)
		return
	}
	ctx, cancel := s.actContext(r)
	defer cancel()
	_, err = s.cfg.Slack.Interact(ctx, me.ID, t, action, v)
	s.reply(w, err)
}

// handleSubmit submits the person's top modal with the form's fields. Required
// fields left empty are refused here with inline errors, as Slack's client does
// before anything reaches the app; the bot's own errors come back inline too.
func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	me, ok := s.actor(w, r)
	if !ok {
		return
	}
	viewID := r.PostFormValue("view")
	v, ok := s.cfg.Slack.View(viewID)
	if !ok || !v.Open || v.User != me.ID {
		s.reply(w, fmt.Errorf("this form is no longer open"))
		return
	}
	var doc viewDoc
	if err := json.Unmarshal(v.Raw, &doc); err != nil {
		s.reply(w, err)
		return
	}
	blocks, err := decodeBlocks(doc.Blocks)
	if err != nil {
		s.reply(w, err)
		return
	}
	inputs := slackfake.Values{}
	missing := map[string]string{}
	for _, b := range blocks {
		if b.Type != "input" || b.Element == nil {
			continue
		}
		el := b.Element
		raw := r.PostForm["b."+b.BlockID+"."+el.ActionID]
		val, chosen, err := valueFor(el, raw)
		if err != nil {
			missing[b.BlockID] = err.Error()
			continue
		}
		if msg := clientCheck(el, raw, chosen, b.Optional); msg != "" {
			missing[b.BlockID] = msg
			continue
		}
		// Text and multiple choices are sent even when emptied (an unchecked box
		// must not fall back to its initial value); an empty single choice is left
		// to the element's state.
		if !chosen && !hasText(el) && !isMulti(el) {
			continue
		}
		if inputs[b.BlockID] == nil {
			inputs[b.BlockID] = map[string]slackfake.Value{}
		}
		inputs[b.BlockID][el.ActionID] = val
	}
	if len(missing) > 0 {
		writeJSON(w, actResult{Errors: missing})
		return
	}
	ctx, cancel := s.actContext(r)
	defer cancel()
	res, err := s.cfg.Slack.SubmitView(ctx, me.ID, viewID, inputs)
	if err != nil {
		s.reply(w, err)
		return
	}
	if len(res.Errors) > 0 {
		writeJSON(w, actResult{Errors: res.Errors})
		return
	}
	s.reply(w, nil)
}

func hasText(el *element) bool {
	switch el.Type {
	case "plain_text_input", "url_text_input", "email_text_input", "number_input":
		return true
	}
	return false
}

func isMulti(el *element) bool {
	switch el.Type {
	case "multi_static_select", "checkboxes", "multi_users_select", "multi_conversations_select", "multi_channels_select":
		return true
	}
	return false
}

// clientCheck is what Slack's client checks before it lets a person submit: a
// required input must hold something, and text must respect min and max length.
func clientCheck(el *element, raw []string, filled, optional bool) string {
	text := ""
	if len(raw) > 0 {
		text = raw[0]
	}
	if hasText(el) {
		filled = strings.TrimSpace(text) != ""
	}
	if !filled {
		if optional {
			return ""
		}
		return "Please fill out this field."
	}
	if el.Type == "plain_text_input" {
		n := utf8.RuneCountInString(text)
		if el.MinLength > 0 && n < el.MinLength {
			return fmt.Sprintf("Please write at least %d characters.", el.MinLength)
		}
		if el.MaxLength > 0 && n > el.MaxLength {
			return fmt.Sprintf("Please write at most %d characters.", el.MaxLength)
		}
	}
	return ""
}

// valueFor turns what the page sent for an element into slackfake's Value. chosen
// is false when nothing was chosen (an empty select or date).
func valueFor(el *element, raw []string) (v slackfake.Value, chosen bool, err error) {
	one := ""
	if len(raw) > 0 {
		one = raw[0]
	}
	var nonEmpty []string
	for _, x := range raw {
		if x != "" {
			nonEmpty = append(nonEmpty, x)
		}
	}
	switch el.Type {
	case "plain_text_input", "url_text_input", "email_text_input":
		return slackfake.Text(one), one != "", nil
	case "number_input":
		return slackfake.Number(one), one != "", nil
	case "static_select", "radio_buttons", "overflow":
		return slackfake.Option(one), one != "", nil
	case "multi_static_select", "checkboxes":
		return slackfake.OptionValues(nonEmpty...), len(nonEmpty) > 0, nil
	case "datepicker":
		if one != "" {
			if _, err := time.Parse("2006-01-02", one); err != nil {
				return v, false, errors.New("Please pick a date.")
			}
		}
		return slackfake.Date(one), one != "", nil
	case "timepicker":
		return slackfake.TimeOfDay(one), one != "", nil
	case "users_select":
		return slackfake.UserID(one), one != "", nil
	case "multi_users_select":
		return slackfake.UserIDs(nonEmpty...), len(nonEmpty) > 0, nil
	case "conversations_select", "channels_select":
		return slackfake.ConversationID(one), one != "", nil
	case "multi_conversations_select", "multi_channels_select":
		return slackfake.ConversationIDs(nonEmpty...), len(nonEmpty) > 0, nil
	}
	return v, false, fmt.Errorf("a %s holds no value", el.Type)
}

// findElement finds the element action (in block t.BlockID, when set) where t
// points, as the person sees it.
func (s *Server) findElement(me Person, t slackfake.Target, action string) (*element, error) {
	var raw json.RawMessage
	switch {
	case t.ViewID != "":
		v, ok := s.cfg.Slack.View(t.ViewID)
		if !ok || v.User != me.ID {
			return nil, fmt.Errorf("no view %s for %s", t.ViewID, me.Name)
		}
		var doc viewDoc
		_ = json.Unmarshal(v.Raw, &doc)
		raw = doc.Blocks
	case t.Ephemeral:
		for _, m := range s.cfg.Slack.Ephemerals(me.ID) {
			if m.TS == t.TS {
				raw = m.Blocks
			}
		}
	default:
		for _, m := range s.cfg.Slack.Messages(t.Channel) {
			if m.TS == t.TS {
				raw = m.Blocks
			}
		}
	}
	blocks, err := decodeBlocks(raw)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		if t.BlockID != "" && b.BlockID != t.BlockID {
			continue
		}
		els := append([]element(nil), b.Elements...)
		if b.Accessory != nil {
			els = append(els, *b.Accessory)
		}
		if b.Element != nil {
			els = append(els, *b.Element)
		}
		for i := range els {
			if els[i].ActionID == action {
				return &els[i], nil
			}
		}
	}
	return nil, fmt.Errorf("no element %q there any more", action)
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) {
	me, ok := s.actor(w, r)
	if !ok {
		return
	}
	ctx, cancel := s.actContext(r)
	defer cancel()
	_, err := s.cfg.Slack.CloseView(ctx, me.ID, r.PostFormValue("view"))
	s.reply(w, err)
}

// handleHome plays opening the App Home tab (the bot publishes the person's Home).
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	me, ok := s.actor(w, r)
	if !ok {
		return
	}
	ctx, cancel := s.actContext(r)
	defer cancel()
	_, err := s.cfg.Slack.OpenHome(ctx, me.ID)
	s.reply(w, err)
}

// handleClock moves the sandbox's clock forward: "hour" (reminders wait for each
// person's working hours), "day", "week", or "date" (to
// that day at the current time of day, UTC). The bot's sweep sees the new time
// at its next tick.
func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.actor(w, r); !ok {
		return
	}
	now := s.cfg.Clock.Now()
	switch r.PostFormValue("move") {
	case "hour":
		s.cfg.Clock.Advance(time.Hour)
	case "day":
		s.cfg.Clock.Advance(24 * time.Hour)
	case "week":
		s.cfg.Clock.Advance(7 * 24 * time.Hour)
	case "date":
		d, err := time.Parse("2006-01-02", r.PostFormValue("date"))
		if err != nil {
			s.reply(w, errors.New("pick a date to go to"))
			return
		}
		u := now.UTC()
		to := time.Date(d.Year(), d.Month(), d.Day(), u.Hour(), u.Minute(), u.Second(), 0, time.UTC)
		if !to.After(now) {
			s.reply(w, fmt.Errorf("the clock only moves forward: pick a day after %s", u.Format("2 Jan 2006")))
			return
		}
		s.cfg.Clock.Advance(to.Sub(now))
	default:
		s.reply(w, errors.New("move must be hour, day, week or date"))
		return
	}
	s.log.Info("sandbox: clock moved", "now", s.cfg.Clock.Now())
	s.clockMoved()
	s.reply(w, nil)
}
