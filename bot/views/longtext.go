package views

import (
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// sectionPartLen is how much escaped text one section of a long text carries, leaving
// room under Slack's 3000 characters for a heading.
const sectionPartLen = 2800

// mrkdwnParts splits s, mrkdwn made with Escape, into at most maxParts parts of at most
// n characters each (the last one truncated with "…" if s is longer still). It cuts at
// a line break or a space near the limit when there is one, and never inside an
// entity such as "&amp;".
func mrkdwnParts(s string, n, maxParts int) []string {
	rs := []rune(s)
	var parts []string
	for len(rs) > 0 {
		if len(rs) <= n {
			if strings.TrimSpace(string(rs)) != "" {
				parts = append(parts, string(rs))
			}
			break
		}
		if len(parts) == maxParts-1 {
			parts = append(parts, TruncateMrkdwn(string(rs), n))
			break
		}
		cut := n
		// Never leave half an entity: an '&' in the last 4 characters starts one
		// (entities are at most 5 long) unless its ';' is before the cut.
		for i := cut - 1; i >= cut-4 && i > 0; i-- {
			if rs[i] == ';' {
				break
			}
			if rs[i] == '&' {
				cut = i
				break
			}
		}
		// Prefer a line break, then a space, in the last quarter.
		if i := lastIndexRune(rs[:cut], '\n', cut-n/4); i > 0 {
			cut = i + 1
		} else if i := lastIndexRune(rs[:cut], ' ', cut-n/4); i > 0 {
			cut = i + 1
		}
		if part := strings.TrimRight(string(rs[:cut]), " \n"); part != "" {
			parts = append(parts, part)
		}
		rs = rs[cut:]
	}
	return parts
}

// lastIndexRune is the index of the last r in rs at or after from, or -1.
func lastIndexRune(rs []rune, r rune, from int) int {
	for i := len(rs) - 1; i >= 0 && i >= from; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// longSections shows escaped mrkdwn text under a bold heading, in as many sections
// as it needs (at most maxParts): block ids are blockID, blockID_2, blockID_3…
func longSections(blockID, heading, escaped string, maxParts int) []slack.Block {
	parts := mrkdwnParts(escaped, sectionPartLen, maxParts)
	if len(parts) == 0 {
		parts = []string{"_(nothing written)_"}
	}
	blocks := make([]slack.Block, len(parts))
	for i, p := range parts {
		id, text := blockID, p
		if i == 0 {
			text = heading + "\n" + p
		} else {
			id = blockID + "_" + strconv.Itoa(i+1)
		}
		blocks[i] = section(id, text)
	}
	return blocks
}
