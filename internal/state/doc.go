// Package state is vigil's durable memory: incidents and what people did
// about them, how far each rule has judged, the outbox of notifications,
// and feedback that keeps anomalies out of future baselines. It is what lets
// a restart lose and repeat nothing.
//
// # Why bbolt
//
// The store is one bbolt file (go.etcd.io/bbolt). bbolt is pure Go, so the
// binary needs no cgo for it; it is a single file, easy to back up and move;
// every Update is an ACID transaction: pages are copied on write and the
// file is fsynced before the new root is published, so a crash leaves the
// last committed transaction and never half of one. Its two header pages
// carry checksums, so a damaged header is detected rather than trusted; data
// pages carry none, which is why Open walks the whole tree and runs bbolt's
// consistency check before it writes anything (see verify.go). bbolt allows
// one writer at a time and takes an exclusive lock on the file, which is
// exactly one daemon owning its state. Tools that only read it (vigil
// backtest reads feedback) use OpenReadOnly, which takes the shared lock
// and so gives way to a running daemon instead of waiting for it. So that
// they can read a running daemon's records too, the daemon keeps a
// snapshot beside the file (Snapshots, SnapshotPath: vigil-state.db.snapshot),
// a consistent copy made in a read transaction (bbolt's Tx.WriteTo) into a
// temporary file that is then renamed over the last one; it is rewritten
// a few seconds after incidents or feedback change, and on shutdown. SQLite
// would also do, but costs cgo (or a large translated driver) and a SQL
// layer that these access patterns do not need: every read is a key lookup
// or a prefix scan in key order.
//
// # Layout
//
// Values are JSON; keys are built for the access patterns. "\x00" separates
// key parts (names may not contain it); times in keys are 8-byte big-endian
// Unix nanoseconds with the sign bit flipped, so byte order is time order.
//
//	meta                    "schema" → uint64 version; "app" → "vigil"
//	incidents               incident ID → Incident
//	incidents_by_rule       rule \0 ID → (empty)            ListIncidents by rule
//	open_incidents          rule \0 series → ID             OpenIncident: the one unresolved
//	resolved_incidents      time(ResolvedAt) \0 ID → (empty) Prune
//	rules                   rule → RuleState                LastJudged, failures, rule snooze
//	deliveries              key → Delivery                  the outbox; NextSequence orders it
//	delivery_queue          uint64 seq → key                Pending, in creation order
//	deliveries_by_incident  incident \0 key → (empty)       Deliveries of an incident
//	deliveries_done         time(sent or failed) \0 key → (empty)  Prune
//	feedback                rule \0 time(Start) \0 incident \0 series → Feedback
//	digests                 notifier → when it last flushed, how many times
//	digest_items            notifier \0 channel \0 incident → DigestItem   collected for the next digest; PruneDigests
//
// Times are stored as RFC 3339 with their UTC offset. They come back as the
// same instants in a fixed zone, not the rule's time.Location: compare them
// with Equal, and convert with In(loc) before calendar arithmetic.
//
// # Exactly once, as far as a store can give it
//
// The engine records an incident change and the deliveries it causes in one
// Update (Tx.PutIncident and Tx.Enqueue), then sends each pending delivery
// and marks it sent (MarkSent) with what the notifier returned. A crash
// before the Update loses the event as a whole, so the next run sees the
// same bucket again and makes the same event, with the same keys; a crash
// after it finds the delivery pending and sends it. Only a crash between a
// notifier accepting a message and MarkSent can repeat it, and Enqueue's
// idempotent keys make sure that the repetition is the same message, not a
// new one.
//
// A Slack digest goes the same way. What it collects is recorded with the
// deliveries of the incident change (CollectDigest), and its flush takes
// the collection out and enqueues the digest's delivery in one Update
// (FlushDigest, Enqueue): a restart finds every incident either still
// collected or in a pending digest, never in neither or both.
//
// # Schema versions
//
// The meta bucket holds the schema version. Open runs the missing
// migrations in one transaction; a file from a newer vigil is refused and
// left untouched, as is a file that fails any check on open.
//
// # Retention
//
// Prune deletes resolved incidents and finished deliveries older than a
// cutoff; DefaultRetention (90 days) is the suggested one. PruneDigests
// deletes digest items of notifiers that no longer have a digest. For scale
// (BenchmarkOpen): 10,000 rules, 10,000 incidents and 100,000 sent
// deliveries with 150-byte payloads fill 74 MB of pages in a 91 MB file,
// which opens and verifies in about 20 ms. bbolt reuses the pages Prune
// frees but never shrinks the file; a smaller copy can be made offline
// with bbolt's compact command.
package state
