"""A small self-contained HTML writer: sections of text, tables and base64-embedded PNG figures.

Plain HTML and inline CSS (no external files, no network): the report opens from a mail
attachment or an offline archive [CHOICE: MNE's ``Report`` pulls in Bootstrap/JS bundles and a
layout made for MNE objects; our content is tables and PNGs, so plain HTML is simpler to check].
One short inline script marks each ``<img>`` with ``data-decoded="1"`` once the browser has
decoded it and shows the count in the footer, so a reader (and the headless-browser test) can
see that every figure rendered.
"""

from __future__ import annotations

import base64
import html
import math
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;
color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
figure{margin:1em 0}figcaption{font-size:.85em;color:#555;max-width:900px}
img{max-width:100%;height:auto}pre{background:#f7f7f7;padding:.8em;overflow:auto;font-size:.8em}
.note{color:#8a5a00;font-size:.9em}nav a{margin-right:1em}footer{margin-top:3em;color:#777;font-size:.8em}
"""

SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('img'); var ok = 0;
  imgs.forEach(function (im) {
    var good = im.complete && im.naturalWidth > 0;
    im.setAttribute('data-decoded', good ? '1' : '0'); if (good) { ok += 1; }
  });
  var el = document.getElementById('figure-count');
  if (el) { el.textContent = ok + ' of ' + imgs.length + ' figures rendered'; }
});
"""


@dataclass
class Section:
    """One titled section of the report; ``blocks`` are HTML snippets in order."""

    key: str
    title: str
    blocks: list[str] = field(default_factory=list)

    def text(self, message: str, note: bool = False) -> "Section":
        cls = ' class="note"' if note else ""
        self.blocks.append(f"<p{cls}>{html.escape(message)}</p>")
        return self

    def figure(self, png: bytes, caption: str, key: str) -> "Section":
        data = base64.b64encode(png).decode("ascii")
        self.blocks.append(
            f'<figure id="fig-{html.escape(key)}"><img alt="{html.escape(caption)}" '
            f'src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}</figcaption></figure>')
        return self

    def table(self, df: pd.DataFrame, index: bool = False) -> "Section":
        shown = df.copy()
        for col in shown.columns:
            if pd.api.types.is_float_dtype(shown[col]):
                shown[col] = shown[col].map(plain_number)
        self.blocks.append(shown.to_html(index=index, border=0, escape=True, na_rep="n/a"))
        return self

    def json(self, obj: Any) -> "Section":
        self.blocks.append(f"<pre>{html.escape(json.dumps(obj, indent=2, default=str))}</pre>")
        return self


def plain_number(v: float) -> str:
    """A float for a table: three significant digits, never exponent notation (3280, not
    3.28e+03); ``n/a`` for NaN."""
    if pd.isna(v):
        return "n/a"
    v = float(v)
    if v == 0 or abs(v) >= 100:
        return f"{v:.0f}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(v)))))
    return f"{v:.{digits}f}"


def page(title: str, subtitle: str, sections: list[Section], footer: str) -> str:
    """The whole HTML document."""
    nav = " ".join(f'<a href="#{html.escape(s.key)}">{html.escape(s.title)}</a>' for s in sections)
    body = "\n".join(
        f'<section id="{html.escape(s.key)}"><h2>{html.escape(s.title)}</h2>\n' + "\n".join(s.blocks)
        + "</section>" for s in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p><nav>{nav}</nav>\n{body}\n"
            f'<footer>{html.escape(footer)} &middot; <span id="figure-count"></span></footer>'
            f"<script>{SCRIPT}</script></body></html>\n")
