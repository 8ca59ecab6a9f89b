package schema

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestCheckIDNumberValid(t *testing.T) {
	// The example of GB 11643-1999 itself; its check character is X.
	if err := CheckIDNumber("11010519491231002X"); err != nil {
		t.Errorf("CheckIDNumber: %v", err)
	}
	if err := CheckIDNumber("110105194912310029"); err == nil {
		t.Error("the example with check digit 9 instead of X was accepted")
	}
	born, err := IDNumberBirthDate("11010519491231002X")
	if err != nil || !born.Equal(time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("IDNumberBirthDate = %v, %v", born, err)
	}
}

func TestCheckIDNumberInvalid(t *testing.T) {
	for _, tc := range []struct {
		in, en, zh string
	}{
		{"", "18 characters", "18位"},
		{"51180219400506123", "18 characters", "18位"},
		{"5118021940050612345", "18 characters", "18位"},
		{"511802400506123", "15-digit", "15位"},
		{"51180219400506A23X", "first 17", "前17位"},
		{"11010519491231002x", "capital", "大写"},
		{"11010519491231002Y", "digit or X", "数字或X"},
		{"511802194002301234", "not a valid date", "出生日期"}, // 30 February
		{"511802188001011234", "not a valid date", "出生日期"}, // before 1890
		{"110105194912310021", "check character", "校验码"},
		{"１１０１０５１９４９１２３１００２X", "half-width", "半角"}, // full-width digits
	} {
		err := CheckIDNumber(tc.in)
		if err == nil {
			t.Errorf("CheckIDNumber(%q) accepted", tc.in)
			continue
		}
		var ie *idNumberError
		if !errors.As(err, &ie) || !strings.Contains(ie.en, tc.en) || !strings.Contains(ie.zh, tc.zh) {
			t.Errorf("CheckIDNumber(%q) = %v (zh %q); want %q / %q", tc.in, err, ie.zh, tc.en, tc.zh)
		}
		if _, err := IDNumberBirthDate(tc.in); err == nil {
			t.Errorf("IDNumberBirthDate(%q) accepted", tc.in)
		}
	}
}

// TestIDNumberDetectsTypos checks the property that makes the check
// character worth having: MOD 11-2 catches every single mistyped digit and
// every swap of two adjacent different digits.
func TestIDNumberDetectsTypos(t *testing.T) {
	rng := rand.New(rand.NewPCG(11643, 1999))
	for it := 0; it < 500; it++ {
		prefix := fmt.Sprintf("5118%02d%04d%02d%02d%03d", rng.IntN(30), 1920+rng.IntN(100), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(1000))
		id, err := CompleteIDNumber(prefix)
		if err != nil {
			t.Fatalf("CompleteIDNumber(%s): %v", prefix, err)
		}
		if err := CheckIDNumber(id); err != nil {
			t.Fatalf("completed %s fails: %v", id, err)
		}
		b := []byte(id)
		for pos := 0; pos < 17; pos++ {
			orig := b[pos]
			for d := byte('0'); d <= '9'; d++ {
				if d == orig {
					continue
				}
				b[pos] = d
				if CheckIDNumber(string(b)) == nil {
					t.Fatalf("typo at %d in %s (%s) not detected", pos, id, b)
				}
			}
			b[pos] = orig
		}
		for pos := 0; pos+1 < 18; pos++ {
			if b[pos] == b[pos+1] {
				continue
			}
			b[pos], b[pos+1] = b[pos+1], b[pos]
			if CheckIDNumber(string(b)) == nil {
				t.Fatalf("swap at %d in %s (%s) not detected", pos, id, b)
			}
			b[pos], b[pos+1] = b[pos+1], b[pos]
		}
	}
}

func TestCompleteIDNumber(t *testing.T) {
	if got, err := CompleteIDNumber("11010519491231002"); err != nil || got != "11010519491231002X" {
		t.Errorf("CompleteIDNumber = %q, %v", got, err)
	}
	for _, bad := range []string{"", "1101051949123100", "110105194912310021", "1101051949123100a", "11010519491331002"} {
		if got, err := CompleteIDNumber(bad); err == nil {
			t.Errorf("CompleteIDNumber(%q) = %q, want an error", bad, got)
		}
	}
}
