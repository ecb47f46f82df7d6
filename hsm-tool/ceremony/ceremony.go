// Package ceremony holds the steps of the offline CA ceremony, one method each, apart
// from the command line: each takes what it works on as values, reaches the token
// through the Ceremony's Open, records itself in the audit log and reads the time from
// the Ceremony's clock, so that every step is tested without the CLI (with
// hsm.SoftStore or a SoftHSM2 token).
//
// Every step writes its "started" record before it reads its inputs, opens the token
// or writes a file, and a "finished" record with the outcome after, whatever happened:
// a wrong PIN, a missing PIN file or a Vault failure (all inside Open) are recorded too.
package ceremony

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"time"

	"github.com/meshfn/meshfn/hsm-tool/audit"
	"github.com/meshfn/meshfn/hsm-tool/hsm"
	"github.com/meshfn/meshfn/internal/certchain"
)

// Session is an open token.
type Session struct {
	Store hsm.Store
	// Close closes the token and removes what opening it left (Vault's client files).
	Close func()
}

// Ceremony runs the ceremony's steps on one token.
type Ceremony struct {
	// Token names the token in the audit log: its label, or "slot N".
	Token string
	// Open opens the token, reading its PIN; a step calls it after its started record,
	// and only when it needs the token.
	Open func(ctx context.Context) (*Session, error)
	// Audit is the audit log; nil records nothing.
	Audit *audit.Log
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Rand is the randomness of serial numbers and encryption; crypto/rand when nil.
	Rand io.Reader
	// TrustDomain is the mesh's SPIFFE trust domain: chains are judged by whether the
	// workload certificates they issue in it verify (certchain.Policy); "" means
	// certchain.DefaultTrustDomain.
	TrustDomain string
}

func (c *Ceremony) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// chainPolicy is how the steps judge a chain.
func (c *Ceremony) chainPolicy() certchain.Policy {
	return certchain.Policy{Keys: certchain.DefaultKeys, TrustDomain: c.TrustDomain}
}

func (c *Ceremony) rand() io.Reader {
	if c.Rand == nil {
		return rand.Reader
	}
	return c.Rand
}

// step is one step under way: its audit entry and, once opened, its token.
type step struct {
	c       *Ceremony
	ctx     context.Context
	entry   audit.Entry
	session *Session
}

// run records the started entry e, runs f, and records the outcome. The token f opens
// through step.token is closed when f returns.
func (c *Ceremony) run(ctx context.Context, e audit.Entry, f func(s *step) error) error {
	s := &step{c: c, ctx: ctx, entry: e}
	if err := c.Audit.Start(&s.entry); err != nil {
		return err
	}
	err := f(s)
	if s.session != nil {
		s.session.Close()
	}
	if aerr := c.Audit.Finish(s.entry, err); aerr != nil {
		return errors.Join(err, aerr)
	}
	return err
}

// token opens the token, once.
func (s *step) token() (hsm.Store, error) {
	if s.session == nil {
		if s.c.Open == nil {
			return nil, errors.New("no token to open")
		}
		sess, err := s.c.Open(s.ctx)
		if err != nil {
			return nil, err
		}
		s.session = sess
	}
	return s.session.Store, nil
}

// entry starts the audit entry of a step that uses the token.
func (c *Ceremony) entry(command string, keys []string, files ...string) audit.Entry {
	return audit.Entry{Command: command, Token: c.Token, Keys: keys, Files: files}
}
