//go:build !uimap

package main

import "laoxiao/desktop"

// testHooks adds nothing to the shipped app; see uimap.go.
func testHooks(*desktop.Options) {}
