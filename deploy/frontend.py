"""Streamlit's frontend as nginx serves it in front of the app (`make frontend`, issue 19).

    .venv/bin/python -m deploy.frontend build/frontend

Writes a copy of the installed Streamlit's `static/` folder (the URLs under `/static/`) that
weighs less on a phone's first visit and draws the same pixels:

- the Material Symbols icon font (375 KB, loaded on every page) cut to the icons Streamlit's
  frontend or this app can ask for: every ligature name that occurs in the frontend's
  JavaScript, and `:material/NAME:` in Streamlit's Python and in the app's code. An icon
  missing from the font would show its name as text instead;
- Streamlit's text fonts (Source Sans, preloaded by every page, Source Code, Source Serif)
  with every character but only the OpenType features a browser applies by default: the
  alternates (small capitals, stylistic sets, old-style figures...) that no CSS of Streamlit's
  or the app's asks for. Renamed inside: their licence reserves the name "Source" for the
  unmodified fonts. (Cut to Latin as well, they drew some ligatures, ff and ft, otherwise.);
- every text file compressed once at gzip's best (zopfli), for nginx's `gzip_static`.

A second run returns at once unless Streamlit, the app's icons or this file changed."""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
import time
from io import BytesIO
from pathlib import Path

import streamlit
import zopfli.gzip
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
STATIC = Path(streamlit.__file__).parent / "static" / "static"
ICON_FONT = "MaterialSymbols-Rounded.*.woff2"
TEXT_FONTS = "Source*.woff2"
COMPRESSED = {".js", ".css", ".json", ".svg", ".txt", ".html"}
MATERIAL = re.compile(r":material/([a-z0-9_]+):")


def _ligatures(font: TTFont) -> dict[str, str]:
    """Each icon's name (the letters its ligature replaces) and its glyph."""
    letters = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}
    names = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)  # extension lookups wrap the table
            for first, ligatures in getattr(table, "ligatures", {}).items():
                for ligature in ligatures:
                    glyphs = [first, *ligature.Component]
                    if all(g in letters for g in glyphs):
                        names["".join(letters[g] for g in glyphs)] = ligature.LigGlyph
    return names


def icon_words(static: Path = STATIC, app: Path = ROOT) -> set[str]:
    """Every word that may name an icon: identifiers in the frontend's JavaScript (which holds
    the names Streamlit draws itself, as `:material/NAME:` or bare), `:material/NAME:` in
    Streamlit's Python and in the app's code (app.py, lib, pages)."""
    words: set[str] = set()
    for path in (static / "js").glob("*.js"):
        words.update(re.findall(r"[a-z0-9_]+", path.read_text(encoding="utf-8", errors="ignore")))
    python = [*static.parent.parent.rglob("*.py"), app / "app.py"]
    python += [*(app / "lib").rglob("*.py"), *(app / "pages").rglob("*.py")]
    for path in python:
        words.update(MATERIAL.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return words


def _save(font: TTFont) -> bytes:
    font.flavor = "woff2"
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def icon_subset(path: Path, words: set[str]) -> tuple[bytes, list[str]]:
    """The icon font with only the ligatures named in `words` (and the letters they are
    typed with); the names kept."""
    font = TTFont(path)
    ligatures = _ligatures(font)
    kept = sorted(set(ligatures) & words)
    options = subset.Options()
    options.layout_closure = False  # no other ligature that the same letters could make
    options.layout_features = ["rlig"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=sorted({ord(c) for name in kept for c in name}),
        glyphs=[ligatures[name] for name in kept],
    )
    subsetter.subset(font)
    return _save(font), kept


def text_font(path: Path) -> bytes:
    """A text font with all its characters and only the default OpenType features."""
    font = TTFont(path)
    options = subset.Options()  # its layout features: the ones browsers apply by default
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=list(font.getBestCmap()))
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID not in (0, 7, 13, 14):  # the copyright, trademark and licence as they are
            text = record.toUnicode()
            if "Source" in text:
                record.string = text.replace("Source", "JUL")
    return _save(font)


def precompress(paths: list[Path]) -> tuple[int, int]:
    """Each file's gzip beside it (NAME.gz) where that is smaller; the bytes before and after."""
    raw = packed = 0
    for path in paths:
        data = path.read_bytes()
        gz = zopfli.gzip.compress(data, numiterations=1)  # more iterations: <0.1% smaller
        if len(gz) < len(data):
            path.with_name(path.name + ".gz").write_bytes(gz)
            raw, packed = raw + len(data), packed + len(gz)
    return raw, packed


def _key(words: set[str], compress: bool) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(" ".join(sorted(words)).encode())
    compressed = "" if compress else "; not compressed"
    return f"streamlit {streamlit.__version__}; {digest.hexdigest()[:16]}{compressed}"


def build(out: Path, force: bool = False, compress: bool = True) -> bool:
    """Write the frontend to `out` (`out`/static/...); False if it was already up to date.
    `compress=False` (the tests) skips the precompression, most of the build's time."""
    words = icon_words()
    stamp, key = out / "BUILT", _key(words, compress)
    if not force and stamp.exists() and stamp.read_text() == key:
        return False
    work = out.with_name(out.name + ".tmp")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(STATIC, work / "static")
    media, started = work / "static" / "media", time.perf_counter()

    icons = next(media.glob(ICON_FONT))
    before = icons.stat().st_size
    data, kept = icon_subset(icons, words)
    icons.write_bytes(data)
    print(f"{icons.name}: {len(kept)} icons, {before:,} -> {len(data):,} bytes")
    for path in sorted(media.glob(TEXT_FONTS)):
        before = path.stat().st_size
        path.write_bytes(text_font(path))
        print(f"{path.name}: {before:,} -> {path.stat().st_size:,} bytes")

    if compress:
        raw, packed = precompress([p for p in work.rglob("*") if p.suffix in COMPRESSED])
        print(f"text files precompressed (zopfli): {raw:,} -> {packed:,} bytes")
    (work / "BUILT").write_text(key)
    shutil.rmtree(out, ignore_errors=True)
    work.rename(out)
    print(f"{out} built in {time.perf_counter() - started:.0f} s")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the folder nginx serves /static/ from")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    if not build(args.out.resolve(), args.force):
        print(f"{args.out} is up to date (Streamlit {streamlit.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
