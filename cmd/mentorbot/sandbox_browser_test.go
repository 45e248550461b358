package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// updateScreenshot makes the browser test write the README's picture.
var updateScreenshot = flag.Bool("update-screenshot", false, "write testdata/sandbox.png from the browser test")

// requireChromiumEnv makes a missing Chromium a failure instead of a skip (.ci/run
// sets it, so CI never passes by skipping the browser test).
const requireChromiumEnv = "MENTORBOT_REQUIRE_CHROMIUM"

// chromium finds a Chromium or Chrome to drive, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(requireChromiumEnv) != "" {
		t.Fatalf("no chromium on PATH and %s is set: install it (apt-get install chromium)", requireChromiumEnv)
	}
	t.Skip("no chromium on PATH: the browser test needs Debian's chromium (apt-get install chromium)")
	return ""
}

// sandboxURL starts `mentorbot sandbox` on a free port, as a person would from the
// command line, and returns its URL; at cleanup it stops it as Ctrl-C would and
// checks that it stopped cleanly.
func sandboxURL(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	getenv := func(k string) string {
		if k == "REDIS_URL" || k == "MENTORBOT_KEY_PREFIX" || k == "MENTORBOT_LOG_LEVEL" {
			return "" // the sandbox's own embedded Redis, whatever the test machine has
		}
		return os.Getenv(k)
	}
	go func() {
		done <- runWith(ctx, runDeps{}, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...), getenv, stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox returned %v after Ctrl-C; stderr:\n%s", err, stderr.String())
			}
			if !strings.Contains(stdout.String(), "mentorbot sandbox: stopped") {
				t.Errorf("sandbox did not say it stopped; stdout:\n%s", stdout.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("sandbox did not stop within 30 s of Ctrl-C")
		}
	})
	urlRE := regexp.MustCompile(`open (http://127\.0\.0\.1:[0-9]+/)`)
	deadline := time.Now().Add(15 * time.Second) // the promise: the page within 15 s
	for time.Now().Before(deadline) {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stderr
		}
		select {
		case err := <-done:
			t.Fatalf("sandbox stopped at start: %v\nstderr:\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("sandbox printed no URL within 15 s; stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	return "", nil
}

// browser is one headless Chromium tab on the sandbox.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // screenshots
	shot int
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 860),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	// The first action starts the browser for the lifetime of the context it gets:
	// give it the tab's own, not a step's shorter one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	dir := os.Getenv("MENTORBOT_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ctx: ctx, base: base, dir: dir}
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.screenshot("failed")
		b.t.Fatalf("%s: %v\npage text:\n%s", what, err, b.pageText())
	}
}

// click clicks what sel finds. The page replaces what changed on every server
// event, so a node found may be gone by the time it is clicked: find it again.
func (b *browser) click(what string, sel chromedp.CSS) {
	b.t.Helper()
	retryClick(b, what, sel)
}

func retryClick[S chromedp.Selectable](b *browser, what string, sel S) {
	b.t.Helper()
	retryNode(b, what, chromedp.Click(sel))
}

// retryNode runs an action on a node, again when the node was gone by the time
// the action reached it (then the action did nothing).
func retryNode(b *browser, what string, action chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
		err = chromedp.Do(ctx, action)
		cancel()
		if err == nil || !navigated(err) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		b.screenshot("failed")
		b.t.Fatalf("%s: %v\npage text:\n%s", what, err, b.pageText())
	}
}

// waitFor waits until the JavaScript condition holds.
// A poll that started before a navigation loses its page; it starts again on the
// new one.
func (b *browser) waitFor(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, time.Until(deadline)+time.Second)
		err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		cancel()
		if err == nil {
			return
		}
		if navigated(err) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		b.screenshot("failed")
		b.t.Fatalf("%s: %v\npage text:\n%s", what, err, b.pageText())
	}
}

// navigated reports an error of an action whose page went away under it.
func navigated(err error) bool {
	for _, s := range []string{"Cannot find context", "navigated or closed", "context was destroyed", "Could not find node", "detached"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// waitText waits until the element matching css shows text.
func (b *browser) waitText(css, text string) {
	b.t.Helper()
	q, _ := json.Marshal(css)
	s, _ := json.Marshal(text)
	b.waitFor(fmt.Sprintf("%s shows %q", css, text),
		fmt.Sprintf(`(function(){var e=document.querySelector(%s);return !!e && e.innerText.indexOf(%s)>=0})()`, q, s))
}

func (b *browser) pageText() string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
	return s
}

// screenshot writes the viewport to the screenshot folder, numbered by step.
func (b *browser) screenshot(name string) []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return nil
	}
	b.shot++
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shot, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("write %s: %v", path, err)
	}
	return png
}

