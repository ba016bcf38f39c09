package main

import "github.com/spf13/cobra"

func (c *cli) readVerbs() []*cobra.Command {
	return []*cobra.Command{c.historyVerb(), c.watchVerb()}
}
