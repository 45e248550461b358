package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// reportFiles waits until the report's three files are shared and returns them by
// name prefix ("duos", "evaluations", "funnel").
func (h *harness) reportFiles() map[string]slackfake.File {
	h.t.Helper()
	if err := h.slack.Wait(h.ctx, func() bool { return len(h.slack.Files()) >= 3 }); err != nil {
		h.t.Fatalf("the report's files never came: %d files; logs:\n%s", len(h.slack.Files()), h.logs.String())
	}
	out := map[string]slackfake.File{}
	for _, f := range h.slack.Files() {
		kind, _, _ := strings.Cut(f.Name, "-")
		if _, dup := out[kind]; dup {
			h.t.Errorf("two %s files: %s", kind, f.Name)
		}
		out[kind] = f
	}
	return out
}

// funnelRow returns the mentees and mentors of a step in the summary's funnel table.
func funnelRow(summary, label string) string {
	for _, line := range strings.Split(summary, "\n") {
		line = strings.Trim(line, "`")
		if rest, ok := strings.CutPrefix(line, label+" "); ok {
			if f := strings.Fields(rest); len(f) == 2 {
				return f[0] + " " + f[1]
			}
		}
	}
	return ""
}

func parseCSV(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("not a CSV (%v):\n%s", err, b)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, col := range rows[0] {
			m[col] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// TestReportUploadsTheStoreToTheCommitteeAndTheEvaluationGoesNowhereElse walks a duo
// to a first contact and the mentee's evaluation, then the committee's report: the
// summary at once, then one message in the committee channel with the duos CSV
// (rows as stored), the evaluations CSV (every answer) and a PNG chart. The
// evaluation's answers are in that CSV and in nothing else Slack or the logs hold;
// the export of the same cycle is the same CSV, byte for byte.
func TestReportUploadsTheStoreToTheCommitteeAndTheEvaluationGoesNowhereElse(t *testing.T) {
	h := startBot(t)
	ds := h.openDuos(2)
	d := ds[0]
	c := mustActive(t, h)
	h.say(d.MenteeID, d.ChannelID, "Hello! Looking forward to this.")
	h.say(d.MentorID, d.ChannelID, "Welcome!")
	h.eventually("first contact stored", func() bool { return !h.duo(d).Activity.FirstContact().IsZero() })
	answered(t, h.evaluate(d.MenteeID, evaluationForm("rep")))

	h.command(alice, "report")
	sum := allText(h.ephemeral(alice, "Report of"))
	mentors := map[string]bool{ds[0].MentorID: true, ds[1].MentorID: true}
	for label, want := range map[string]string{
		"Signed up": "3 2", "Matched": "2 " + strconv.Itoa(len(mentors)), "First contact": "1 1",
		"Agreement signed": "0 0", "Evaluated": "1 0",
	} {
		if got := funnelRow(sum, label); got != want {
			t.Errorf("summary: %s mentees, mentors = %q, want %q:\n%s", label, got, want, sum)
		}
	}
	if want := fmt.Sprintf("*Evaluations:* 1 in, %d missing.", 2+len(mentors)-1); !strings.Contains(sum, want) {
		t.Errorf("the summary lacks %q:\n%s", want, sum)
	}
	files := h.reportFiles()
	var shares []slackfake.Message
	for _, m := range h.slack.Messages(committeeChannel) {
		if len(m.Files) > 0 {
			shares = append(shares, m)
		}
	}
	if len(shares) != 1 || len(shares[0].Files) != 3 || !strings.Contains(shares[0].Text, "<@"+alice+">") {
		t.Fatalf("want one committee message carrying the three files; got %d: %s", len(shares), texts(shares))
	}
	for name, f := range files {
		if f.Channel != committeeChannel {
			t.Errorf("%s shared in %s", name, f.Channel)
		}
	}

	// The duos CSV is the store's duos.
	stored, err := h.store().Duos(h.ctx, c.ID, []string{ds[0].ID, ds[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := h.store().Evaluation(h.ctx, c.ID, d.MenteeID)
	if err != nil {
		t.Fatal(err)
	}
	rows := parseCSV(t, files["duos"].Content)
	if len(rows) != 2 {
		t.Fatalf("%d duo rows, want 2", len(rows))
	}
	for i, s := range stored {
		r := rows[i]
		mentee, _ := h.store().Participant(h.ctx, c.ID, s.MenteeID)
		want := map[string]string{"duo_id": s.ID, "mentee_id": s.MenteeID, "mentor_id": s.MentorID, "mentee_name": mentee.Name,
			"status": "open", "approved": rfc(s.CreatedAt), "channel_opened": rfc(s.OpenedAt()),
			"first_contact": rfc(s.Activity.FirstContact()), "agreement_signed": "", "mentor_evaluation_in": "", "ended": ""}
		if s.ID == d.ID {
			want["mentee_evaluation_in"], want["stage"] = rfc(ev.SubmittedAt), "First contact"
		} else {
			want["mentee_evaluation_in"], want["stage"] = "", "Channel open"
		}
		for col, v := range want {
			if r[col] != v {
				t.Errorf("duo %s: %s = %q, want %q", s.ID, col, r[col], v)
			}
		}
		if want["first_contact"] == "" && s.ID == d.ID {
			t.Error("the duo that wrote has no first contact")
		}
	}

	// The evaluations CSV holds every answer, for the committee.
	evs := parseCSV(t, files["evaluations"].Content)
	if len(evs) != 1 || evs[0]["user_id"] != d.MenteeID || evs[0]["overall"] != "4" || evs[0]["needs_met"] != "5" ||
		evs[0]["communication"] != "3" || evs[0]["again"] != "yes" || evs[0]["recommend"] != "maybe" || evs[0]["late"] != "no" {
		t.Errorf("evaluation rows %v", evs)
	}
	for id, text := range secrets("rep") {
		col := map[string]string{"other_activities": "other_activities"}[id]
		if col == "" {
			col = id
		}
		if evs[0][col] != text {
			t.Errorf("evaluations CSV %s = %q, want %q", col, evs[0][col], text)
		}
	}

	img, format, err := image.Decode(bytes.NewReader(files["funnel"].Content))
	if err != nil || format != "png" || img.Bounds().Dx() == 0 || img.Bounds().Dy() == 0 {
		t.Errorf("the chart: %v, format %q", err, format)
	}

	// Nothing else holds the answers: messages, DMs, ephemerals, views, Homes, files
	// elsewhere, logs. Home, redrawn for the committee, shows the funnel.
	if _, err := h.slack.OpenHome(h.ctx, alice); err != nil {
		t.Fatal(err)
	}
	h.home(alice, "Funnel")
	h.home(alice, fmt.Sprintf("*Matched*\n2 mentees · %d mentors", len(mentors)))
	h.mustNotLeak(d.MenteeID, "rep")

	// mentorbot export of the same cycle writes the same bytes.
	for kind, f := range map[string]slackfake.File{"duos": files["duos"], "evaluations": files["evaluations"]} {
		out := filepath.Join(t.TempDir(), kind+".csv")
		if _, stderr, err := h.export("--what", kind, "--cycle", c.ID, "--out", out); err != nil {
			t.Fatalf("export %s: %v %s", kind, err, stderr)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.Content) {
			t.Errorf("export --what %s differs from the uploaded CSV:\n%s\nuploaded:\n%s", kind, got, f.Content)
		}
	}
	// Without --cycle: the active one, to stdout.
	if stdout, _, err := h.export("--what", "duos"); err != nil || stdout != string(files["duos"].Content) {
		t.Errorf("export of the active cycle to stdout: %v\n%s", err, stdout)
	}
}

// export runs `mentorbot export args…` against the bot's Redis.
func (h *harness) export(args ...string) (stdout, stderr string, err error) {
	h.t.Helper()
	var out, errb bytes.Buffer
	env := func(k string) string {
		switch k {
		case "REDIS_URL", "MENTORBOT_KEY_PREFIX":
			return h.env[k]
		}
		return ""
	}
	err = runWith(h.ctx, runDeps{}, append([]string{"export"}, args...), env, &out, &errb)
	return out.String(), errb.String(), err
}

func TestReportIsForTheCommitteeOnly(t *testing.T) {
	h := startBot(t)
	h.openDuos(1)
	h.command(bob, "report")
	h.ephemeral(bob, "is for the mentorship committee")
	h.settle()
	if n := len(h.slack.Files()) + h.slack.CallCount("files.getUploadURLExternal") + h.slack.CallCount("files.completeUploadExternal"); n != 0 {
		t.Fatalf("a refused report uploaded: %d files and upload calls", n)
	}
	if jobs, total, err := h.store().JobsOfKind(h.ctx, "report", 10); err != nil || total != 0 {
		t.Fatalf("a refused report left %d jobs (%v): %v", total, jobs, err)
	}
	// A committee member naming a cycle that does not exist is told so, and
	// nothing is uploaded either.
	h.command(alice, "report no-such-cycle")
	h.ephemeral(alice, "That program cycle does not exist.")
	h.settle()
	if n := len(h.slack.Files()); n != 0 {
		t.Fatalf("%d files for a cycle that does not exist", n)
	}
	// Help shows it to the committee only.
	h.command(bob, "help")
	if text := allText(h.ephemeral(bob, "Commands")); strings.Contains(text, "/mentorship report") {
		t.Errorf("help offers report to a participant:\n%s", text)
	}
	h.command(alice, "help")
	h.ephemeral(alice, "/mentorship report")
}

// TestReportRetryAfterAnAmbiguousFailureUploadsOnce: Slack shares the files but the
// answer is lost (a 500 after the effect); the retry finds the report in the
// committee channel by its tag and uploads nothing more.
func TestReportRetryAfterAnAmbiguousFailureUploadsOnce(t *testing.T) {
	h := startBot(t)
	h.openDuos(1)
	h.slack.FailNextAfterEffect("files.completeUploadExternal", 500)
	h.command(alice, "report")
	h.ephemeral(alice, "Report of")
	h.reportFiles()
	h.eventually("the job knows the upload may have happened", func() bool {
		jobs, _, _ := h.store().JobsOfKind(h.ctx, "report", 10)
		return len(jobs) == 1 && jobs[0].Uncertain
	})
	h.clock.Advance(time.Hour)
	h.settle()
	if jobs, total, _ := h.store().JobsOfKind(h.ctx, "report", 10); total != 0 {
		t.Fatalf("the report job is still there: %+v", jobs)
	}
	if n := h.slack.CallCount("files.completeUploadExternal"); n != 1 {
		t.Errorf("files shared %d times, want once", n)
	}
	if n := h.slack.CallCount("conversations.history"); n == 0 {
		t.Error("the retry did not look in the committee channel first")
	}
	if n := len(h.slack.Files()); n != 3 {
		t.Errorf("%d files, want the report's 3", n)
	}
}

// TestARedeliveredReportCommandUploadsOnce: Slack sends the same command twice (its
// ack was lost); the upload is keyed by the command, so one report comes.
func TestARedeliveredReportCommandUploadsOnce(t *testing.T) {
	h := startBot(t)
	h.openDuos(1)
	ack := h.command(alice, "report")
	h.ephemeral(alice, "Report of")
	h.reportFiles()
	if _, err := h.slack.Redeliver(h.ctx, ack.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	if err := h.slack.Wait(h.ctx, func() bool { return len(h.slack.Ephemerals(alice)) >= 2 }); err != nil {
		t.Fatalf("the redelivered command was not answered: %v", err)
	}
	h.settle()
	if n := h.slack.CallCount("files.completeUploadExternal"); n != 1 {
		t.Errorf("files shared %d times for one command, want once", n)
	}
	if n := len(h.slack.Files()); n != 3 {
		t.Errorf("%d files, want 3", n)
	}
}

func TestExportErrorsAreOneLineAndLeaveNoFile(t *testing.T) {
	h := startBot(t)
	h.openDuos(1)
	dir := t.TempDir()
	out := filepath.Join(dir, "duos.csv")
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no such cycle", nil, []string{"--what", "duos", "--cycle", "nope", "--out", out}, 1, `no cycle "nope"`},
		{"redis unreachable", map[string]string{"REDIS_URL": "redis://127.0.0.1:" + freePort(t) + "/0"}, []string{"--what", "duos", "--out", out}, 1, "cannot reach Redis"},
		{"bad url", map[string]string{"REDIS_URL": "http://example.org"}, []string{"--what", "duos", "--out", out}, 2, "REDIS_URL is not a valid"},
		{"no active cycle", map[string]string{"MENTORBOT_KEY_PREFIX": h.redis.Prefix + "empty:"}, []string{"--what", "duos", "--out", out}, 1, "no cycle is active"},
		{"bad --what", nil, []string{"--what", "everything", "--out", out}, 2, "--what must be duos, evaluations or participants"},
		{"unknown flag", nil, []string{"--what", "duos", "--format", "xlsx"}, 2, "flag provided but not defined"},
		{"stray argument", nil, []string{"--what", "duos", "extra"}, 2, "unexpected argument"},
		{"unwritable --out", nil, []string{"--what", "duos", "--out", filepath.Join(dir, "missing", "duos.csv")}, 1, "write"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := func(k string) string {
				if v, ok := tt.env[k]; ok {
					return v
				}
				if k == "REDIS_URL" || k == "MENTORBOT_KEY_PREFIX" {
					return h.env[k]
				}
				return ""
			}
			var stdout, stderr bytes.Buffer
			err := runWith(h.ctx, runDeps{}, append([]string{"export"}, tt.args...), env, &stdout, &stderr)
			if err == nil || exitCode(err) != tt.code {
				t.Fatalf("err %v (exit %d), want exit %d", err, exitCode(err), tt.code)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "export: ") {
				t.Errorf("error %q: want one line with %q", msg, tt.want)
			}
			if stdout.Len()+stderr.Len() > 0 {
				t.Errorf("wrote %q / %q besides the error", stdout.String(), stderr.String())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
	// -h prints the usage and succeeds.
	if stdout, _, err := h.export("-h"); err != nil || !strings.Contains(stdout, "Usage: mentorbot export --what duos|evaluations|participants") {
		t.Errorf("export -h: %v\n%s", err, stdout)
	}
	// A good export replaces the file whole, readable by its owner only.
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.export("--what", "participants", "--out", out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	st, _ := os.Stat(out)
	if rows := parseCSV(t, b); len(rows) != 5 || st.Mode().Perm() != 0o600 {
		t.Errorf("participants export: %d rows, mode %v", len(rows), st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files in the directory: %v", entries)
	}
}
