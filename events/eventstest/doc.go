// Package eventstest is the test suite every deployment of the event log must pass: one
// embedded server, a three-node cluster with three replicas, or anything added later.
// It is imported only by tests.
package eventstest
