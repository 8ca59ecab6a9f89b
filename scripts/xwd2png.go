//go:build ignore

// Xwd2png turns the screen file Xvfb keeps with -fbdir (an XWD image of the
// whole display) into a PNG. scripts/wine-check.sh uses it to see what a
// Windows program under Wine put on the screen, whether or not that program
// can capture itself; it saves installing ImageMagick for one conversion.
//
//	go run scripts/xwd2png.go Xvfb_screen0 out.png
//
// Only what Xvfb writes is read: a ZPixmap of 24 or 32 bits per pixel with
// true-colour masks.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/xwd2png.go IN.xwd OUT.png")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "xwd2png:", err)
		os.Exit(1)
	}
}

func convert(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	img, err := decode(b)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func decode(b []byte) (image.Image, error) {
	if len(b) < 100 {
		return nil, errors.New("too short for an XWD header")
	}
	h := make([]uint32, 25)
	for i := range h {
		h[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	headerSize, version, format := h[0], h[1], h[2]
	width, height := int(h[4]), int(h[5])
	byteOrder, bpp, stride := h[7], int(h[11]), int(h[12])
	rmask, gmask, bmask := h[14], h[15], h[16]
	ncolors := h[19]
	if version != 7 || format != 2 {
		return nil, fmt.Errorf("XWD version %d format %d, want 7 and ZPixmap (2)", version, format)
	}
	if bpp != 24 && bpp != 32 {
		return nil, fmt.Errorf("%d bits per pixel, want 24 or 32", bpp)
	}
	off := int(headerSize) + int(ncolors)*12
	if off+stride*height > len(b) || stride < width*bpp/8 {
		return nil, errors.New("file shorter than its header says")
	}
	img := image.NewNRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		row := b[off+y*stride:]
		for x := 0; x < width; x++ {
			var p uint32
			if bpp == 32 {
				if byteOrder == 0 {
					p = binary.LittleEndian.Uint32(row[4*x:])
				} else {
					p = binary.BigEndian.Uint32(row[4*x:])
				}
			} else {
				q := row[3*x:]
				if byteOrder == 0 {
					p = uint32(q[0]) | uint32(q[1])<<8 | uint32(q[2])<<16
				} else {
					p = uint32(q[2]) | uint32(q[1])<<8 | uint32(q[0])<<16
				}
			}
			img.SetNRGBA(x, y, color.NRGBA{channel(p, rmask), channel(p, gmask), channel(p, bmask), 0xff})
		}
	}
	return img, nil
}

// channel scales the bits under mask to 0–255.
func channel(p, mask uint32) uint8 {
	if mask == 0 {
		return 0
	}
	shift := bits.TrailingZeros32(mask)
	n := bits.OnesCount32(mask)
	v := (p & mask) >> shift
	if n >= 8 {
		return uint8(v >> (n - 8))
	}
	return uint8(v * 255 / (1<<n - 1))
}
