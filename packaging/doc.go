// Package packaging holds what turns the build into something a township
// laptop installs: the NSIS script of the Windows installer
// (windows/laoxiao.nsi) and the Linux desktop entry and notes (linux/).
// scripts/dist.sh uses them; this package's test runs that script and checks
// what it made, so a broken installer fails `make test` rather than a
// township's first install.
package packaging
