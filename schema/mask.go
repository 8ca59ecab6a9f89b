package schema

import "strings"

// Mask returns value as it may be shown to someone without permission to
// see personal data: a person's ID number as 5118**********0118 (the
// prefix is the county the number was issued in, the suffix ends with the
// check character) and a person's name as 徐*怡 (the surname and the last
// character). Every other field, and every field of another kind, comes
// back unchanged: a facility's name is not personal data.
//
// It is the one masking rule of the project: the server's reports, the
// office console, the audit trail and the command-line listings all show
// persons through it. The township's own desktop app does not — its staff
// visit these people and need their full names and numbers.
//
// Masking is for display, not protection: the value's length survives,
// and a masked number still narrows a person down. Stored data is
// protected by encryption at rest.
func Mask(kind Kind, field, value string) string {
	if kind != KindPerson || value == "" {
		return value
	}
	switch field {
	case "id_number":
		return maskIDNumber(value)
	case "name":
		return maskName(value)
	}
	return value
}

// Personal reports whether the field of kind identifies a person, so Mask
// changes it.
func Personal(kind Kind, field string) bool {
	return kind == KindPerson && (field == "id_number" || field == "name")
}

// maskIDNumber keeps the first four and last four characters of an ID
// number and stars the rest (the birth date and sequence). A value too
// short to keep both is starred whole.
func maskIDNumber(s string) string {
	r := []rune(s)
	if len(r) <= 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
}

// maskName keeps a name's first and last characters: 徐静怡 → 徐*怡,
// 欧阳娜娜 → 欧**娜; a two-character name keeps its first (张三 → 张*),
// a one-character name is starred.
func maskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch len(r) {
	case 0:
		return s
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
