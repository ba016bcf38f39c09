package events

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govledger/govledger/internal/intern"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
	"github.com/oklog/ulid/v2"
)

// Log is the event log on a JetStream stream. It is safe for concurrent use.
type Log struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  jetstream.Stream
	timeout time.Duration

	mu sync.Mutex
	// heads caches each consortium's last event known to this process, so that an
	// append which expects it needs no extra round trip to learn the hash it links to.
	// The server's sequence check keeps it honest: a stale entry only costs a lookup.
	heads map[string]Head
}

// Head is a consortium's last event: its sequence and hash.
type Head struct {
	Seq  uint64
	Hash string
}

// Options tune Open.
type Options struct {
	// Replicas is the stream's replica count: 1 on one server, 3 on a 3-node cluster.
	Replicas int
	// Timeout bounds a call whose context has no deadline (default 10s).
	Timeout time.Duration
}

// Open makes sure the stream exists and returns the log on it.
func Open(ctx context.Context, nc *nats.Conn, opts Options) (*Log, error) {
	return open(ctx, nc, opts, func(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, error) {
		return EnsureStream(ctx, js, opts.Replicas)
	})
}

// OpenExisting returns the log on the stream that is already there, creating nothing
// and changing nothing: how an auditor reads a ledger that someone else runs. No
// stream is ErrNotFound.
func OpenExisting(ctx context.Context, nc *nats.Conn, opts Options) (*Log, error) {
	return open(ctx, nc, opts, func(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, error) {
		s, err := js.Stream(ctx, StreamName)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("stream %s: no govledger record there: %w", StreamName, ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("stream %s: %w", StreamName, err)
		}
		return s, nil
	})
}

func open(ctx context.Context, nc *nats.Conn, opts Options, stream func(context.Context, jetstream.JetStream) (jetstream.Stream, error)) (*Log, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	ctx, cancel := withTimeout(ctx, opts.Timeout)
	defer cancel()
	s, err := stream(ctx, js)
	if err != nil {
		return nil, err
	}
	return &Log{nc: nc, js: js, stream: s, timeout: opts.Timeout, heads: map[string]Head{}}, nil
}

// JetStream is the JetStream context the log uses, for callers that keep their own
// state beside the log (read-model checkpoints).
func (l *Log) JetStream() jetstream.JetStream { return l.js }

// Append records the events of one command for a consortium, atomically, if and only
// if the consortium's last event is still at sequence expected (0: it has none yet).
//
// Every draft must carry the same command id (empty: one is generated). If the command
// was already appended, by an earlier call whose acknowledgement was lost, Append
// appends nothing and returns the events recorded then. A refused sequence check is a
// *ConflictError (errors.Is ErrConflict); bad input is an *InvalidError, refused before
// anything is published.
func (l *Log) Append(ctx context.Context, consortium string, expected uint64, drafts ...Draft) ([]Envelope, error) {
	envs, _, err := l.append(ctx, consortium, expected, true, drafts)
	return envs, err
}

// AppendNew is Append for a command the caller knows is new: it has read the
// consortium's events up to sequence expected, and the command id is not among them,
// as the ledger knows from its live state. The sequence check then lets the command in
// at most once: a retry with the same expected sequence is refused and answered with
// the original events, and one with a later sequence is the caller's to recognise.
// Its messages carry no Nats-Msg-Id, so the server keeps no duplicate window's worth of
// ids for them and does no duplicate check. earlier says that the events returned are
// those of an earlier append of the command, and this one appended nothing.
func (l *Log) AppendNew(ctx context.Context, consortium string, expected uint64, drafts ...Draft) (envs []Envelope, earlier bool, err error) {
	return l.append(ctx, consortium, expected, false, drafts)
}

