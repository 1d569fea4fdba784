#!/usr/bin/env python3
"""Copies config/REFERENCE.md into README.md's "Configuration reference" section,
between the markers, so the README's reference is always the loader's."""
import pathlib, sys

root = pathlib.Path(__file__).resolve().parent.parent
ref = (root / "config" / "REFERENCE.md").read_text()
lines = ref.split("\n")
body = "\n".join(lines[1:])  # drop the title
cut = body.find("## Using the package")
if cut > 0:
    body = body[:cut]
body = body.replace("\n### ", "\n#### ").replace("\n## ", "\n### ").strip() + "\n"
readme = root / "README.md"
text = readme.read_text()
start, end = "<!-- reference:start -->", "<!-- reference:end -->"
if start not in text:
    sys.exit("README.md has no " + start + " marker")
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
readme.write_text(head + start + "\n" + body + end + tail)
