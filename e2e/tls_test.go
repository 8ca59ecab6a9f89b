package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"laoxiao/agent"
	"laoxiao/agent/syncclient"
	"laoxiao/schema"
	"laoxiao/syncserver"
	"laoxiao/syncserver/store"
)

// selfSigned writes a self-signed certificate for 127.0.0.1, as a county
// office without a public certificate would use, and returns its paths.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, certPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "laoxiao county server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, certPEM
}

// TestSyncOverTLS: a site enrols with and syncs to a server with a
// self-signed certificate it was given; without that certificate it cannot.
func TestSyncOverTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, certPEM := selfSigned(t, dir)
	srv, err := syncserver.Open(context.Background(), syncserver.Config{DataDir: filepath.Join(dir, "server"), Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, certFile, keyFile) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		srv.Close()
	}()
	url := "https://" + ln.Addr().String()
	code := func() string {
		c, err := srv.NewEnrollCode(context.Background(), syncserver.CodeRequest{Unit: testTownships[0], Role: store.RoleSite})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	st, err := agent.Open(filepath.Join(dir, "site"), agent.Options{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := syncclient.Enroll(context.Background(), st, url, code(), "no CA"); err == nil {
		t.Fatal("enrolled with a server whose certificate nothing vouches for")
	}
	if err := syncclient.EnrollWithCA(context.Background(), st, url, code(), "with CA", certPEM); err != nil {
		t.Fatalf("enrol with the server's certificate: %v", err)
	}
	village := schema.BuiltinDivisions().Descendants(testTownships[0], schema.LevelVillage)[0]
	if _, err := st.Put(schema.KindFacility, "", village, sampleFacility("加密同步")); err != nil {
		t.Fatal(err)
	}
	res, err := syncclient.New(st, quietLog()).SyncOnce(context.Background())
	if err != nil || res.Uploaded != 1 {
		t.Fatalf("sync over TLS: %+v, %v", res, err)
	}
}