// append is Append, with or without the messages' Nats-Msg-Ids, saying whether the
// events are an earlier append's.
func (l *Log) append(ctx context.Context, consortium string, expected uint64, msgIDs bool, drafts []Draft) ([]Envelope, bool, error) {
	if err := ValidSlug("consortium", consortium); err != nil {
		return nil, false, err
	}
	if len(drafts) == 0 {
		return nil, false, invalid("append", "no events to append")
	}
	if len(drafts) > MaxBatchEvents {
		return nil, false, invalid("append", "%d events in one command; at most %d are allowed", len(drafts), MaxBatchEvents)
	}
	drafts = append([]Draft(nil), drafts...)
	commandID := drafts[0].CommandID
	if commandID == "" {
		commandID = ulid.Make().String()
	}
	for i := range drafts {
		if drafts[i].CommandID == "" {
			drafts[i].CommandID = commandID
		}
		if drafts[i].CommandID != commandID {
			return nil, false, invalid("command id", "the events of one append must share a command id (%q and %q)", commandID, drafts[i].CommandID)
		}
		if err := checkDraft(&drafts[i]); err != nil {
			return nil, false, err
		}
	}
	ctx, cancel := withTimeout(ctx, l.timeout)
	defer cancel()

	prev, err := l.prevHash(ctx, consortium, expected)
	if errors.Is(err, ErrConflict) {
		found, err := l.resolve(ctx, consortium, expected, commandID, 0, err)
		return found, err == nil, err
	}
	if err != nil {
		return nil, false, err
	}
	envs := seal(consortium, prev, drafts)
	for pause := time.Millisecond; ; pause *= 2 {
		ack, err := l.publishRetrying(ctx, consortium, expected, msgIDs, envs)
		switch {
		case err == nil && !ack.Duplicate:
			for i := range envs {
				envs[i].Seq = ack.Seq - uint64(len(envs)-1-i)
			}
			l.setHead(consortium, Head{Seq: ack.Seq, Hash: envs[len(envs)-1].Hash})
			return envs, false, nil
		case err == nil: // a duplicate of a single-event command: the server says where the original is
			found, err := l.resolve(ctx, consortium, expected, commandID, ack.Seq, nil)
			return found, err == nil, err
		case errors.Is(err, ErrConflict), errors.Is(err, errDuplicate):
			found, err := l.resolve(ctx, consortium, expected, commandID, 0, err)
			if c, ok := errors.AsType[*ConflictError](err); ok && c.Actual == expected && pause <= maxSettle {
				// Nothing has moved on. On a cluster the stream's leader refuses a check
				// on a consortium whose previous append it has acknowledged but not yet
				// finished applying: ask again in a moment.
				select {
				case <-ctx.Done():
					return nil, false, err
				case <-time.After(pause):
				}
				continue
			}
			return found, err == nil, err
		default:
			l.forgetHead(consortium)
			return nil, false, err
		}
	}
}

// maxSettle is the longest Append waits, doubling from a millisecond, before asking
// again after a refused sequence check that nothing explains.
const maxSettle = 64 * time.Millisecond

// seal gives drafts their ids, times and chain links, and encodes them.
func seal(consortium, prev string, drafts []Draft) []Envelope {
	now := time.Now().UTC()
	envs := make([]Envelope, len(drafts))
	for i, d := range drafts {
		occurred := d.OccurredAt
		if occurred.IsZero() {
			occurred = now
		}
		envs[i] = Envelope{
			ID: nextID(now), Type: d.Type, Consortium: consortium,
			OccurredAt: occurred.UTC(), RecordedAt: now, Actor: d.Actor, CommandID: d.CommandID,
			Schema: SchemaVersion, Prev: prev, Payload: d.Payload,
		}
		encode(&envs[i])
		prev = envs[i].Hash
	}
	return envs
}

// ids makes the ids of sealed events, each greater than every one made before it in
// this process. A consortium's ids must increase, and the audit checks that they do;
// ulid.Make does not promise it across goroutines: it reads the clock before taking its
// lock, so calls from two goroutines in neighbouring milliseconds interleave, and each
// change of millisecond restarts the entropy at random, below the last id made.
var ids struct {
	sync.Mutex
	ms      uint64
	entropy *ulid.MonotonicEntropy
}

func nextID(now time.Time) string {
	ids.Lock()
	defer ids.Unlock()
	if ids.entropy == nil {
		ids.entropy = ulid.Monotonic(rand.Reader, 0)
	}
	ids.ms = max(ids.ms, ulid.Timestamp(now))
	for {
		// As ulid.New does, but on the concrete entropy, so that the id stays on the stack.
		var id ulid.ULID
		if err := id.SetTime(ids.ms); err != nil {
			panic("events: the clock is past the year 10889: " + err.Error())
		}
		if err := ids.entropy.MonotonicRead(ids.ms, id[6:]); err == nil {
			return id.String()
		}
		ids.ms++ // this millisecond's ids are used up (ulid.ErrMonotonicOverflow)
	}
}

