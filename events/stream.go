package events

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the one stream every consortium's events live in.
const StreamName = "GOVLEDGER"

// DuplicateWindow is how long JetStream remembers a message id: an Append retried within
// it, with any expected sequence, is recognised by the server itself. The ledger's
// appends (AppendNew) carry no id; it recognises a retry, of any age, from the command
// ids in the consortium's events.
const DuplicateWindow = 10 * time.Minute

// StreamConfig is the stream's configuration: every subject under gov., kept forever on
// file storage, with deletes and purges refused so that nobody, the host included, can
// take an event out through the NATS API.
func StreamConfig(replicas int) jetstream.StreamConfig {
	if replicas < 1 {
		replicas = 1
	}
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "govledger: the append-only governance record of every consortium",
		Subjects:    []string{"gov.>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew,
		MaxMsgs:     -1,
		MaxBytes:    -1,
		MaxAge:      0,
		MaxMsgSize:  MaxPayloadBytes + 4<<10,
		Duplicates:  DuplicateWindow,
		Replicas:    replicas,
		DenyDelete:  true,
		DenyPurge:   true,
		// Reads go through the stream leader: a direct get may be answered by a
		// replica that is behind, and a reader must see the writes it was acknowledged.
		AllowDirect:        false,
		AllowAtomicPublish: true,
	}
}

// EnsureStream creates the stream, or brings an existing one to StreamConfig without
// touching its messages, so starting govledger twice on the same data keeps every event.
func EnsureStream(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.Stream, error) {
	s, err := js.CreateOrUpdateStream(ctx, StreamConfig(replicas))
	if err != nil {
		return nil, fmt.Errorf("create or update stream %s: %w", StreamName, err)
	}
	return s, nil
}
