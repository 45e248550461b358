package sandbox

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// homeChannel is the "c" parameter of the App Home tab.
const homeChannel = "home"

// wsNames resolves mentions from the workspace.
type wsNames struct{ srv *slackfake.Server }

func (n wsNames) UserName(id string) string {
	if u, ok := n.srv.User(id); ok {
		return u.RealName
	}
	return id
}

func (n wsNames) ChannelName(id string) string {
	if c, ok := n.srv.Channel(id); ok && c.Name != "" {
		return c.Name
	}
	return id
}

type navItem struct {
	ID, Label, Kind, URL string
	Current, Archived    bool
}

type fileView struct {
	Name, Title, URL string
	Size             int
	Image            bool // shown in the message, as Slack previews images
}

type msgView struct {
	Author, Initial, Time string
	Body                  template.HTML
	Files                 []fileView
	Bot, Ephemeral        bool
	System, Edited        bool
	Where, Channel, TS    string
}

type mainData struct {
	Me       Person
	Channel  string
	Title    string
	Kind     string
	Members  string
	Messages []msgView
	HomeID   string
	Home     template.HTML
	Empty    string
}

type modalData struct {
	ID, Hash      string
	Title         template.HTML
	Submit, Close template.HTML
	Body          template.HTML
	Stack         int
}

// Fragments are the parts of the page that change; /frag returns them as JSON and
// the page replaces those that differ.
type Fragments struct {
	Nav       template.HTML `json:"nav"`
	Clock     string        `json:"clock"`
	ClockDate string        `json:"clockDate"`
	Main      template.HTML `json:"main"`
	Modal     template.HTML `json:"modal"`
	ModalKey  string        `json:"modalKey"`
	Title     string        `json:"title"`
}

type pageData struct {
	Me          Person
	HasMe       bool
	Cast        []Person
	Channel     string
	Placeholder string
	Frag        Fragments
}

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	me, ok := s.person(r)
	d := pageData{Me: me, HasMe: ok, Cast: s.cfg.Cast}
	if ok {
		d.Channel = s.channelParam(r, me)
		d.Frag = s.fragments(me, d.Channel)
		d.Placeholder = "Message " + d.Frag.Title + ", or type /mentorship help"
	}
	s.html(w, "page", d)
}

func (s *Server) handleFragments(w http.ResponseWriter, r *http.Request) {
	me, ok := s.person(r)
	if !ok {
		http.Error(w, "choose who you are: no such person in the cast", http.StatusBadRequest)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, s.fragments(me, s.channelParam(r, me)))
}

// channelParam is the channel to show: "c" if the person may see it, else #general.
func (s *Server) channelParam(r *http.Request, me Person) string {
	c := r.FormValue("c")
	if c == homeChannel {
		return c
	}
	if ch, ok := s.cfg.Slack.Channel(c); ok && ch.IsMember(me.ID) {
		return c
	}
	return s.cfg.Workspace.General
}

func (s *Server) fragments(me Person, channel string) Fragments {
	var f Fragments
	items := s.navItems(me, channel)
	for _, it := range items {
		if it.Current {
			f.Title = it.Label
		}
	}
	now := s.cfg.Clock.Now()
	f.Nav = s.exec("nav", items)
	f.Clock, f.ClockDate = now.UTC().Format("Mon 2 Jan 2006 15:04 UTC"), now.UTC().Format("2006-01-02")
	f.Main = s.exec("main", s.mainData(me, channel, f.Title))
	if v, ok := s.cfg.Slack.TopView(me.ID); ok {
		md := s.modalData(me, v)
		md.Stack = len(s.cfg.Slack.OpenViews(me.ID))
		f.Modal = s.exec("modal", md)
		f.ModalKey = v.ID + "/" + v.Hash
	}
	return f
}

func (s *Server) navItems(me Person, current string) []navItem {
	link := func(c string) string { return "/?" + url.Values{"as": {me.ID}, "c": {c}}.Encode() }
	var chans, duos []navItem
	for _, c := range s.cfg.Slack.Channels() {
		if c.IsIM || !c.IsMember(me.ID) {
			continue
		}
		it := navItem{ID: c.ID, Label: "#" + c.Name, Kind: "public", URL: link(c.ID), Current: c.ID == current, Archived: c.Archived}
		if c.Private {
			it.Kind = "private"
		}
		if c.ID == s.cfg.Workspace.General || c.ID == s.cfg.Workspace.Committee {
			chans = append(chans, it)
		} else {
			duos = append(duos, it)
		}
	}
	items := append(chans, duos...)
	bot := s.cfg.Slack.Options().BotName
	if dm, err := s.cfg.Slack.DMChannel(me.ID); err == nil {
		items = append(items, navItem{ID: dm, Label: bot, Kind: "dm", URL: link(dm), Current: dm == current})
	}
	items = append(items, navItem{ID: homeChannel, Label: bot + " · Home", Kind: "home", URL: link(homeChannel), Current: current == homeChannel})
	return items
}

func (s *Server) scope(me Person) Scope {
	sc := Scope{Names: wsNames{s.cfg.Slack}}
	for _, p := range s.cfg.Cast {
		sc.Users = append(sc.Users, Choice{Value: p.ID, Label: p.Name})
	}
	for _, c := range s.cfg.Slack.Channels() {
		if !c.IsIM && c.IsMember(me.ID) {
			sc.Conversations = append(sc.Conversations, Choice{Value: c.ID, Label: "#" + c.Name})
		}
	}
	return sc
}

