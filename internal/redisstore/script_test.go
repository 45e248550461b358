package redisstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/internal/redistest"
)

// The stores of these tests check that each script declares every key it touches
// (Options.CheckKeys): a script that forgot one fails. Here the sign-up script is
// run without its change log key declared, as a copy of SaveSignup that forgot it.
func TestAScriptTouchingAnUndeclaredKeyFails(t *testing.T) {
	s := redistest.New(t).Store()
	ctx := context.Background()
	err := s.SaveSignupDeclaring(ctx, mentee("c", "UME"), t0, func(keys []string) []string {
		return keys[:len(keys)-1] // without pool_changes
	})
	if err == nil || !strings.Contains(err.Error(), "UNDECLARED key") || !strings.Contains(err.Error(), "pool_changes") {
		t.Fatalf("saving with a key left undeclared: %v", err)
	}
	if err := s.SaveSignupDeclaring(ctx, mentee("c", "UME"), t0, nil); err != nil {
		t.Fatalf("with every key declared: %v", err)
	}
}
