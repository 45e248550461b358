package main

import (
	"io"

	"github.com/mentorbot/mentorbot/internal/matchcsv"
)

// runMatch is `mentorbot match`: the offline pairing preview.
func runMatch(args []string, stdout, stderr io.Writer) error {
	return matchcsv.Run(args, stdout, stderr)
}
