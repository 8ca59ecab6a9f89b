package syncserver

import "net"

// warnExposure logs a warning when the server listens beyond this machine
// without TLS: device tokens, passwords of the console's accounts and
// persons' names and ID numbers would cross the network in clear text.
// It only warns: a county may terminate TLS at a proxy in front of it.
func (s *Server) warnExposure(a net.Addr, tls bool) {
	if !tls && !Loopback(a) {
		s.log.Warn("listening on a non-loopback address without TLS: tokens and personal data cross the network in clear text; give --tls-cert and --tls-key, or terminate TLS in front of the server",
			"addr", a.String())
	}
}

// Loopback reports whether a is an address only this machine reaches
// (127.0.0.0/8, ::1). An unspecified address (0.0.0.0, ::) is every
// interface, so it is not.
func Loopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
