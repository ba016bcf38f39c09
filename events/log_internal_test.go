package events

import (
	"context"
	"strconv"
	"testing"

	"github.com/govledger/govledger/embedded"
	"github.com/nats-io/nats.go/jetstream"
)

// TestAckSeq: the reply subject is read as Msg.Metadata reads it, in both of the
// forms servers send, and anything else is left to Metadata.
func TestAckSeq(t *testing.T) {
	for _, c := range []struct {
		reply string
		seq   uint64
		ok    bool
	}{
		{"$JS.ACK.GOVLEDGER.OC_abc.1.1042.17.1772443800000000000.958", 1042, true},
		{"$JS.ACK._.ACCHASH.GOVLEDGER.OC_abc.1.1042.17.1772443800000000000.0.a1b2", 1042, true},
		{"$JS.ACK.hub.ACCHASH.GOVLEDGER.OC_abc.1.7.3.1772443800000000000.12", 7, true},
		{"$JS.ACK.GOVLEDGER.OC_abc.1.x.17.1772443800000000000.958", 0, false},
		{"$JS.ACK.GOVLEDGER.OC_abc.1.0.17.1772443800000000000.958", 0, false},
		{"$JS.ACK.GOVLEDGER.OC_abc.1.1042.17.1772443800000000000", 0, false},
		{"_INBOX.abc.def", 0, false},
		{"", 0, false},
	} {
		seq, ok := ackSeq(c.reply)
		if seq != c.seq || ok != c.ok {
			t.Errorf("%q: got %d, %v; want %d, %v", c.reply, seq, ok, c.seq, c.ok)
		}
	}
}

// TestAckSeqOfRealMessages: what a server sends is read as Msg.Metadata reads it.
func TestAckSeqOfRealMessages(t *testing.T) {
	s := embedded.StartForTest(t, "")
	log, err := Open(context.Background(), embedded.ConnectForTest(t, s), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var head uint64
	for i := range 5 {
		got, err := log.Append(context.Background(), "synergy", head, Draft{Type: "decision.vote-cast", CommandID: "c" + strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		head = got[0].Seq
	}
	n := 0
	err = log.consume(context.Background(), []string{"gov.>"}, startAt{seq: 2}, func(m jetstream.Msg, seq uint64) (bool, error) {
		md, err := m.Metadata()
		if err != nil {
			return false, err
		}
		if s, ok := ackSeq(m.Reply()); !ok || s != md.Sequence.Stream || s != seq {
			t.Errorf("%s: read %d, %v; Metadata says %d", m.Reply(), s, ok, md.Sequence.Stream)
		}
		n++
		return seq == head, nil
	})
	if err != nil || n != 4 {
		t.Fatalf("read %d messages: %v", n, err)
	}
}

func TestOnSubject(t *testing.T) {
	for subject, want := range map[string]bool{
		"gov.synergy.decision.vote-cast":        true,
		"gov.synergy-x.decision.vote-cast":      false, // another consortium that starts alike
		"gov.synergy.decision.vote-cast.extra":  false,
		"gov.synergy.decision.carried":          false,
		"gov.synergydecision.vote-cast":         false,
		"nat.synergy.decision.vote-cast":        false,
		"gov.essex-alliance.decision.vote-cast": false,
		"gov.synergy.":                          false,
		"":                                      false,
	} {
		if got := onSubject(subject, "synergy", "decision.vote-cast"); got != want {
			t.Errorf("onSubject(%q) = %v, want %v", subject, got, want)
		}
	}
}