// become goes to the cast chooser and picks the person by name.
func (b *browser) become(name string) {
	b.t.Helper()
	b.do("choose "+name,
		chromedp.Navigate(b.base),
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//a[contains(@class,"person")][.//b[text()=%q]]`, name))),
		chromedp.WaitVisible(chromedp.CSS("body[data-ready]")),
	)
	b.waitText(".me", name)
}

// command types a slash command in the composer and sends it.
func (b *browser) send(text string) {
	b.t.Helper()
	retryNode(b, "type "+text, chromedp.SendKeys(chromedp.CSS("#composer-text"), text))
	b.click("send "+text, "#composer button[type=submit]")
}

// openChannel clicks the sidebar entry whose label contains label.
func (b *browser) openChannel(label string) {
	b.t.Helper()
	retryClick(b, "open "+label, chromedp.Search(fmt.Sprintf(`//a[contains(@class,"nav-item")][contains(., %q)]`, label)))
	b.waitText(".nav-item.current", label)
	b.do("see "+label, chromedp.WaitVisible(chromedp.CSS("body[data-ready]")))
}

func (b *browser) modalOpen(title string) {
	b.t.Helper()
	b.waitText("#modal .modal-head", title)
}

func (b *browser) modalClosed() {
	b.t.Helper()
	b.waitFor("the modal closes", `!document.querySelector("#modal form.modal")`)
}

