#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the HXE image a compatibility case expects, from its .spec file.

This is the reference's image format written out independently of
lib/hxe and hsx-as (hsx-reference.md sections 3.2, 4.1-4.3 and hld.py's
write_hxe_v2): a 96-byte big-endian v2 header (flags 0x0002, bss 0,
req_caps 0), the code, the rodata, a 16-byte >IIII table entry per
metadata section, the payloads, and a zlib CRC-32 over file[0:0x1C] +
file[0x60:].  The .spec lists the bytes by hand:

    entry 0x8
    code
      w 01 1 0 0 02a     op rd rs1 rs2 imm12 (hex; imm may be -N)
      x 11223344         a raw big-endian word
    rodata
      b 41 00 0a         bytes (hex)
      s "text\\n"        bytes of a string (Python escapes)
    meta 3 2             a metadata section: type, entry count
      s '{"mailboxes":[]}'

Usage: spec2hxe.py FILE.spec APP_NAME  (prints the image as hex)
"""
import ast
import struct
import sys
import zlib


def word(f):
    op, rd, rs1, rs2, imm = f
    imm = int(imm, 10) if imm.startswith("-") else int(imm, 16)
    return struct.pack(">I", int(op, 16) << 24 | int(rd, 16) << 20 |
                       int(rs1, 16) << 16 | int(rs2, 16) << 12 | (imm & 0xFFF))


def parse(path):
    entry, parts, meta, cur = 0, {"code": bytearray(), "rodata": bytearray()}, [], None
    for raw in open(path, encoding="utf-8"):
        line = raw.split(";", 1)[0].strip() if not raw.lstrip().startswith("s ") else raw.strip()
        if not line or line.startswith("#"):
            continue
        tok = line.split()
        if tok[0] == "entry":
            entry = int(tok[1], 0)
        elif tok[0] in ("code", "rodata"):
            cur = parts[tok[0]]
        elif tok[0] == "meta":
            meta.append((int(tok[1]), int(tok[2]), bytearray()))
            cur = meta[-1][2]
        elif tok[0] == "w":
            cur += word(tok[1:6])
        elif tok[0] == "x":
            cur += struct.pack(">I", int(tok[1], 16))
        elif tok[0] == "b":
            cur += bytes(int(t, 16) for t in tok[1:])
        elif tok[0] == "s":
            cur += ast.literal_eval(line[2:].strip()).encode("utf-8")
        else:
            sys.exit(f"{path}: bad line: {raw.rstrip()}")
    return entry, bytes(parts["code"]), bytes(parts["rodata"]), meta


def image(path, app):
    entry, code, ro, meta = parse(path)
    body = code + ro
    table = 0x60 + len(body) if meta else 0
    pos = 0x60 + len(body) + 16 * len(meta)
    tab, payload = b"", b""
    for typ, count, data in meta:
        tab += struct.pack(">IIII", typ, pos + len(payload), len(data), count)
        payload += data
    body += tab + payload
    name = app.encode("ascii")[:31].ljust(32, b"\0")
    hdr = struct.pack(">IHHIIIIII", 0x48535845, 2, 2, entry, len(code), len(ro), 0, 0, 0)
    ext = name + struct.pack(">II", table, len(meta)) + bytes(24)
    crc = zlib.crc32(hdr[:0x1C] + body) & 0xFFFFFFFF
    return hdr[:0x1C] + struct.pack(">I", crc) + ext + body


if __name__ == "__main__":
    print(image(sys.argv[1], sys.argv[2]).hex())
