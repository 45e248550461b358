package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/report"
)

// JobReport uploads a report's files to the committee channel.
const JobReport = "report"

// The committee's report: an ephemeral summary at once, and the files (duos and
// evaluations CSVs, the funnel chart) uploaded to the committee channel by a durable
// job. The evaluations CSV holds what participants wrote in confidence: it goes to
// the committee channel and nowhere else, and no log line carries it.

// handleReport answers /mentorship report [cycle id] (committee only: the router
// refused anyone else before this runs). It sums the cycle up, records the upload as
// a job keyed by the request (a redelivered command uploads once), and answers with
// the summary.
func (b *Bot) handleReport(ctx context.Context, cmd *slack.SlashCommand, args string) error {
	if b.cfg.Report == nil {
		return mentor.Errorf(mentor.EUNAVAILABLE, "The report isn't available in this installation of mentorbot.")
	}
	var c mentor.Cycle
	var err error
	if id := strings.TrimSpace(args); id != "" {
		c, _, err = b.program.Get(ctx, id)
	} else {
		c, err = b.activeCycle(ctx, cmd.UserID)
	}
	if err != nil {
		return err
	}
	sum, err := b.cfg.Report.Summary(ctx, c)
	if err != nil {
		return err
	}
	tag := reportTag(cmd)
	job := mentor.Job{Key: "report:" + c.ID + ":" + tag, Kind: JobReport,
		Data: map[string]string{"cycle": c.ID, "tag": tag, "by": cmd.UserID}}
	if err := b.cfg.Scheduler.Now(ctx, job, mentor.ScheduleKeep); err != nil {
		return err
	}
	return b.reply.Command(ctx, cmd, views.ReportSummary(c, sum, b.committee.Channel(), tag))
}

// reportTag names one request for a report: the same for a redelivered command (it
// comes from the command's trigger), short enough for a file title.
func reportTag(cmd *slack.SlashCommand) string {
	seed := cmd.TriggerID
	if seed == "" {
		seed = uuid.NewString()
	}
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])[:10]
}

// performReport uploads the report's files to the committee channel in one message,
// through Slack's current flow: files.getUploadURLExternal and the upload for each
// file, then one files.completeUploadExternal sharing them. A retry after a failure
// that may have taken effect first looks for the report's files (by the tag in their
// titles) in the committee channel's history, and uploads nothing if they are there.
func (b *Bot) performReport(ctx context.Context, j mentor.Job) error {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if err != nil {
		return ignoreGone(err)
	}
	tag := j.Data["tag"]
	channel := b.committee.Channel()
	if j.Retried() {
		found, err := b.findReport(ctx, channel, tag, j.CreatedAt)
		if err != nil {
			return err
		}
		if found {
			b.log.Info("report found in the committee channel; not uploading again", "report", tag)
			return nil
		}
	}
	files, sum, err := b.cfg.Report.Files(ctx, c, tag)
	if err != nil {
		return err
	}
	var shared []slack.FileSummary
	for _, f := range files {
		u, err := b.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
			FileName: f.Name, FileSize: len(f.Content), AltTxt: altText(f)})
		if err != nil {
			return fmt.Errorf("upload url for %s: %w", f.Name, err)
		}
		if err := b.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL, Filename: f.Name, Reader: bytes.NewReader(f.Content)}); err != nil {
			return fmt.Errorf("upload %s: %w", f.Name, err)
		}
		shared = append(shared, slack.FileSummary{ID: u.FileID, Title: f.Title})
	}
	_, err = b.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files: shared, Channel: channel, InitialComment: views.ReportComment(c, sum, j.Data["by"], tag)})
	if err != nil {
		return fmt.Errorf("share the report's files: %w", err)
	}
	return nil
}

func altText(f report.File) string {
	if f.Type == "png" {
		return "Bar chart of the program's funnel, mentees and mentors: " + f.Title
	}
	return ""
}

// findReport looks in channel's history since since for a message carrying a file
// of report tag.
func (b *Bot) findReport(ctx context.Context, channel, tag string, since time.Time) (bool, error) {
	want := "· report " + tag
	_, found, err := b.searchHistory(ctx, channel, false, since, func(m slack.Message) bool {
		for _, f := range m.Files {
			if strings.HasSuffix(f.Title, want) {
				return true
			}
		}
		return false
	})
	return found, err
}
