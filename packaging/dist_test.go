package packaging

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"debug/pe"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDist builds everything `make dist` ships, into a temporary folder, and
// checks each file is what a township laptop needs. It runs the real script
// rather than a copy of its commands so the two cannot drift; the script
// installs mingw-w64, NSIS and dpkg-dev when they are missing, so on a fresh
// machine this test pays for them (and for the first cross build of Fyne's C
// parts, several minutes on two cores) instead of skipping.
func TestDist(t *testing.T) {
	out := t.TempDir()
	start := time.Now()
	cmd := exec.Command("bash", "../scripts/dist.sh", out)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Run(); err != nil {
		t.Fatalf("scripts/dist.sh: %v\n%s", err, log.String())
	}
	t.Logf("scripts/dist.sh took %s", time.Since(start).Round(time.Second))

	t.Run("windows desktop", func(t *testing.T) {
		f := openPE(t, filepath.Join(out, "laoxiao-desktop-windows-amd64.exe"), pe.IMAGE_FILE_MACHINE_AMD64, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
		// Fyne draws with OpenGL through cgo: without opengl32 the build
		// silently lost its driver.
		if !importsFrom(t, f, "opengl32.dll") {
			t.Error("laoxiao-desktop-windows-amd64.exe imports nothing from opengl32.dll")
		}
	})
	t.Run("windows agent", func(t *testing.T) {
		openPE(t, filepath.Join(out, "agent-windows-amd64.exe"), pe.IMAGE_FILE_MACHINE_AMD64, pe.IMAGE_SUBSYSTEM_WINDOWS_CUI)
	})
	t.Run("windows installer", func(t *testing.T) {
		path := filepath.Join(out, "laoxiao-setup.exe")
		openPE(t, path, pe.IMAGE_FILE_MACHINE_AMD64, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The NSIS stub is followed by its compressed payload, which
		// begins with this signature.
		if !bytes.Contains(b, []byte("NullsoftInst")) {
			t.Error("laoxiao-setup.exe carries no NSIS payload")
		}
		// An installer that lost its files is a stub of a few hundred
		// KiB; the two programs compress to several MiB.
		if len(b) < 4<<20 {
			t.Errorf("laoxiao-setup.exe is %d bytes: too small to hold the programs", len(b))
		}
	})

	linux := map[string]tarEntry{}
	t.Run("deb", func(t *testing.T) {
		debs, _ := filepath.Glob(filepath.Join(out, "laoxiao_*_amd64.deb"))
		if len(debs) != 1 {
			t.Fatalf("want one laoxiao_*_amd64.deb, got %v", debs)
		}
		info := run(t, "dpkg-deb", "--info", debs[0])
		for _, want := range []string{"Package: laoxiao", "Architecture: amd64", "Depends:", "libc6", "libgl1", "libx11-6"} {
			if !strings.Contains(info, want) {
				t.Errorf("dpkg-deb --info has no %q:\n%s", want, info)
			}
		}
		contents := run(t, "dpkg-deb", "--contents", debs[0])
		for _, want := range []string{"./usr/bin/laoxiao-desktop", "./usr/bin/laoxiao-agent", "./usr/share/applications/laoxiao.desktop"} {
			if !strings.Contains(contents, want+"\n") {
				t.Errorf("dpkg-deb --contents lists no %s:\n%s", want, contents)
			}
		}
		fsys := exec.Command("dpkg-deb", "--fsys-tarfile", debs[0])
		tarball, err := fsys.Output()
		if err != nil {
			t.Fatalf("dpkg-deb --fsys-tarfile: %v", err)
		}
		files := readTar(t, bytes.NewReader(tarball))
		checkExecutable(t, files, "./usr/bin/laoxiao-desktop")
		checkExecutable(t, files, "./usr/bin/laoxiao-agent")
		checkDesktopEntry(t, files["./usr/share/applications/laoxiao.desktop"].data)
	})
	t.Run("tarball", func(t *testing.T) {
		f, err := os.Open(filepath.Join(out, "laoxiao-linux-amd64.tar.gz"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		files := readTar(t, z)
		for _, name := range []string{"laoxiao-desktop", "laoxiao-agent"} {
			checkExecutable(t, files, "laoxiao-linux-amd64/"+name)
			linux[name] = files["laoxiao-linux-amd64/"+name]
		}
		for _, name := range []string{"laoxiao.desktop", "README.txt", "FONT-LICENSE"} {
			if _, ok := files["laoxiao-linux-amd64/"+name]; !ok {
				t.Errorf("tarball has no laoxiao-linux-amd64/%s", name)
			}
		}
		checkDesktopEntry(t, files["laoxiao-linux-amd64/laoxiao.desktop"].data)
	})
	t.Run("linux binaries run", func(t *testing.T) {
		if linux["laoxiao-desktop"].data == nil || linux["laoxiao-agent"].data == nil {
			t.Skip("the tarball's binaries are missing; reported above")
		}
		dir := t.TempDir()
		for name, e := range linux {
			if err := os.WriteFile(filepath.Join(dir, name), e.data, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		// The agent must run on any Linux, whatever its glibc: no
		// interpreter means a static binary.
		agent, err := elf.Open(filepath.Join(dir, "laoxiao-agent"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range agent.Progs {
			if p.Type == elf.PT_INTERP {
				t.Error("laoxiao-agent is dynamically linked")
			}
		}
		agent.Close()
		desktop, err := elf.Open(filepath.Join(dir, "laoxiao-desktop"))
		if err != nil {
			t.Fatal(err)
		}
		libs, err := desktop.ImportedLibraries()
		desktop.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"libGL.so.1", "libX11.so.6"} {
			if !slices.Contains(libs, want) {
				t.Errorf("laoxiao-desktop does not link %s (links %v)", want, libs)
			}
		}
		if help := run(t, filepath.Join(dir, "laoxiao-agent"), "help"); !strings.Contains(help, "用法") {
			t.Errorf("laoxiao-agent help printed no usage:\n%s", help)
		}
		// -h exits before any window: this proves the dynamic loader finds
		// every library the binary links, without a display.
		if help := run(t, filepath.Join(dir, "laoxiao-desktop"), "-h"); !strings.Contains(help, "-data") {
			t.Errorf("laoxiao-desktop -h printed no flags:\n%s", help)
		}
	})
}

// openPE checks path is a PE file for machine with subsystem.
func openPE(t *testing.T, path string, machine, subsystem uint16) *pe.File {
	t.Helper()
	f, err := pe.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { f.Close() })
	if f.Machine != machine {
		t.Errorf("%s: machine %#x, want %#x", filepath.Base(path), f.Machine, machine)
	}
	var got uint16
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		got = h.Subsystem
	case *pe.OptionalHeader32:
		got = h.Subsystem
	default:
		t.Fatalf("%s: no optional header", filepath.Base(path))
	}
	if got != subsystem {
		t.Errorf("%s: subsystem %d, want %d", filepath.Base(path), got, subsystem)
	}
	return f
}

// importsFrom reports whether f imports any symbol from dll. (debug/pe
// lists imports as "symbol:dll"; its ImportedLibraries is not implemented.)
func importsFrom(t *testing.T, f *pe.File, dll string) bool {
	t.Helper()
	syms, err := f.ImportedSymbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if _, lib, ok := strings.Cut(s, ":"); ok && strings.EqualFold(lib, dll) {
			return true
		}
	}
	return false
}

type tarEntry struct {
	mode int64
	uid  int
	data []byte
}

func readTar(t *testing.T, r io.Reader) map[string]tarEntry {
	t.Helper()
	files := map[string]tarEntry{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = tarEntry{mode: h.Mode, uid: h.Uid, data: data}
	}
}

// checkExecutable wants name in files, owned by root and executable by all:
// a file owned by the build user would belong to whoever has that uid on
// the laptop.
func checkExecutable(t *testing.T, files map[string]tarEntry, name string) {
	t.Helper()
	e, ok := files[name]
	if !ok {
		t.Errorf("no %s", name)
		return
	}
	if e.mode&0o777 != 0o755 || e.uid != 0 {
		t.Errorf("%s: mode %o uid %d, want 755 and root", name, e.mode&0o777, e.uid)
	}
	if _, err := elf.NewFile(bytes.NewReader(e.data)); err != nil {
		t.Errorf("%s: not an ELF file: %v", name, err)
	}
}

// checkDesktopEntry wants the menu entry to show the app's Chinese name and
// start the installed binary.
func checkDesktopEntry(t *testing.T, data []byte) {
	t.Helper()
	entry := string(data)
	for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=老小 · 一老一小数据采集\n", "Exec=laoxiao-desktop\n", "Terminal=false\n"} {
		if !strings.Contains(entry, want) {
			t.Errorf("desktop entry has no %q:\n%s", strings.TrimSpace(want), entry)
		}
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	b, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
	return string(b)
}
