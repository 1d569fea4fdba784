package state

// Readers of a copy of the store (vigil backtest reads the daemon's
// snapshot, see snapshot.go) care about incidents and feedback, not about
// rule progress or the outbox, which change on every evaluation. The
// transactions that change incidents or feedback announce it once they
// have committed, so that a copy is refreshed only when it has to be.

// readersChanged marks tx as changing what readers of a copy see: the
// store's watchers are told once tx commits, and not at all if it rolls
// back.
func (tx *Tx) readersChanged() {
	if tx.told {
		return
	}
	tx.told = true
	tx.tx.OnCommit(tx.s.announce)
}

// announce tells every watcher, without waiting for any: a watcher that
// has not taken the last announcement yet has one pending already.
func (s *Store) announce() {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	for _, c := range s.watchers {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// watch returns a channel that receives after commits that changed
// incidents or feedback (several commits may come as one receive), and a
// function that stops the watch.
func (s *Store) watch() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	s.watchMu.Lock()
	s.watchers = append(s.watchers, c)
	s.watchMu.Unlock()
	return c, func() {
		s.watchMu.Lock()
		defer s.watchMu.Unlock()
		for i, w := range s.watchers {
			if w == c {
				s.watchers = append(s.watchers[:i], s.watchers[i+1:]...)
				return
			}
		}
	}
}
