package main

import (
	"io"

	"github.com/mentorbot/mentorbot/internal/matchcsv"
)

// runMatch is `mentorbot match`: the offline pairing preview.
func runMatch(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return matchcsv.Run(args, stdin, stdout, stderr)
}
