package agent

import "testing"

// The desktop sizes its store below the agent's defaults; a zero field
// keeps the default.
func TestBadgerSizing(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		opts                 Options
		memTable, blockCache int64
	}{
		{"defaults", Options{}, 16 << 20, 8 << 20},
		{"desktop", Options{MemTableSize: 4 << 20, BlockCacheSize: 1 << 20}, 4 << 20, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := badgerOptions(t.TempDir(), nil, tc.opts)
			if o.MemTableSize != tc.memTable || o.BlockCacheSize != tc.blockCache {
				t.Errorf("memtable %d, block cache %d; want %d, %d", o.MemTableSize, o.BlockCacheSize, tc.memTable, tc.blockCache)
			}
		})
	}
	st, err := Open(t.TempDir(), Options{MemTableSize: 1 << 20, BlockCacheSize: 1 << 20})
	if err != nil {
		t.Fatalf("open with a small memtable: %v", err)
	}
	st.Close()
}