// prevHash is the hash of the consortium's event at sequence expected, from the cache
// or the stream. If that is not the consortium's last event, it is a conflict.
func (l *Log) prevHash(ctx context.Context, consortium string, expected uint64) (string, error) {
	if expected == 0 {
		return "", nil
	}
	l.mu.Lock()
	h, ok := l.heads[consortium]
	l.mu.Unlock()
	if ok && h.Seq == expected {
		return h.Hash, nil
	}
	h, err := l.Head(ctx, consortium)
	if err != nil {
		return "", err
	}
	if h.Seq != expected {
		return "", &ConflictError{Consortium: consortium, Expected: expected, Actual: h.Seq}
	}
	return h.Hash, nil
}

func (l *Log) setHead(consortium string, h Head) {
	l.mu.Lock()
	if h.Seq > l.heads[consortium].Seq {
		l.heads[consortium] = h
	}
	l.mu.Unlock()
}

func (l *Log) forgetHead(consortium string) {
	l.mu.Lock()
	delete(l.heads, consortium)
	l.mu.Unlock()
}

// resolve decides what a refused append means. If the command's events are already in
// the log (an earlier attempt landed but its acknowledgement was lost), they are the
// result. Otherwise the refusal stands: a conflict, with the consortium's actual head.
func (l *Log) resolve(ctx context.Context, consortium string, expected uint64, commandID string, dupSeq uint64, cause error) ([]Envelope, error) {
	l.forgetHead(consortium)
	var from startAt
	switch {
	case dupSeq > 0:
		from = startAt{seq: dupSeq}
	case errors.Is(cause, errDuplicate):
		// The server recognised a message id within its duplicate window but did not
		// say where; the original was recorded within that window.
		from = startAt{time: time.Now().Add(-DuplicateWindow - time.Minute)}
	default:
		// A lost acknowledgement followed by a retry with the same expected sequence: the
		// original, if any, is after it.
		from = startAt{seq: expected + 1}
	}
	var withID []Envelope
	err := l.read(ctx, ConsortiumSubjects(consortium), from, 0, reading{hash: true}, func(e Envelope) error {
		if e.CommandID == commandID {
			withID = append(withID, e)
		}
		return nil
	})
	found := FirstAppend(withID, commandID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if len(found) > 0 {
		return found, nil
	}
	if errors.Is(cause, errDuplicate) || dupSeq > 0 {
		return nil, fmt.Errorf("command %s of consortium %s is recorded as a duplicate but its events were not found", commandID, consortium)
	}
	h, err := l.Head(ctx, consortium)
	if err != nil {
		return nil, err
	}
	return nil, &ConflictError{Consortium: consortium, Expected: expected, Actual: h.Seq}
}

// Head returns the consortium's last event (Seq 0 when it has none).
func (l *Log) Head(ctx context.Context, consortium string) (Head, error) {
	if err := ValidSlug("consortium", consortium); err != nil {
		return Head{}, err
	}
	ctx, cancel := withTimeout(ctx, l.timeout)
	defer cancel()
	msg, err := l.stream.GetLastMsgForSubject(ctx, ConsortiumSubjects(consortium))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Head{}, nil
	}
	if err != nil {
		return Head{}, fmt.Errorf("last event of consortium %s: %w", consortium, err)
	}
	h := Head{Seq: msg.Sequence, Hash: Hash(msg.Data)}
	l.setHead(consortium, h)
	return h, nil
}

// Get returns the event at one stream sequence.
func (l *Log) Get(ctx context.Context, seq uint64) (Envelope, error) {
	ctx, cancel := withTimeout(ctx, l.timeout)
	defer cancel()
	msg, err := l.stream.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Envelope{}, fmt.Errorf("event at sequence %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return Envelope{}, fmt.Errorf("event at sequence %d: %w", seq, err)
	}
	return stored(msg.Subject, msg.Data, msg.Sequence, readOptions(nil), nil)
}

