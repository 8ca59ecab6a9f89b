package syncclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"laoxiao/agent"
	"laoxiao/schema"
)

// Enroll trades a one-time code for a token and stores it with the
// server's address and the device's scope.
func Enroll(ctx context.Context, st *agent.Store, serverURL, code, name string) error {
	return EnrollWithCA(ctx, st, serverURL, code, name, nil)
}

// tlsConfig trusts caPEM (a county server's own certificate or its
// internal CA) instead of the system roots when it is set.
func tlsConfig(caPEM []byte) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(caPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("the CA file holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// EnrollWithCA is Enroll for a server whose TLS certificate chains to
// caPEM rather than to the system's roots; the CA is kept with the token
// and used for every sync.
func EnrollWithCA(ctx context.Context, st *agent.Store, serverURL, code, name string, caPEM []byte) error {
	tc, err := tlsConfig(caPEM)
	if err != nil {
		return fmt.Errorf("enrol with %s: %w", serverURL, err)
	}
	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: tc, Proxy: http.ProxyFromEnvironment}}
	base := strings.TrimRight(serverURL, "/")
	body, _ := json.Marshal(map[string]string{"code": code, "device": st.DeviceID(), "name": name})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/enroll", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("enrol with %s: %w", serverURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("enrol with %s: %w", serverURL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(raw, &e)
		return fmt.Errorf("enrol with %s: %s: %s", serverURL, resp.Status, e.Error)
	}
	var out struct {
		Device       string      `json:"device"`
		Token        string      `json:"token"`
		Scope        schema.Code `json:"scope"`
		ServerTimeMS int64       `json:"server_time_ms"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("enrol with %s: bad answer: %w", serverURL, err)
	}
	if err := st.SetScope(out.Scope); err != nil {
		return err
	}
	if err := st.SetEnrollment(agent.Enrollment{ServerURL: base, Token: out.Token, EnrolledAt: time.Now(), CAPEM: caPEM}); err != nil {
		return err
	}
	return nil
}
