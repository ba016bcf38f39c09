package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route; a test keeps it true to the code.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) openAPI(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIDocument)
	return err
}