func (s *Server) mainData(me Person, channel, title string) mainData {
	d := mainData{Me: me, Channel: channel, Title: title}
	if channel == homeChannel {
		d.Kind = "home"
		if v, ok := s.cfg.Slack.HomeView(me.ID); ok {
			d.HomeID = v.ID
			d.Home = s.viewBody(me, v, false, "home-")
		} else {
			d.Empty = "Opening Home…"
		}
		return d
	}
	c, _ := s.cfg.Slack.Channel(channel)
	d.Kind = "channel"
	if c.IsIM {
		d.Kind = "dm"
	} else {
		var names []string
		for _, m := range c.Members {
			if u, ok := s.cfg.Slack.User(m); ok {
				names = append(names, u.RealName)
			}
		}
		d.Members = strings.Join(names, ", ")
	}
	loc := s.location(me)
	sc := s.scope(me)
	msgs := s.cfg.Slack.Messages(channel)
	for _, e := range s.cfg.Slack.Ephemerals(me.ID) {
		if e.Channel == channel {
			msgs = append(msgs, e)
		}
	}
	sort.SliceStable(msgs, func(i, j int) bool { return tsLess(msgs[i].TS, msgs[j].TS) })
	for i, m := range msgs {
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			continue // thread replies are not shown in the channel
		}
		mv := msgView{Channel: channel, TS: m.TS, Where: "message", Bot: m.BotID != "", Ephemeral: m.Recipient != "",
			Edited: m.Edited, System: m.Subtype != ""}
		if mv.Ephemeral {
			mv.Where = "ephemeral"
		}
		u, _ := s.cfg.Slack.User(m.User)
		mv.Author = u.RealName
		if mv.Bot {
			mv.Author = s.cfg.Slack.Options().BotName
		}
		mv.Initial = initial(mv.Author)
		mv.Time = tsTime(m.TS).In(loc).Format("Mon 2 Jan 15:04")
		switch {
		case mv.System:
			mv.Body = Mrkdwn(m.Text, sc.Names)
		case m.Source == "user":
			mv.Body = PlainText(m.Text) // what a person typed is shown as typed
		case len(m.Blocks) > 0:
			sc.IDPrefix = "m" + strconv.Itoa(i) + "-"
			mv.Body = s.rd.Blocks(m.Blocks, sc).HTML
		default:
			mv.Body = Mrkdwn(m.Text, sc.Names)
		}
		for _, f := range m.Files {
			u := "/file?" + url.Values{"as": {me.ID}, "id": {f.ID}}.Encode()
			mv.Files = append(mv.Files, fileView{Name: f.Name, Title: f.Title, URL: u, Size: len(f.Content),
				Image: strings.HasSuffix(strings.ToLower(f.Name), ".png")})
		}
		d.Messages = append(d.Messages, mv)
	}
	if len(d.Messages) == 0 {
		d.Empty = "No messages yet."
	}
	return d
}

func (s *Server) modalData(me Person, v slackfake.View) modalData {
	var doc viewDoc
	_ = json.Unmarshal(v.Raw, &doc)
	md := modalData{ID: v.ID, Hash: v.Hash, Body: s.viewBody(me, v, true, "modal-")}
	md.Title = PlainText(plain(doc.Title))
	if doc.Submit != nil {
		md.Submit = PlainText(plain(doc.Submit))
	}
	md.Close = "Cancel"
	if doc.Close != nil {
		md.Close = PlainText(plain(doc.Close))
	}
	return md
}

// viewBody renders a modal's or Home tab's blocks with the person's choices so far.
func (s *Server) viewBody(me Person, v slackfake.View, modal bool, prefix string) template.HTML {
	var doc viewDoc
	_ = json.Unmarshal(v.Raw, &doc)
	sc := s.scope(me)
	sc.Modal, sc.State, sc.IDPrefix = modal, doc.State.Values, prefix
	return s.rd.Blocks(doc.Blocks, sc).HTML
}

func (s *Server) location(me Person) *time.Location {
	if loc, err := time.LoadLocation(me.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// handleFile serves a file shared in a channel to a member of that channel: a PNG
// to show in the page, anything else as a download.
func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	me, ok := s.person(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	id := r.FormValue("id")
	for _, f := range s.cfg.Slack.Files() {
		if f.ID != id {
			continue
		}
		if c, ok := s.cfg.Slack.Channel(f.Channel); !ok || !c.IsMember(me.ID) {
			break
		}
		w.Header().Set("Cache-Control", "no-store")
		if strings.HasSuffix(strings.ToLower(f.Name), ".png") {
			w.Header().Set("Content-Type", "image/png")
		} else {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
		}
		_, _ = w.Write(f.Content)
		return
	}
	http.NotFound(w, r)
}

// exec runs a page template into trusted HTML.
func (s *Server) exec(name string, data any) template.HTML {
	var b bytes.Buffer
	if err := s.page.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("sandbox: render", "template", name, "err", err)
		return template.HTML("<p class=\"unsupported\">" + template.HTMLEscapeString(err.Error()) + "</p>")
	}
	return template.HTML(b.String())
}

func (s *Server) html(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := s.page.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("sandbox: render", "template", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// initial is the first letter of a name, for avatars.
func initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// tsTime reads a Slack timestamp; the zero time when it is not one.
func tsTime(ts string) time.Time {
	t, _ := slackfake.TSTime(ts)
	return t
}

func tsLess(a, b string) bool { return tsTime(a).Before(tsTime(b)) }
