#!/usr/bin/env python3
"""Writes the seed corpora for fuzz_idcard_codec and fuzz_idcard_text (synthetic people only)."""
import os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus")
PRE = bytes([0xAA, 0xAA, 0xAA, 0x96, 0x69])

def frame(body):
    ln = len(body) + 1
    core = bytes([ln >> 8, ln & 0xFF]) + body
    chk = 0
    for b in core:
        chk ^= b
    return PRE + core + bytes([chk])

def f(s, n):
    b = s.encode("utf-16-le")
    assert len(b) <= n, s
    return b + b" \x00" * ((n - len(b)) // 2)

def block(fields, marker=None):
    b = bytearray(f("", 256))
    for off, n, s in fields:
        b[off:off + n] = f(s, n)
    if marker:
        b[248:250] = marker.encode("utf-16-le")
    return bytes(b)

RESIDENT = block([(0, 30, "张文三"), (30, 2, "1"), (32, 4, "01"), (36, 16, "19900307"),
                  (52, 70, "河南省郑州市金水区经三路１２号"), (122, 36, "41010519900307123X"),
                  (158, 30, "郑州市公安局金水分局"), (188, 16, "20150610"), (204, 16, "长期")])
HKMOTW = block([(0, 30, "陈大文"), (30, 2, "1"), (36, 16, "19920214"), (52, 70, "广东省深圳市罗湖区人民南路３号"),
                (122, 36, "810000199202140178"), (158, 30, "深圳市公安局"), (188, 16, "20210105"),
                (204, 16, "20260105"), (220, 18, "H12345678"), (238, 4, "02")], "J")
FOREIGN17 = block([(0, 120, "SMITH, JOHN EXAMPLE"), (120, 2, "1"), (122, 30, "USA110080010112"), (152, 6, "USA"),
                   (158, 30, "史约翰"), (188, 16, "20190320"), (204, 16, "20290320"), (220, 16, "19800101"),
                   (236, 4, "01"), (240, 8, "1100")], "I")
FOREIGN23 = block([(0, 30, "史约翰"), (30, 2, "1"), (32, 4, "01"), (36, 16, "19800101"),
                   (52, 70, "SMITH JOHN WILLIAM EXAMPLE TESTCASE"), (122, 36, "911840198001011235"),
                   (188, 16, "20231201"), (204, 16, "20331201"), (220, 22, " JR"), (242, 6, "USA")], "Y")

def base(text, fp=None):
    photo = bytes((i * 7) & 0xFF for i in range(1024))
    if fp is None:
        data = bytes([1, 0, 4, 0]) + text + photo
    else:
        data = bytes([1, 0, 4, 0, len(fp) >> 8, len(fp) & 0xFF]) + text + photo + fp
    return frame(bytes([0, 0, 0x90]) + data)

def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(data)

codec = {
    "sam_ok": frame(bytes([0, 0, 0x90])),
    "find_ok": frame(bytes([0, 0, 0x9F, 0, 0, 0, 0])),
    "select_ok": frame(bytes([0, 0, 0x90]) + bytes(8)),
    "no_card": frame(bytes([0, 0, 0x80])),
    "garbage_then_sam_ok": bytes([0xAA, 0x00]) + frame(bytes([0, 0, 0x90])),
    "bad_checksum": frame(bytes([0, 0, 0x90]))[:-1] + b"\x95",
    "base_resident": base(RESIDENT),
    "base_hkmotw": base(HKMOTW),
    "base_foreign17": base(FOREIGN17),
    "base_foreign23_fp": base(FOREIGN23, bytes(512)),
    "two_frames": frame(bytes([0, 0, 0x9F, 0, 0, 0, 0])) + frame(bytes([0, 0, 0x90]) + bytes(8)),
    "request_find": frame(bytes([0x20, 0x01])),
}
for k, v in codec.items():
    write("fuzz_idcard_codec", k, v)
for k, v in {"resident": RESIDENT, "hkmotw": HKMOTW, "foreign17": FOREIGN17, "foreign23": FOREIGN23}.items():
    write("fuzz_idcard_text", k, v)
print("corpus written to", os.path.normpath(ROOT))
