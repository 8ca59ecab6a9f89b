// Package httpjson writes the JSON answers of the server's admin, report
// and console APIs, so every endpoint answers in one shape: the value, or
// {"error": "..."} with a status code.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write answers 200 with v as JSON. An encoding error after the header is
// sent can only be a broken connection, which the client sees anyway.
func Write(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

// Error answers status with {"error": msg}.
func Error(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