// TestSandboxInBrowser walks the program as people would, in headless Chromium
// against `mentorbot sandbox`: the committee opens the cycle; a mentee joins, is
// told inline that her CV link is no link, fixes it; a mentor joins; the committee
// matches and approves; the duo channel appears for both; both write in it and the
// welcome checklist ticks; the committee's Home shows the duo; the clock moves
// three weeks, the agreement nudge arrives and the committee gets its digest; the
// mentee raises a concern and the committee, past a confirm dialog, dissolves the
// duo; the committee's report shows its funnel chart and offers its CSVs. Screenshots of each step go to MENTORBOT_SCREENSHOTS (default: a
// temporary folder); -update-screenshot writes the README's picture.
func TestSandboxInBrowser(t *testing.T) {
	chromium(t) // skip before starting anything
	base, _ := sandboxURL(t)
	b := newBrowser(t, base)

	b.do("open the sandbox", chromedp.Navigate(base), chromedp.WaitVisible(chromedp.CSS(".cast")))
	b.screenshot("cast")

	// The committee opens the cycle.
	b.become("Ruth Alvarez")
	b.send("/mentorship program")
	b.modalOpen("Open a cycle")
	b.screenshot("program-modal")
	b.click("save the cycle", "#modal [data-act=submit]")
	b.waitText("#modal .modal-body", "cycle is opened")
	b.click("close the modal", "#modal [data-act=close-view]")
	b.modalClosed()

	// A mentee joins; her CV link is no link, and the bot says so under it.
	b.become("Amy Chen")
	b.send("/mentorship join")
	b.modalOpen("Join mentorship")
	b.click("choose mentee", `#modal [data-block-id="role"] input[value="mentee"]`)
	b.do("fill the sign-up",
		chromedp.WaitVisible(chromedp.CSS(`#modal [data-block-id="needs"] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`#modal [data-block-id="needs"] textarea`), "Hands-on practice with original cataloguing in RDA and MARC."),
		chromedp.SetValue(chromedp.CSS(`#modal [data-block-id="stage"] select`), "student"),
		chromedp.Click(chromedp.Search(`//*[@data-block-id="areas"]//label[contains(., "Sharing professional experience")]/input`)),
		chromedp.Click(chromedp.CSS(`#modal [data-block-id="methods"] input[value="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`#modal [data-block-id="hours"] input`), "4"),
		chromedp.SendKeys(chromedp.CSS(`#modal [data-block-id="cv_url"] input`), "my cv is on my desk"),
		chromedp.Click(chromedp.CSS("#modal [data-act=submit]")),
	)
	b.waitFor("an inline error under the CV link",
		`(function(){var e=document.querySelector('#modal [data-error-for="cv_url"]');return !!e && e.innerText.length>0})()`)
	b.screenshot("join-inline-error")
	b.do("fix the CV link",
		chromedp.SetValue(chromedp.CSS(`#modal [data-block-id="cv_url"] input`), "https://example.org/amy-chen-cv"),
		chromedp.Click(chromedp.CSS("#modal [data-act=submit]")),
	)
	b.waitFor("the sign-up is taken", `!document.querySelector("#modal form.modal") || document.querySelector("#modal .modal-body").innerText.indexOf("Your specific needs")<0`)
	b.screenshot("mentee-joined")
	b.click("close the modal", "#modal [data-act=close-view]")
	b.modalClosed()

	// A mentor joins.
	b.become("Wei Zhang")
	b.send("/mentorship join")
	b.modalOpen("Join mentorship")
	b.click("choose mentor", `#modal [data-block-id="role"] input[value="mentor"]`)
	b.do("fill the sign-up",
		chromedp.WaitVisible(chromedp.CSS(`#modal [data-block-id="offer"] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`#modal [data-block-id="offer"] textarea`), "Twenty years in academic libraries; I review grant proposals."),
		chromedp.SetValue(chromedp.CSS(`#modal [data-block-id="capacity"] select`), "2"),
		chromedp.SetValue(chromedp.CSS(`#modal [data-block-id="stage"] select`), "senior"),
		chromedp.Click(chromedp.Search(`//*[@data-block-id="areas"]//label[contains(., "Sharing professional experience")]/input`)),
		chromedp.Click(chromedp.CSS(`#modal [data-block-id="methods"] input[value="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`#modal [data-block-id="hours"] input`), "3"),
		chromedp.Click(chromedp.CSS("#modal [data-act=submit]")),
	)
	b.waitFor("the sign-up is taken", `!document.querySelector("#modal form.modal") || document.querySelector("#modal .modal-body").innerText.indexOf("What you can offer")<0`)
	b.click("close the modal", "#modal [data-act=close-view]")
	b.modalClosed()

	// The committee matches and approves.
	b.become("Ruth Alvarez")
	b.send("/mentorship match")
	b.waitText("#modal .modal-body", "Amy Chen")
	b.screenshot("pairing")
	b.click("approve", `#modal [data-action="pair_approve"]`)
	b.waitText("#modal .modal-body", "Approved by @Ruth Alvarez")
	b.screenshot("approved")
	b.click("close the modal", "#modal [data-act=close-view]")
	b.modalClosed()

	// The duo channel appears for both; both write in it.
	b.become("Amy Chen")
	b.waitFor("the duo channel appears", `!!document.querySelector(".nav-item.private")`)
	b.click("open the duo channel", ".nav-item.private")
	b.do("see the duo channel", chromedp.WaitVisible(chromedp.CSS(".nav-item.private.current")))
	b.waitText("#messages", "Wei Zhang")
	b.send("Hello Wei! I'm looking forward to working with you.")
	b.waitText("#messages", "looking forward")
	b.become("Wei Zhang")
	b.click("open the duo channel", ".nav-item.private")
	b.do("see the duo channel", chromedp.WaitVisible(chromedp.CSS(".nav-item.private.current")))
	b.send("Welcome, Amy! Shall we talk on Thursday?")
	b.waitText("#messages", "Thursday")
	b.waitText("#messages", "✅ Send a welcome message to your mentee") // the checklist ticked
	b.waitText("#messages", "✅ Make initial contact with your mentor")
	b.screenshot("duo-channel")
	if *updateScreenshot {
		png := b.screenshot("readme")
		if err := os.WriteFile(filepath.Join("..", "..", "testdata", "sandbox.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The committee's Home shows the duo.
	b.become("Ruth Alvarez")
	b.openChannel("Home")
	b.waitText("#main .home", "Amy Chen")
	b.screenshot("committee-home")

	// Time moves on: three weeks later the agreement is still unsigned, and the
	// bot reminds the mentee in her DM.
	b.become("Amy Chen")
	b.openChannel("mentorbot")
	for i := 1; i <= 3; i++ {
		before := b.clockText()
		b.click("+1 week", `[data-clock="week"]`)
		b.waitFor("the clock moves", fmt.Sprintf(`document.querySelector(".clock-now").innerText !== %q`, before))
	}
	// Reminders reach Amy (Toronto) on a weekday between 09:00 and 17:00 her time:
	// hour by hour to her next working hour.
	for n := hoursToWorkingDay(t, b.clockText(), "America/Toronto"); n > 0; n-- {
		before := b.clockText()
		b.click("+1 hour", `[data-clock="hour"]`)
		b.waitFor("the clock moves", fmt.Sprintf(`document.querySelector(".clock-now").innerText !== %q`, before))
	}
	b.waitText("#messages", "isn't signed by both of you yet")
	b.screenshot("nudge")

	// Those weeks held Mondays: the committee got its weekly digest.
	b.become("Ruth Alvarez")
	b.openChannel("mentorship-committee")
	b.waitText("#messages", "Weekly digest")
	b.screenshot("digest")

	// The mentee tells the committee it isn't working, in words with markup in
	// them; the committee reads them as typed and, past a confirm dialog,
	// dissolves the duo.
	b.become("Amy Chen")
	b.openChannel("duo-")
	b.send("/mentorship concern")
	b.modalOpen("Tell the committee")
	b.do("write the concern",
		chromedp.SendKeys(chromedp.CSS(`#modal [data-block-id="text"] textarea`), "We can't find a time. <b>Sorry</b> <!channel>"),
	)
	b.click("ask for a new match", `#modal [data-block-id="new_match"] input[value="yes"]`)
	b.click("send the concern", "#modal [data-act=submit]")
	b.waitFor("the concern is sent", `!document.querySelector("#modal form.modal") || document.querySelector("#modal .modal-body").innerText.indexOf("What is happening?")<0`)
	b.become("Ruth Alvarez")
	b.openChannel("mentorship-committee")
	b.waitText("#messages", "We can't find a time. <b>Sorry</b> <!channel>")
	b.click("dissolve", `[data-action="concern_dissolve"]`)
	b.waitFor("a confirm dialog", `!!document.querySelector("dialog.confirm[open]")`)
	b.waitText("dialog.confirm[open]", "Dissolve this duo?")
	b.screenshot("confirm")
	b.click("think again", `dialog.confirm[open] button[value="deny"]`)
	b.waitFor("the dialog closes", `!document.querySelector("dialog.confirm[open]")`)
	b.do("nothing was done", chromedp.Sleep(500*time.Millisecond))
	if strings.Contains(b.pageText(), "Duo dissolved") {
		t.Fatal("Cancel in the confirm dialog dissolved the duo")
	}
	b.click("dissolve", `[data-action="concern_dissolve"]`)
	b.click("confirm", `dialog.confirm[open] button[value="confirm"]`)
	b.waitText("#messages", "Duo dissolved by @Ruth Alvarez")
	b.screenshot("dissolved")
	b.become("Amy Chen")
	b.waitText("#nav", "(archived)")

	// The committee's report: its CSVs to download and its funnel chart, shown.
	b.become("Ruth Alvarez")
	b.openChannel("mentorship-committee")
	b.send("/mentorship report")
	b.waitFor("the funnel chart shows", `(function(){var i=document.querySelector("#messages img.file-image");return !!i && i.complete && i.naturalWidth>0})()`)
	b.waitFor("the CSVs can be downloaded", `document.querySelectorAll('#messages .file a[download$=".csv"]').length>=2`)
	b.screenshot("report")
}

// hoursToWorkingDay is how many whole hours the clock reading now ("Mon 21 Dec 2026
// 07:54 UTC") must move for it to be a weekday between 09:00 and 17:00 in zone.
func hoursToWorkingDay(t *testing.T, now, zone string) int {
	t.Helper()
	at, err := time.Parse("Mon 2 Jan 2006 15:04 MST", strings.TrimSpace(now))
	if err != nil {
		t.Fatalf("read the clock %q: %v", now, err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 24*4; n++ {
		l := at.Add(time.Duration(n) * time.Hour).In(loc)
		if wd := l.Weekday(); wd != time.Saturday && wd != time.Sunday && l.Hour() >= 9 && l.Hour() < 16 {
			return n
		}
	}
	t.Fatalf("no working hour within four days of %s", now)
	return 0
}

func (b *browser) clockText() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(".clock-now").innerText`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}
