package schema

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Resident identity card numbers (居民身份证号) follow GB 11643-1999: six
// digits of the issuing region, the birth date as YYYYMMDD, a three-digit
// sequence (odd for men, even for women) and a check character computed
// from the first seventeen with ISO 7064 MOD 11-2. A typo in a hand-typed
// number almost always breaks the check character, which is why sites are
// told at once instead of a county office finding it months later.

// idWeights are the MOD 11-2 weights 2^(17-i) mod 11 of positions 1..17.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChars maps the weighted sum mod 11 to the check character.
const idCheckChars = "10X98765432"

// idEarliestBirthYear bounds the embedded birth year: nobody alive was born
// before it, so an earlier year is a typo rather than a very old person.
const idEarliestBirthYear = 1890

// idNumberError carries the reason in both languages, so validation can show
// the township staff the Chinese text and the logs the English one.
type idNumberError struct{ en, zh string }

// Error gives the English reason; validation picks both languages off the
// struct.
func (e *idNumberError) Error() string { return e.en }

func idErr(en, zh string) error { return &idNumberError{en: en, zh: zh} }

// idCheckChar computes the check character of seventeen digits; the caller
// has checked they are digits.
func idCheckChar(prefix17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(prefix17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// CheckIDNumber reports whether s is a well-formed 18-character resident ID
// number: seventeen digits, a digit or capital X, a real birth date in
// positions 7–14 and the right GB 11643-1999 check character. The old
// 15-digit numbers were all replaced in 2013 and are refused. A lower-case
// x is refused too, because records compare ID numbers as strings. Whether
// the birth date lies in the future is left to callers that know today's
// date (ValidateRecord).
func CheckIDNumber(s string) error {
	if len(s) == 15 && allDigits(s) {
		return idErr("ID number: 15-digit numbers are no longer valid; enter the 18-character number",
			"15位旧身份证号已停用，请填写18位身份证号")
	}
	if n := utf8.RuneCountInString(s); len(s) != 18 && n == 18 {
		return idErr("ID number: use half-width digits (0-9) and X, not full-width ones",
			"身份证号须使用半角数字和X，不能使用全角字符")
	} else if len(s) != 18 {
		return idErr(fmt.Sprintf("ID number must be 18 characters, got %d", n),
			fmt.Sprintf("身份证号应为18位，实际为%d位", n))
	}
	if !allDigits(s[:17]) {
		return idErr("ID number: the first 17 characters must be digits", "身份证号前17位必须是数字")
	}
	last := s[17]
	if last == 'x' {
		return idErr("ID number: the check character X must be a capital letter", "身份证号校验码X须大写")
	}
	if (last < '0' || last > '9') && last != 'X' {
		return idErr("ID number: the last character must be a digit or X", "身份证号最后一位必须是数字或X")
	}
	if _, err := idBirthDate(s); err != nil {
		return err
	}
	if want := idCheckChar(s[:17]); last != want {
		return idErr(fmt.Sprintf("ID number: check character %c is wrong (a digit was probably mistyped)", last),
			fmt.Sprintf("身份证号校验码%c不正确(可能有数字输错)", last))
	}
	return nil
}

// idBirthDate reads the embedded birth date of an 18-character number whose
// first 17 characters are digits.
func idBirthDate(s string) (time.Time, error) {
	raw := s[6:14]
	t, err := time.Parse("20060102", raw)
	if err != nil || t.Year() < idEarliestBirthYear {
		return time.Time{}, idErr(fmt.Sprintf("ID number: embedded birth date %s is not a valid date", raw),
			fmt.Sprintf("身份证号中的出生日期%s无效", raw))
	}
	return t, nil
}

// IDNumberBirthDate returns the birth date embedded in a valid ID number
// (midnight UTC). It checks the whole number first, because the date of a
// mistyped number means nothing.
func IDNumberBirthDate(s string) (time.Time, error) {
	if err := CheckIDNumber(s); err != nil {
		return time.Time{}, err
	}
	return idBirthDate(s)
}

// CompleteIDNumber appends the check character to seventeen digits, giving
// a number CheckIDNumber accepts. Demo data and tests use it to make
// realistic numbers; it refuses a prefix whose birth date is not a real
// date so generated data never trips validation.
func CompleteIDNumber(prefix17 string) (string, error) {
	if len(prefix17) != 17 || !allDigits(prefix17) {
		return "", errors.New("ID number prefix: want exactly 17 digits")
	}
	s := prefix17 + string(idCheckChar(prefix17))
	if err := CheckIDNumber(s); err != nil {
		return "", err
	}
	return s, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
