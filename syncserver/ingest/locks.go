package ingest

import (
	"fmt"

	"laoxiao/schema"
	"laoxiao/syncserver/store"
)

// The writer keeps the locks in force in memory: every change of a
// lockable kind is checked against them, and reading them from the store
// for each change would cost more than the rest of validation. The set
// the writer holds is the committed one; a group that writes locks or
// unlocks works on a copy (pass.locks), so a lock in a group that fails to
// commit never refuses anything, and a lock earlier in a group already
// refuses the changes after it.

// lockSet returns the locks as the group has left them so far.
func (p *pass) lockSet(in *Ingester) *schema.LockSet {
	for q := p; q != nil; q = q.prev {
		if q.locks != nil {
			return q.locks
		}
	}
	return in.locks
}

// byOffice reports whether an account writes as an office: office
// accounts and the server itself (commands an office runs on it).
func byOffice(acct Account) bool {
	return acct.Role == store.RoleOffice || acct.Device == ServerDevice
}

// lockRefusal returns the refusal of a change a lock covers, or of an
// unlock that names no lock of its unit; nil when the change may go on.
func (in *Ingester) lockRefusal(p *pass, acct Account, cur *schema.Record, ch *schema.Change) *schema.Rejection {
	set := p.lockSet(in)
	if ch.Kind == schema.KindUnlock {
		return unlockRefusal(set, cur, ch)
	}
	e := set.Refusal(cur, ch, byOffice(acct))
	if e == nil {
		return nil
	}
	rej := e.Rejection(ch.Seq, in.opts.Divisions())
	return &rej
}

// unlockRefusal checks that a new unlock names a lock the server has, on
// the unlock's own unit: an unlock filed elsewhere would not reach the
// devices the lock reached, and they would stay locked.
func unlockRefusal(set *schema.LockSet, cur *schema.Record, ch *schema.Change) *schema.Rejection {
	raw, ok := ch.Set["lock"]
	if cur != nil || !ok {
		return nil // insert-only: validation refuses any other edit
	}
	var id string
	if schema.UnmarshalStored(raw, &id) != nil {
		return nil // validation reports the field
	}
	l, _, found := set.Lookup(id)
	switch {
	case !found:
		return &schema.Rejection{Seq: ch.Seq, Code: schema.RejectInvalid,
			Reason:   fmt.Sprintf("unlock %s names lock %q, which the server does not have", ch.ID, id),
			ReasonZh: fmt.Sprintf("要解除的锁定“%s”不存在", id)}
	case l.Unit != ch.Unit:
		return &schema.Rejection{Seq: ch.Seq, Code: schema.RejectInvalid,
			Reason:   fmt.Sprintf("unlock %s is filed under %s, but lock %s is on %s", ch.ID, ch.Unit, id, l.Unit),
			ReasonZh: fmt.Sprintf("解锁记录的单位%s与锁定的单位%s不一致", ch.Unit, l.Unit)}
	}
	return nil
}

// noteLock adds a merged lock or unlock record to the group's locks,
// copying the writer's set the first time.
func (p *pass) noteLock(in *Ingester, rec *schema.Record) error {
	if !rec.Kind.Locking() {
		return nil
	}
	if p.locks == nil {
		p.locks = p.lockSet(in).Clone()
	}
	return p.locks.Add(rec)
}