// LastSeq is the stream sequence of the newest event of any consortium.
func (l *Log) LastSeq(ctx context.Context) (uint64, error) {
	ctx, cancel := withTimeout(ctx, l.timeout)
	defer cancel()
	info, err := l.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream %s: %w", StreamName, err)
	}
	return info.State.LastSeq, nil
}

// Read returns the consortium's events after sequence after, oldest first, up to its
// last event at the time of the call.
func (l *Log) Read(ctx context.Context, consortium string, after uint64) ([]Envelope, error) {
	if err := ValidSlug("consortium", consortium); err != nil {
		return nil, err
	}
	if after == math.MaxUint64 { // nothing comes after it, and after+1 would be the first
		return nil, nil
	}
	var evs []Envelope
	err := l.read(ctx, ConsortiumSubjects(consortium), startAt{seq: after + 1}, 0, reading{hash: true}, func(e Envelope) error {
		evs = append(evs, e)
		return nil
	})
	return evs, err
}

// Replay calls fn with every event of every consortium from sequence from, oldest
// first, up to the last event at the time of the call. An event that does not decode
// stops the replay with an error naming its sequence. from 0 means the first.
func (l *Log) Replay(ctx context.Context, from uint64, fn func(Envelope) error, opts ...ReadOption) error {
	last, err := l.LastSeq(ctx)
	if err != nil {
		return err
	}
	if from == 0 {
		from = 1
	}
	if last < from {
		return nil
	}
	return l.read(ctx, "gov.>", startAt{seq: from}, last, readOptions(opts), fn)
}

// Follow calls fn with every event from sequence from, oldest first, and then with each
// new event as it is appended, until ctx is done or fn returns an error.
func (l *Log) Follow(ctx context.Context, from uint64, fn func(Envelope) error, opts ...ReadOption) error {
	return l.Watch(ctx, []string{"gov.>"}, from, fn, opts...)
}

// Watch is Follow for the events on some subjects only, such as gov.synergy.decision.>
// (one consortium's decisions) or gov.*.partner.> (every membership change anywhere).
func (l *Log) Watch(ctx context.Context, subjects []string, from uint64, fn func(Envelope) error, opts ...ReadOption) error {
	if len(subjects) == 0 {
		return invalid("subjects", "watch needs at least one subject")
	}
	if from == 0 {
		from = 1
	}
	o, w := readOptions(opts), intern.New(maxWords)
	return l.consume(ctx, subjects, startAt{seq: from}, func(raw jetstream.Msg, seq uint64) (bool, error) {
		e, err := stored(raw.Subject(), raw.Data(), seq, o, w)
		if err != nil {
			return false, err
		}
		return false, fn(e)
	})
}

// ReadOption changes what Replay, Follow and Watch hand over.
type ReadOption func(*reading)

type reading struct {
	hash    bool // set each event's Hash
	payload bool // check that each event's payload is well-formed JSON
}

// WithoutHash leaves each event's Hash empty, for readers that do not follow the hash
// chain, such as the read models: hashing is a good part of decoding an event, and
// Hash(e.Raw) gives the hash of the few events such a reader keeps a mark of. Every
// event is decoded and checked as Decode checks it.
func WithoutHash() ReadOption { return func(r *reading) { r.hash = false } }

// WithoutPayloadCheck leaves checking that each event's payload is well-formed JSON to
// the reader, for readers that decode every payload strictly anyway and refuse one
// that is not, such as the read models, a consortium's state or the audit's rules,
// which would otherwise scan every payload twice. The payload is still held to start as
// an object, and to be what lies between "payload": and the event's closing brace;
// everything else is checked as Decode checks it.
func WithoutPayloadCheck() ReadOption { return func(r *reading) { r.payload = false } }

