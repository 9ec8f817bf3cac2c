#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads the screenshots the report tests take of headless Chromium, with
zlib alone (no imaging library on a fresh machine): a PNG of 8-bit RGB or
RGBA, any of the five filters.

    png.py stats FILE               distinct colours, the non-white share, and
                                    how many of the four platform colours show
    png.py count FILE HEX...        pixels of each colour: "hex=n hex=n"
    png.py runs FILE HEX...         per colour: "hex first_row longest_run", the
                                    longest horizontal run of exactly it
"""
import struct
import sys
import zlib


def rows(path):
    """Yields each row of the image as a list of (r, g, b) byte strings."""
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(d):
        n, t = struct.unpack(">I4s", d[pos:pos + 8])
        body = d[pos + 8:pos + 8 + n]
        if t == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif t == b"IDAT":
            idat += body
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev = bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        yield [bytes(line[x:x + 3]) for x in range(0, stride, bpp)]
        prev = line


def stats(path):
    colours, ink, total = set(), 0, 0
    for row in rows(path):
        colours.update(row)
        ink += sum(px != b"\xff\xff\xff" for px in row)
        total += len(row)
    # The platform colours of the report's bars (native, docker, kvm, qemu).
    bars = {bytes.fromhex(c) for c in ("3b6fb6", "1f9e73", "e8850c", "c8414b")}
    print(len(colours), round(ink / total, 3), len(bars & colours))


def count(path, hexes):
    want = {bytes.fromhex(c): c for c in hexes}
    seen = {c: 0 for c in hexes}
    for row in rows(path):
        for px in row:
            if px in want:
                seen[want[px]] += 1
    print(" ".join("%s=%d" % kv for kv in seen.items()))


def runs(path, hexes):
    want = {bytes.fromhex(c): c for c in hexes}
    best = {px: (0, -1) for px in want}
    for y, row in enumerate(rows(path)):
        run, colour = 0, None
        for px in row:
            run = run + 1 if px == colour else 1
            colour = px
            if px in want and run > best[px][0]:
                best[px] = (run, y)
    for px, c in want.items():
        print(c, best[px][1], best[px][0])


if __name__ == "__main__":
    cmd, path, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"stats": lambda: stats(path), "count": lambda: count(path, rest),
     "runs": lambda: runs(path, rest)}[cmd]()
