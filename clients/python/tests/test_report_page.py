"""The auditor's report page (`yui audit report --out DIR` → DIR/report.html)
in headless Chromium, on a small simulated year of a town.

`yui-devnet year` writes and serves 40 days of a town of 200 residents and
24 shops; the auditor fetches its archive and `yui audit report --archive`
writes the page. Chromium opens it from disk and must fetch nothing; the
DOM (dumped with `chromium --dump-dom`) must hold the charts as inline SVG
with their data; the screenshot (Pillow reads it) must have ink in every
chart's plot area; and the Japanese labels must be drawn with a font that
has their glyphs (DevTools' CSS.getPlatformFontsForNode names the font
that rendered a node: Debian's fonts-noto-cjk, which ./run.sh test
installs). The screenshot goes to $YUI_REPORT_SCREENSHOT when set, else to
a temporary file.
"""

import base64
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_devnet import bin_dir, free_port
from test_terminal import browser, chromium  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.devnet

SCREENSHOT = Path(
    os.environ.get("YUI_REPORT_SCREENSHOT")
    or Path(tempfile.gettempdir()) / "yui-report-page.png"
)
WIDTH, HEIGHT = 1280, 2400


def run(*args, timeout=120):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{args[0]} {args[1:4]} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    return r.stdout


@pytest.fixture(scope="module")
def report():
    """The report of a small simulated year: its folder."""
    d = Path(tempfile.mkdtemp(prefix="yui-report-page-"))
    devnet, yui = bin_dir() / "yui-devnet", bin_dir() / "yui"
    assert devnet.exists(), f"{devnet} not found: build the binaries or set YUI_BIN_DIR"
    port = free_port()
    town = d / "town"
    try:
        run(devnet, "--dir", town, "year", "--residents", "200", "--merchants", "24", "--days", "40",
            "--seed", "3", "--port", port)
        try:
            run(yui, "--node", f"127.0.0.1:{port}", "audit", "fetch", "--key", town / "keys" / "auditor.json",
                "--out", d / "year.arch")
        finally:
            subprocess.run([str(devnet), "--dir", str(town), "down"], capture_output=True, timeout=60)
        run(yui, "audit", "report", "--archive", d / "year.arch", "--period", "week", "--out", d / "report")
        yield d / "report"
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_the_files_of_the_page(report):
    html = (report / "report.html").read_text()
    charts = sorted(p.name for p in (report / "charts").glob("*.svg"))
    for name in ["coin-flows-between-groups.svg", "coin-spent-by-merchant-class.svg", "coin-issued-by-source.svg",
                 "coin-flows.svg", "coin-float.svg", "coin-utilisation-velocity.svg"]:
        assert name in charts, charts
    for p in (report / "charts").glob("*.svg"):
        root = ET.parse(p).getroot()  # each chart is a well-formed SVG file on its own
        assert root.tag == "{http://www.w3.org/2000/svg}svg", p
        assert root.get("data-chart") == p.stem
    coin = (report / "tables" / "coin.csv").read_text().splitlines()
    assert coin[0].startswith("period,issued_charge,") and len(coin) > 4, coin
    # Self-contained: every chart inline, nothing to fetch.
    assert html.count("<svg ") == len(charts)
    without_ns = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for fetch in ["http:", "https:", "<script", "src=", "url(", "<link", "@import"]:
        assert fetch not in without_ns, fetch


def test_the_page_in_chromium(report, browser):  # noqa: F811
    url = (report / "report.html").resolve().as_uri()

    # The DOM as Chromium built it: the inline SVGs with their data.
    dom = subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
                         capture_output=True, text=True, timeout=60).stdout
    svgs = re.findall(r'<svg [^>]*data-chart="([^"]+)" data-drawn="(\d+)" data-withheld="(\d+)"', dom)
    drawn = {name: int(n) for name, n, _ in svgs}
    assert drawn.get("coin-issued-by-source", 0) >= 5, drawn  # a bar for each week
    assert drawn.get("coin-flows", 0) >= 10, drawn  # points of several lines
    assert drawn.get("coin-flows-between-groups", 0) >= 3, drawn  # issued → residents → shops → yen
    assert ">住民</tspan>" in dom and "発行 issued" in dom
    # Periods read as dates: the weeks from Monday 31 March 2025 (the year starts on 1 April).
    assert "2025年3月31日の週 (2025-W14)" in dom
    assert re.search(r">\s*3/31\s*</text>", dom) and re.search(r">\s*2025年\s*</text>", dom), "no dates on the axes"
    # Privacy: with 24 shops, the public facilities (about 2) are withheld, said so, and not drawn.
    assert "加盟店が k 未満 (fewer than k merchants)" in dom
    assert 'data-from="resident" data-to="merchant:public"' not in dom

    browser.call("Page.enable")
    browser.call("DOM.enable")
    browser.call("CSS.enable")
    browser.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
    browser.call("Page.navigate", url=url)
    for _ in range(100):
        if browser.eval("document.readyState") == "complete":
            break
        time.sleep(0.1)
    assert browser.eval("performance.getEntriesByType('resource').length") == 0, "the page fetched something"
    assert browser.eval("document.querySelectorAll('svg.chart').length") == len(svgs)

    # Japanese drawn with a font that has it (no tofu): the font that rendered
    # the heading and a chart's title.
    doc = browser.call("DOM.getDocument", depth=-1)["root"]["nodeId"]
    for selector in ["h1", "svg[data-chart='coin-spent-by-merchant-class'] text"]:
        node = browser.call("DOM.querySelector", nodeId=doc, selector=selector)["nodeId"]
        assert node, selector
        fonts = browser.call("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]
        cjk = [f for f in fonts if re.search(r"CJK|Noto Sans JP|Source Han|Hiragino|Yu Gothic|Meiryo", f["familyName"])]
        assert cjk and sum(f["glyphCount"] for f in cjk) >= 2, f"{selector}: Japanese drawn with {fonts}"

    # The screenshot: ink in every chart's plot area in view.
    from PIL import Image

    shot = browser.call("Page.captureScreenshot", format="png")["data"]
    png = base64.b64decode(shot)
    SCREENSHOT.write_bytes(png)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    assert img.size == (WIDTH, HEIGHT), img.size
    boxes = browser.eval("""[...document.querySelectorAll('svg.chart')].map(s => {
        const r = s.getBoundingClientRect();
        return [s.dataset.chart, r.left, r.top, r.right, r.bottom, Number(s.dataset.drawn)];
    })""")
    checked = 0
    for name, left, top, right, bottom, n in boxes:
        if bottom > HEIGHT or n == 0:
            continue
        # The plot area: inside the title, legend, axes and note.
        w, h = right - left, bottom - top
        box = (int(left + 0.12 * w), int(top + 0.25 * h), int(right - 0.04 * w), int(bottom - 0.22 * h))
        area = img.crop(box)
        pixels = area.width * area.height
        data = area.tobytes()
        ink = sum(1 for i in range(0, len(data), 3)
                  if max(data[i:i + 3]) - min(data[i:i + 3]) > 40 or max(data[i:i + 3]) < 200)
        assert ink * 200 >= pixels, f"{name}: {ink} of {pixels} pixels drawn ({SCREENSHOT})"
        checked += 1
    assert checked >= 4, f"only {checked} charts in view: {boxes}"