func readOptions(opts []ReadOption) reading {
	r := reading{hash: true, payload: true}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// startAt is where a read begins: a stream sequence, or a time.
type startAt struct {
	seq  uint64
	time time.Time
}

// read calls fn with the decoded events matching filter from start up to sequence
// end (0: the filter's last event at the time of the call).
func (l *Log) read(ctx context.Context, filter string, start startAt, end uint64, o reading, fn func(Envelope) error) error {
	if end == 0 {
		msg, err := l.stream.GetLastMsgForSubject(ctx, filter)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("last event on %s: %w", filter, err)
		}
		end = msg.Sequence
	}
	if start.time.IsZero() && start.seq > end {
		return nil
	}
	w := intern.New(maxWords)
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var next atomic.Uint64 // the sequence after the last event read
	next.Store(start.seq)
	go l.lookForHoles(ctx, stop, filter, &next, end)
	err := l.consume(ctx, []string{filter}, start, func(m jetstream.Msg, seq uint64) (bool, error) {
		if seq > end {
			return true, nil
		}
		next.Store(seq + 1)
		e, err := stored(m.Subject(), m.Data(), seq, o, w)
		if err != nil {
			return false, err
		}
		if err := fn(e); err != nil {
			return false, err
		}
		// Only the sequence says the read is done. On a cluster the consumer may sit
		// on a replica that has not yet stored all the leader acknowledged: its count
		// of messages pending reaches 0 too early.
		return seq >= end, nil
	})
	if missing, ok := errors.AsType[*MissingError](context.Cause(ctx)); ok {
		return missing
	}
	return err
}

// holePatience is how long a read waits for its next event before asking the stream
// whether the event is there at all.
const holePatience = time.Second

// lookForHoles watches a read up to sequence end: when no event has come for a while,
// it asks the stream for the first message on filter from the one expected next, and
// stops the read with a *MissingError when there is none up to end. The server drops a
// message whose checksum fails when it recovers its files, yet still counts it among
// the stream's messages: with nothing after it, a consumer would wait for it forever.
func (l *Log) lookForHoles(ctx context.Context, stop context.CancelCauseFunc, filter string, next *atomic.Uint64, end uint64) {
	tick := time.NewTicker(holePatience)
	defer tick.Stop()
	seen := next.Load()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		at := next.Load()
		if at != seen || at > end {
			seen = at
			continue
		}
		// If asking fails (a cluster electing a leader), the read goes on, and so does
		// the watch.
		msg, err := l.stream.GetMsg(ctx, at, jetstream.WithGetMsgSubject(filter))
		gone := errors.Is(err, jetstream.ErrMsgNotFound) || err == nil && msg.Sequence > end
		if gone && next.Load() == at { // and nothing came while we asked
			stop(&MissingError{Subjects: filter, From: at, To: end})
			return
		}
	}
}

// consume runs an ordered consumer on the filters from start, handing each message with
// its stream sequence to fn until fn says it is done, fn fails, or ctx ends.
func (l *Log) consume(ctx context.Context, filters []string, start startAt, fn func(m jetstream.Msg, seq uint64) (bool, error)) error {
	filter := strings.Join(filters, " ") // for errors
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: filters}
	if !start.time.IsZero() {
		t := start.time
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &t
	} else {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, max(start.seq, 1)
	}
	cons, err := l.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("read %s: %w", filter, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return fmt.Errorf("read %s: %w", filter, err)
	}
	defer it.Stop()
	until := jetstream.NextContext(ctx)
	for {
		m, err := it.Next(until)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s: %w", filter, err)
		}
		seq, ok := ackSeq(m.Reply())
		if !ok {
			md, err := m.Metadata()
			if err != nil {
				return fmt.Errorf("read %s: %w", filter, err)
			}
			seq = md.Sequence.Stream
		}
		done, err := fn(m, seq)
		if err != nil || done {
			return err
		}
	}
}

// ackSeq reads a message's stream sequence from its reply subject, as Msg.Metadata
// does but without allocating: a replay reads it for every event. The subject is
// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>,
// or, from newer servers, $JS.ACK.<domain>.<account hash>.<stream>... with a token
// after <pending>. ok is false for anything else, which Metadata then reads.
func ackSeq(reply string) (seq uint64, ok bool) {
	const prefix = "$JS.ACK."
	if !strings.HasPrefix(reply, prefix) {
		return 0, false
	}
	seqAt := 5
	switch n := strings.Count(reply, ".") + 1; {
	case n == 9:
	case n >= 11:
		seqAt = 7
	default:
		return 0, false
	}
	rest := reply[len(prefix):]
	for range seqAt - 2 {
		_, rest, _ = strings.Cut(rest, ".")
	}
	token, _, _ := strings.Cut(rest, ".")
	seq, err := strconv.ParseUint(token, 10, 64)
	if err != nil || seq == 0 {
		return 0, false
	}
	return seq, true
}

