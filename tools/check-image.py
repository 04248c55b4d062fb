#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the linked image: function addresses equal those of the first link
(so the symbol table is right), and the loadable part of the file is the flat
memory image the multiboot v1 address fields promise."""
import subprocess
import sys


def text_symbols(elf):
    out = subprocess.run(["nm", "-n", elf], check=True, capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if l.split()[1:2] in (["T"], ["t"])]


def load_segments(elf):
    out = subprocess.run(["readelf", "-lW", elf], check=True, capture_output=True, text=True).stdout
    segs = []
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            segs.append(tuple(int(x, 16) for x in f[1:6]))  # off, vaddr, paddr, filesz, memsz
    return segs


def main():
    first, final = sys.argv[1], sys.argv[2]
    if text_symbols(first) != text_symbols(final):
        sys.exit(f"check-image: function addresses moved between links of {final}")
    segs = load_segments(final)
    if len(segs) != 1:
        sys.exit(f"check-image: expected one PT_LOAD segment, found {len(segs)}")
    off, vaddr, paddr, filesz, memsz = segs[0]
    if vaddr != paddr or (vaddr - off) % 4096 or filesz > memsz:
        sys.exit(f"check-image: segment not a flat identity-mapped image: {segs[0]}")


if __name__ == "__main__":
    main()
