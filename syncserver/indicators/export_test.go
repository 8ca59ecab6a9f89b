package indicators

// ScansRedone is how many county scans c has made, for the tests of the
// package's external test files.
func ScansRedone(c *ScanCache) int64 { return c.redone.Load() }

// TypedChange is typedChange (fixture_test.go), for the external tests.
var TypedChange = typedChange