// errDuplicate is an atomic batch refused because JetStream has seen one of its message ids.
var errDuplicate = errors.New("duplicate command")

// pubAck is JetStream's answer to a publish.
type pubAck struct {
	Error *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
	Seq       uint64 `json:"seq"`
	Duplicate bool   `json:"duplicate"`
}

// publishRetrying publishes, and publishes again while no stream listens on the
// subject, as happens for a moment while a cluster elects a stream leader. Nothing was
// stored then, so sending again cannot record anything twice.
func (l *Log) publishRetrying(ctx context.Context, consortium string, expected uint64, msgIDs bool, envs []Envelope) (pubAck, error) {
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		ack, err := l.publish(ctx, consortium, expected, msgIDs, envs)
		if !errors.Is(err, nats.ErrNoResponders) {
			return ack, err
		}
		select {
		case <-ctx.Done():
			return ack, err
		case <-time.After(wait):
		}
	}
}

// publish sends the sealed events, one message or one atomic batch, with the
// consortium's sequence check on the first, and each with a Nats-Msg-Id if asked.
func (l *Log) publish(ctx context.Context, consortium string, expected uint64, msgIDs bool, envs []Envelope) (pubAck, error) {
	batchID := ""
	if len(envs) > 1 {
		batchID = nuid.Next()
	}
	for i := range envs {
		m := nats.NewMsg(envs[i].Subject())
		m.Data = envs[i].Raw
		if msgIDs {
			m.Header.Set(jetstream.MsgIDHeader, consortium+"/"+envs[i].CommandID+"/"+strconv.Itoa(i))
		}
		if i == 0 {
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(expected, 10))
			m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, ConsortiumSubjects(consortium))
		}
		if batchID != "" {
			m.Header.Set("Nats-Batch-Id", batchID)
			m.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
		}
		if i < len(envs)-1 {
			// Staged by the server; the batch is judged as a whole at the commit.
			if err := l.nc.PublishMsg(m); err != nil {
				return pubAck{}, fmt.Errorf("append to consortium %s: %w", consortium, err)
			}
			continue
		}
		if batchID != "" {
			m.Header.Set("Nats-Batch-Commit", "1")
		}
		resp, err := l.nc.RequestMsgWithContext(ctx, m)
		if err != nil {
			return pubAck{}, fmt.Errorf("append to consortium %s (the events may or may not have been recorded; retry with the same command id): %w", consortium, err)
		}
		return parseAck(consortium, expected, resp.Data)
	}
	panic("unreachable")
}

// parseAck is the one place that reads JetStream's publish errors.
func parseAck(consortium string, expected uint64, data []byte) (pubAck, error) {
	if seq, ok := plainAck(data); ok {
		return pubAck{Seq: seq}, nil
	}
	var ack pubAck
	if err := json.Unmarshal(data, &ack); err != nil {
		return pubAck{}, fmt.Errorf("append to consortium %s: unreadable acknowledgement %q: %w", consortium, data, err)
	}
	if ack.Error == nil {
		return ack, nil
	}
	switch ack.Error.ErrCode {
	case 10071, 10164: // wrong last sequence (10164: the subject is busy with another batch)
		return ack, &ConflictError{Consortium: consortium, Expected: expected}
	case 10158: // the same message id is being stored right now
		return ack, &ConflictError{Consortium: consortium, Expected: expected}
	case 10201: // an atomic batch with a message id seen before
		return ack, errDuplicate
	case 10054:
		return ack, invalid("event", "larger than the stream allows")
	}
	return ack, fmt.Errorf("append to consortium %s: JetStream error %d: %s", consortium, ack.Error.ErrCode, ack.Error.Description)
}

// plainAck reads the common answer, {"stream":"GOVLEDGER","seq":N} perhaps with a
// domain, without a JSON decoder: it is on the path of every append.
func plainAck(data []byte) (uint64, bool) {
	if bytes.Contains(data, []byte(`"error"`)) || bytes.Contains(data, []byte(`"duplicate"`)) {
		return 0, false
	}
	i := bytes.Index(data, []byte(`"seq":`))
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(`"seq":`):]
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	seq, err := strconv.ParseUint(string(rest[:n]), 10, 64)
	return seq, err == nil && seq > 0
}

func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}
