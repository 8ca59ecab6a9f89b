package schema

import (
	"bytes"
	"reflect"
	"testing"
	"unsafe"
)

func unsafeData(s string) *byte { return unsafe.StringData(s) }

// TestEntryChangeMatchesMapValueAndChangeHead: on log entries made of the
// sample changes, and on each with any one byte changed, a HeadReader
// finds the change and its head exactly when MapValue and ChangeHead do,
// and the same ones; one reader reads them all, as a log walk does.
func TestEntryChangeMatchesMapValueAndChangeHead(t *testing.T) {
	var entries [][]byte
	for _, m := range sampleMsgs(t) {
		if m.Type != MsgDownload {
			continue
		}
		for _, e := range m.Download.Entries {
			// As the server's store encodes its log entries: seq, change,
			// account, time received.
			b := append([]byte{0xa4, 1}, AppendUint(nil, e.Seq)...)
			b = AppendChange(append(b, 2), &e.Change)
			b = AppendText(append(b, 3), "account")
			entries = append(entries, append(append(b, 4), 0xc1, 0x1a, 0x65, 0, 0, 0))
		}
	}
	if len(entries) == 0 {
		t.Fatal("no sample changes")
	}
	var heads HeadReader
	found := 0
	for _, entry := range entries {
		for i := 0; i < len(entry); i++ {
			for _, v := range []int{-1, 0x00, 0x01, 0x18, 0x1f, 0x40, 0x60, 0x80, 0xa0, 0xf6, 0xff} {
				b := bytes.Clone(entry)
				if v < 0 {
					b[i]++
				} else {
					b[i] = byte(v)
				}
				change, head, ok := heads.EntryChange(b, 2)
				var want Change
				wantChange, wok := MapValue(b, 2)
				if wok {
					want, wok = ChangeHead(wantChange)
				}
				if ok != wok {
					t.Fatalf("entry %x: EntryChange says %v, MapValue and ChangeHead %v", b, ok, wok)
				}
				if !ok {
					continue
				}
				found++
				if !bytes.Equal(change, wantChange) || !reflect.DeepEqual(head, want) {
					t.Fatalf("entry %x: EntryChange gives %x %+v, want %x %+v", b, change, head, wantChange, want)
				}
			}
		}
	}
	if found == 0 {
		t.Fatal("no entry was read")
	}
}

// TestHeadReaderKeepsOneCopy: heads read one after another share their
// units' and devices' strings, and a reader that met more than maxSeen
// texts still reads each correctly.
func TestHeadReaderKeepsOneCopy(t *testing.T) {
	var heads HeadReader
	entry := func(unit Code, device string) []byte {
		ch := Change{Kind: KindFacility, ID: "f1", Unit: unit, Stamp: 1, Device: device, Seq: 1}
		return AppendChange([]byte{0xa1, 2}, &ch)
	}
	_, a, ok1 := heads.EntryChange(entry(village, "d1"), 2)
	_, b, ok2 := heads.EntryChange(entry(village, "d1"), 2)
	if !ok1 || !ok2 {
		t.Fatal("entry not read")
	}
	if a.Unit != village || a.Device != "d1" {
		t.Fatalf("read %+v", a)
	}
	if unsafeData(string(a.Unit)) != unsafeData(string(b.Unit)) || unsafeData(a.Device) != unsafeData(b.Device) {
		t.Error("the second head copied its unit or device again")
	}
	for i := 0; i < maxSeen+10; i++ {
		dev := "device-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		if _, h, ok := heads.EntryChange(entry(village, dev), 2); !ok || h.Device != dev {
			t.Fatalf("device %d: read %+v", i, h)
		}
	}
}
