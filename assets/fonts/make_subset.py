#!/usr/bin/env python3
"""Rebuild NotoSansSC-Regular-subset.otf (see README.md in this folder).

Needs Debian's fonts-noto-cjk and PyPI's fonttools:
    apt-get install fonts-noto-cjk && pip install fonttools
    python3 assets/fonts/make_subset.py
"""
import pathlib
import subprocess
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_INDEX = "2"  # the collection's Simplified Chinese face

# Latin, general punctuation, arrows, enclosed numerals, box drawing, shapes,
# misc symbols, CJK symbols and punctuation, full-width forms.
RANGES = [
    (0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF),
    (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF),
    (0x3000, 0x303F), (0xFF00, 0xFFEF),
]


def gb2312() -> set[str]:
    chars = set()
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes([b1, b2]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def main() -> None:
    chars = gb2312()
    for lo, hi in RANGES:
        chars.update(chr(c) for c in range(lo, hi + 1))
    # Whatever the bundled cards use, even outside GB2312.
    for path in sorted((ROOT / "data").glob("**/*.ron")):
        chars.update(path.read_text(encoding="utf-8-sig"))
    chars.difference_update("\r\n\t")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("".join(sorted(chars)))
    subprocess.run(
        [
            "pyftsubset", SOURCE, f"--font-number={SC_INDEX}",
            f"--text-file={f.name}",
            f"--output-file={HERE / 'NotoSansSC-Regular-subset.otf'}",
            "--layout-features=kern,liga,locl,ccmp", "--no-hinting",
            "--name-IDs=*",
        ],
        check=True,
    )


if __name__ == "__main__":
    main()
