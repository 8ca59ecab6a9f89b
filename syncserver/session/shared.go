package session

import (
	"context"
	"time"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// claimWait is how long a new session waits for another server process
// to end the device's old session (it is asked to at once) before it
// refuses the device, which then retries.
const claimWait = 5 * time.Second

// claim makes this session the device's only one across the server
// processes of a store.Shared store; on any other store the endpoint's
// own replacement of older connections (ServeHTTP) is all there is.
func (c *conn) claim() (release func(), err error) {
	sh, ok := c.ep.Store.(store.Shared)
	if !ok {
		return func() {}, nil
	}
	ctx, cancel := context.WithTimeout(c.ctx, claimWait)
	defer cancel()
	return sh.LockSession(ctx, c.dev.ID)
}

// kicks ends the sessions of the devices another server process claimed.
func (e *Endpoint) kicks(ids <-chan string, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case id := <-ids:
			e.mu.Lock()
			for c := range e.sessions {
				if c.dev.ID == id {
					c.fail(&schema.Error{Code: schema.ErrProtocol, Retry: true,
						Message: "replaced by a newer connection of this device on another server process"})
				}
			}
			e.mu.Unlock()
		}
	}
}
