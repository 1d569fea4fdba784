package clickhouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"vigil/sources"
)

// killTimeout bounds the KILL QUERY sent for a query that vigil stopped
// waiting for.
const killTimeout = 5 * time.Second

// killStatement marks one query, by its id, to be stopped. ASYNC returns
// as soon as the server has marked it, without waiting for it to wind
// down; ClickHouse 18.16 accepts it as current releases do. The id is bound
// with ?, so the client writes it escaped.
const killStatement = "KILL QUERY WHERE query_id = ? ASYNC"

// maxRuleInID bounds the part of a query id taken from the rule name.
const maxRuleInID = 64

// queryID returns a new id for a query of rule, vigil-<rule>-<random>, for
// operators to recognise in system.processes and the query log. The rule
// keeps only ASCII letters, digits, _ and -; anything else becomes _.
func queryID(rule string) string {
	var b strings.Builder
	for _, r := range rule {
		if b.Len() == maxRuleInID {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" {
		name = "_"
	}
	var random [8]byte
	rand.Read(random[:]) // never fails (crypto/rand)
	return "vigil-" + name + "-" + hex.EncodeToString(random[:])
}

// flight is one query in flight on the server.
type flight struct {
	s    *Source
	id   string
	rule string
	// ctx is the caller's context bounded by QueryTimeout, qctx the one
	// handed to the client, which carries the query id.
	ctx, qctx context.Context
	cancel    context.CancelFunc
}

// start begins a query of rule under ctx: it picks the query's id and
// bounds it as queryContext does. The caller must call finish.
func (s *Source) start(ctx context.Context, rule string) *flight {
	ctx, qctx, cancel := s.queryContext(ctx)
	id := queryID(rule)
	return &flight{s: s, id: id, rule: rule, ctx: ctx, qctx: ch.Context(qctx, ch.WithQueryID(id)), cancel: cancel}
}

// finish ends the query, which failed with err or succeeded with nil, and
// returns err saying first why the caller's context ended, when it did.
// A query abandoned that way may still run on the server: past a deadline
// the client's socket has timed out and its cancel never leaves (the server
// then runs the query to its end, which on 18.16 without
// max_execution_time may be never), and a cancel that leaves can be lost.
// So finish has it killed by id in the background, without making the
// caller wait.
func (f *flight) finish(err error) error {
	defer f.cancel()
	if err == nil {
		return nil
	}
	if sources.ContextErr(f.ctx) != nil {
		f.s.killLater(f.id, f.rule)
	}
	return sources.WithContextErr(f.ctx, err)
}

// killLater kills query id of rule in the background; Close waits for it.
func (s *Source) killLater(id, rule string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.log.Warn("clickhouse: source closed, query not killed", "rule", rule, "query_id", id)
		return
	}
	s.kills.Add(1)
	go func() {
		defer s.kills.Done()
		s.kill(id, rule)
	}()
}

// kill asks the server to stop query id of rule, within killTimeout, and
// logs the outcome.
func (s *Source) kill(id, rule string) {
	ctx, cancel := context.WithTimeout(context.Background(), killTimeout)
	defer cancel()
	n, err := s.killQuery(ctx, id)
	log := s.log.With("rule", rule, "query_id", id)
	switch {
	case err != nil:
		log.Warn("clickhouse: could not kill a query vigil stopped waiting for", "err", err)
	case n == 0:
		log.Debug("clickhouse: query vigil stopped waiting for had already ended")
	default:
		log.Warn("clickhouse: killed a query vigil stopped waiting for")
	}
}

// killQuery sends KILL QUERY for id and returns how many queries the server
// marked to stop: 0 when none with that id was running.
func (s *Source) killQuery(ctx context.Context, id string) (int, error) {
	rows, err := s.conn.Query(ctx, killStatement, id)
	if errors.Is(err, io.EOF) {
		return 0, nil // 18.16 sends no block at all when no query matched
	}
	if err != nil {
		return 0, fmt.Errorf("clickhouse %s: kill query %s: %w", s.addr, id, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("clickhouse %s: kill query %s: %w", s.addr, id, err)
	}
	return n, nil
}
