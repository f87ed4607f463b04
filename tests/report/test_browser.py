"""The reports in a real browser (headless Chromium): nothing is wider than the page at 1200 px, and
with the print stylesheet on an A4 page no table runs past the right margin.

Skipped, with the reason, where no Chromium is installed (``.ci/run`` installs the Debian package
``chromium`` when it runs as root).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kpisim.report import write_comparison, write_staffing

CHROMIUM = next(
    (shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no headless Chromium (apt-get install chromium) to load the reports in"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--hide-scrollbars",
]
#: A4 (210 mm) less the print stylesheet's 12 mm margins, in CSS pixels (96 per inch)
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)

#: writes the page's widest overflow into the DOM: the document's scroll width against the
#: viewport, and each table's width against the box it sits in
PROBE = """<script>
window.addEventListener('load', () => {
  const vw = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('table')].map(t => {
    const box = t.parentElement.getBoundingClientRect();
    return Math.round(t.getBoundingClientRect().right - Math.min(box.right, vw));
  });
  const imgs = [...document.querySelectorAll('img')].map(i => Math.round(i.getBoundingClientRect().right - vw));
  const out = {viewport: vw, scroll: document.documentElement.scrollWidth, tables, imgs};
  const el = document.createElement('pre'); el.id = 'probe'; el.textContent = JSON.stringify(out);
  document.body.appendChild(el);
});
</script>"""


def _probe(html_path: Path, width: int, *, print_media: bool = False) -> dict:
    html = html_path.read_text(encoding="utf-8")
    if print_media:  # lay the page out as it prints: the print rules apply on screen
        html = html.replace("@media print {", "@media all {")
    p = html_path.with_name(f"probe_{width}_{int(print_media)}.html")
    p.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--window-size={width},2000",
            "--virtual-time-budget=5000",
            "--dump-dom",
            p.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    m = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert m, "the probe did not run"
    return json.loads(m.group(1).replace("&quot;", '"'))


def _fits(r: dict) -> None:
    assert r["scroll"] <= r["viewport"], f"page is {r['scroll']} px wide in a {r['viewport']} px window"
    assert max(r["tables"], default=0) <= 1, f"a table runs {max(r['tables'])} px past its box"
    assert max(r["imgs"], default=0) <= 1, "a figure is cut at the right edge"


@pytest.fixture(scope="module")
def pages(shop_comparison, tmp_path_factory):
    d = tmp_path_factory.mktemp("browser")
    write_comparison(shop_comparison, d / "cmp", budget_cents=10_000_000)
    from tests.report.test_html import staffing_sweep

    write_staffing(staffing_sweep(), d / "st", manifest={"scenario_id": "x", "replications": 3, "days": 1})
    return {"report": d / "cmp" / "report.html", "staffing": d / "st" / "staffing.html"}


@pytest.mark.parametrize("name", ["report", "staffing"])
def test_nothing_overflows_a_1200_px_page(pages, name):
    _fits(_probe(pages[name], 1200))


@pytest.mark.parametrize("name", ["report", "staffing"])
def test_printed_on_a4_no_table_is_cut_at_the_right_edge(pages, name):
    _fits(_probe(pages[name], A4_CONTENT_PX, print_media=True))
    pdf = pages[name].with_suffix(".pdf")
    subprocess.run(
        [CHROMIUM, *FLAGS, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", pages[name].as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
