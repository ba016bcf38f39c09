// Subscribe prints a consortium's changes as they happen, with nothing but a NATS
// client: every govledger event is one message on gov.<consortium>.<noun>.<verb>, its
// data the event as stored (JSON). Narrow the subject to see less:
//
//	go run ./examples/subscribe                                # every change of synergy
//	go run ./examples/subscribe -subject 'gov.synergy.partner.>' # its membership changes
//	go run ./examples/subscribe -subject 'gov.*.decision.carried' # decisions carried anywhere
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/nats-io/nats.go"
)

// event is the part of a govledger event this program prints.
type event struct {
	Type       string `json:"type"`
	Consortium string `json:"consortium"`
	OccurredAt string `json:"occurred_at"`
	Actor      struct {
		Person  string `json:"person"`
		Partner string `json:"partner"`
	} `json:"actor"`
	Payload json.RawMessage `json:"payload"`
}

func main() {
	url := flag.String("nats", "nats://127.0.0.1:4222", "where govledger serve's NATS port is")
	subject := flag.String("subject", "gov.synergy.>", "what to subscribe to")
	flag.Parse()

	nc, err := nats.Connect(*url)
	if err != nil {
		log.Fatalf("connect to %s: %v", *url, err)
	}
	defer nc.Close()
	_, err = nc.Subscribe(*subject, func(m *nats.Msg) {
		var e event
		if err := json.Unmarshal(m.Data, &e); err != nil {
			log.Printf("%s: not a govledger event: %v", m.Subject, err)
			return
		}
		fmt.Printf("%s %s %s by %s@%s: %s\n", e.OccurredAt, e.Consortium, e.Type, e.Actor.Person, e.Actor.Partner, e.Payload)
	})
	if err != nil {
		log.Fatalf("subscribe to %s: %v", *subject, err)
	}
	fmt.Fprintf(os.Stderr, "subscribed to %s on %s; Ctrl-C to stop\n", *subject, *url)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
}
