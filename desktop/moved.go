package desktop

import "laoxiao/desktop/township"

// showMoved says where a person the list no longer holds went, when the
// county moved them to another township (schema/moved.go): staff who
// follow a link to the old record learn "已迁至 …" rather than finding
// nothing. The new record lives in the other township, not on this
// device, so there is nothing to open.
func (t *personsTab) showMoved(id string) {
	m, ok := township.MovedPerson(t.u.st, id)
	if !ok {
		return
	}
	t.list.UnselectAll()
	t.merged.to = ""
	t.merged.notice.show(m.Text(), false)
}
