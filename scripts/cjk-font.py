#!/usr/bin/python3
"""Make desktop/theme/DroidSansFallbackFull.otf from Debian's TrueType file.

Why: Fyne parses the theme's font once per text style it draws (regular and
bold at least), and go-text decodes every TrueType glyph's points up front:
Droid Sans Fallback (49,382 glyphs) cost about 13 MiB of heap per parse,
18 MiB once shaped, where the file is 4 MiB. With CFF outlines go-text keeps
each glyph's charstring as bytes and decodes it when drawn: about 4 MiB per
parse. Every character is kept (the names a registry shows need the rare
ones), with its advance, and the outlines are the same curves (a quadratic
segment is exactly a cubic one); coordinates are rounded to the font's
grid, which moves an edge by at most half a unit of its 256 per em. CFF
has no composite glyphs, so the 20,868 glyphs the TrueType kept only as
parts of others go: 28,514 glyphs remain, about 2.6 MiB per parse. The
check at the end holds every character's glyph to the TrueType's advance
and bounds.

Run (Debian packages fonts-droid-fallback python3-fonttools python3-cffsubr):

    /usr/bin/python3 scripts/cjk-font.py \
        /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf \
        desktop/theme/DroidSansFallbackFull.otf
"""
import sys

import cffsubr
from fontTools import subset
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont

TRUETYPE_ONLY = ("glyf", "loca", "fpgm", "prep", "cvt ", "gasp")


def convert(src, dst):
    font = TTFont(src)
    glyphs = font.getGlyphSet()
    advances = font["hmtx"].metrics
    charstrings = {}
    for name in font.getGlyphOrder():
        pen = T2CharStringPen(advances[name][0], glyphs)
        glyphs[name].draw(pen)
        charstrings[name] = pen.getCharString()

    names = font["name"]
    family = names.getDebugName(1)
    builder = FontBuilder(font=font)
    builder.isTTF = False
    builder.setupCFF(names.getDebugName(6), {"FullName": names.getDebugName(4), "FamilyName": family,
                                             "Weight": "Regular"}, charstrings, {})
    for tag in TRUETYPE_ONLY:
        if tag in font:
            del font[tag]
    font.sfntVersion = "OTTO"
    font["maxp"].tableVersion = 0x00005000
    font["post"].formatType = 3.0  # the glyph names live in the CFF table
    keep_reachable(font)
    cffsubr.subroutinize(font)
    font.save(dst)


def keep_reachable(font):
    """Drop the glyphs no character and no layout rule reaches."""
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.legacy_kern = True
    opts.drop_tables = []
    s = subset.Subsetter(opts)
    s.populate(unicodes=font.getBestCmap().keys())
    s.subset(font)


def check(src, dst):
    """Every character of src is in dst with its advances and, within a
    unit, its glyph's bounds."""
    a, b = TTFont(src), TTFont(dst)
    ca, cb = a.getBestCmap(), b.getBestCmap()
    if ca.keys() != cb.keys():
        sys.exit("the characters differ")
    ga, gb = a.getGlyphSet(), b.getGlyphSet()
    for char, name in ca.items():
        other = cb[char]
        for table in ("hmtx", "vmtx"):
            if a[table].metrics[name][0] != b[table].metrics[other][0]:
                sys.exit(f"U+{char:04X}: {table} advance differs")
        pa, pb = BoundsPen(ga), BoundsPen(gb)
        ga[name].draw(pa)
        gb[other].draw(pb)
        if (pa.bounds is None) != (pb.bounds is None):
            sys.exit(f"U+{char:04X}: outline lost")
        if pa.bounds and max(abs(x - y) for x, y in zip(pa.bounds, pb.bounds)) > 1:
            sys.exit(f"U+{char:04X}: bounds {pa.bounds} became {pb.bounds}")
    print(f"{len(ca)} characters checked", file=sys.stderr)


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2])
    check(sys.argv[1], sys.argv[2])
