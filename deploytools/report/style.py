"""
The HTML report's stylesheet, inlined in every page, and the colours it is built from.

The colours are pairs chosen for WCAG AA contrast (4.5:1 for text, 3:1 for a bar against its
track); tests/test_report_formats.py computes the ratios from :data:`TEXT_PAIRS` and
:data:`BAR_PAIRS`, so a colour changed here is checked. Colour is never the only signal: every
status also has its mark and its word, every bar its numbers.
"""

from __future__ import annotations

PALETTE = {
    "text": "#1b1f24",
    "background": "#ffffff",
    "muted": "#4b5563",
    "link": "#0b4f9c",
    "code-background": "#f3f4f6",
    "passed": "#11602e",
    "passed-background": "#e8f5ec",
    "failed": "#9b1c1c",
    "failed-background": "#fdecec",
    "skipped": "#5b4a00",
    "skipped-background": "#fbf5dc",
    "track": "#e5e7eb",
    "fill": "#1f7a3f",
    "fill-over": "#b42318",
}

# (foreground, background) of every text the page shows.
TEXT_PAIRS = [
    ("text", "background"),
    ("muted", "background"),
    ("link", "background"),
    ("text", "code-background"),
    ("passed", "passed-background"),
    ("failed", "failed-background"),
    ("skipped", "skipped-background"),
    ("passed", "background"),
    ("failed", "background"),
    ("skipped", "background"),
]
# (bar, track): a bar is read against its track.
BAR_PAIRS = [("fill", "track"), ("fill-over", "track")]

_C = PALETTE

CSS = f"""\
:root {{ color-scheme: light; }}
body {{ margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 3rem;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: {_C["text"]}; background: {_C["background"]}; }}
h1 {{ font-size: 1.6rem; margin: 0.5rem 0; }}
h2 {{ font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 2px solid {_C["track"]}; }}
h3 {{ font-size: 1rem; margin: 0; }}
a {{ color: {_C["link"]}; }}
code, pre {{ font: 0.9rem/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }}
pre {{ background: {_C["code-background"]}; color: {_C["text"]}; padding: 0.5rem 0.75rem;
  margin: 0.25rem 0 0.5rem; white-space: pre-wrap; overflow-wrap: anywhere;
  border-left: 3px solid {_C["muted"]}; user-select: all; }}
.facts {{ display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; margin: 0.5rem 0; }}
.facts div {{ display: flex; gap: 0.4rem; }}
.facts dt {{ color: {_C["muted"]}; }}
.facts dd {{ margin: 0; font-weight: 600; }}
.counts {{ list-style: none; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap;
  gap: 0.5rem; }}
.counts li {{ padding: 0.1rem 0.6rem; border: 1px solid {_C["muted"]}; border-radius: 1rem; }}
.count.passed {{ color: {_C["passed"]}; background: {_C["passed-background"]}; }}
.count.failed {{ color: {_C["failed"]}; background: {_C["failed-background"]}; }}
.count.skipped {{ color: {_C["skipped"]}; background: {_C["skipped-background"]}; }}
.preamble p {{ margin: 0.25rem 0; }}
.checks {{ padding-left: 1.5rem; }}
ul.checks {{ list-style: none; padding-left: 0; }}
.check {{ margin: 0.4rem 0; padding: 0.4rem 0.75rem; border-left: 6px solid; }}
.check.passed {{ border-color: {_C["passed"]}; }}
.check.failed {{ border-color: {_C["failed"]}; background: {_C["failed-background"]}; }}
.check.skipped {{ border-color: {_C["skipped"]}; background: {_C["skipped-background"]}; }}
.check.passed .status, .check.passed .mark {{ color: {_C["passed"]}; }}
.check.failed .status, .check.failed .mark {{ color: {_C["failed"]}; }}
.check.skipped .status, .check.skipped .mark {{ color: {_C["skipped"]}; }}
.mark {{ display: inline-block; min-width: 1.1em; font-weight: 700; }}
.status {{ font-weight: 700; text-transform: uppercase; font-size: 0.8rem;
  letter-spacing: 0.04em; }}
.ids, .level {{ color: {_C["muted"]}; font-weight: 400; }}
.check.failed .ids, .check.skipped .ids {{ color: {_C["text"]}; }}
.evidence {{ margin: 0.2rem 0; }}
.evidence .label, .fix-label {{ font-weight: 600; }}
.messages {{ list-style: none; padding: 0; margin: 0.3rem 0 0; }}
.message p {{ margin: 0.2rem 0; }}
.message .id {{ font-weight: 700; }}
.fix-label {{ margin: 0.2rem 0 0; }}
.gauge {{ margin: 0.4rem 0; }}
.gauge figcaption {{ font-size: 0.95rem; }}
.bar {{ position: relative; height: 1rem; background: {_C["track"]};
  border: 1px solid {_C["muted"]}; border-radius: 3px; margin-top: 0.2rem; }}
.bar .fill {{ position: absolute; left: 0; top: 0; bottom: 0; background: {_C["fill"]}; }}
.gauge.over .fill {{ background: {_C["fill-over"]}; }}
.bar .threshold {{ position: absolute; top: -0.2rem; bottom: -0.2rem; width: 2px;
  background: {_C["text"]}; }}
.timeline {{ list-style: none; padding-left: 1rem; border-left: 3px solid {_C["track"]}; }}
.release {{ margin: 0 0 1rem; padding: 0.4rem 0.75rem; border-left: 6px solid; }}
.release.succeeded {{ border-color: {_C["passed"]}; }}
.release.failed, .release.interrupted {{ border-color: {_C["failed"]};
  background: {_C["failed-background"]}; }}
.release dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem;
  margin: 0.3rem 0; }}
.release dt {{ color: {_C["muted"]}; }}
.release dd {{ margin: 0; }}
.note {{ border: 1px solid {_C["muted"]}; padding: 0.5rem 0.75rem; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 10.5pt; color: #000; }}
  h2 {{ break-after: avoid; }}
  .check, .release, .gauge {{ break-inside: avoid; }}
  .check.failed, .check.skipped, .release.failed, .release.interrupted, .counts li
    {{ background: none; }}
  pre {{ border: 1px solid #000; background: none; }}
  .bar, .bar .fill, .bar .threshold {{ -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }}
  a.file::after {{ content: " <" attr(href) ">"; font-size: 0.8em; overflow-wrap: anywhere; }}
}}
"""
