"""The shop terminal (`yui terminal`) in headless Chromium against a devnet.

The page is driven through the DevTools protocol: it must connect to the node
by itself over gRPC-Web (the devnet's nodes allow any origin), show the
payment request's QR code, list payments as they commit, mark the requested
invoice PAID, show a payment that failed in its block apart, and take a new
sale that `yui pay --uri` pays. The screenshot goes to $YUI_SCREENSHOT when
set (`YUI_SCREENSHOT=docs/terminal.png` refreshes the one in the docs), else
to a temporary file, so a test run leaves the repository as it was.

Chromium is Debian's `chromium` (./run.sh test installs it; this test tries
apt-get when it is missing and skips only if that fails). Everything listens
on 127.0.0.1; Chromium, the terminal and the devnet are stopped at the end.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import grpc
import pytest

from test_devnet import bin_dir, devnet  # noqa: F401  (the module's own devnet)
from yui_client import ops

REPO = Path(__file__).resolve().parents[3]
SCREENSHOT = Path(
    os.environ.get("YUI_SCREENSHOT")
    or Path(tempfile.gettempdir()) / "yui-terminal.png"
)
WAIT_S = 20

pytestmark = pytest.mark.devnet


def chromium() -> str:
    """The Chromium binary, installed with apt-get when missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(sudo + ["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300)
        r = subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "chromium"], env=env,
                           capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"chromium is not installed and apt-get could not install it: {e}")
    found = shutil.which("chromium")
    if r.returncode != 0 or not found:
        pytest.skip(f"chromium is not installed and apt-get could not install it: {r.stderr[-500:]}")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, probe, timeout=WAIT_S):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = probe()
            if last:
                return last
        except Exception as e:  # the page or the process may not be up yet
            last = e
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")


class DevTools:
    """A minimal Chrome DevTools protocol client over one page's websocket."""

    def __init__(self, ws_url: str):
        import websocket  # websocket-client, a test dependency

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0

    def call(self, method: str, **params):
        self.next_id += 1
        me = self.next_id
        self.ws.send(json.dumps({"id": me, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == me:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})

    def eval(self, expression: str):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def close(self):
        self.ws.close()


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    exe = chromium()
    profile = tmp_path / "chromium-profile"
    proc = subprocess.Popen(
        [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
         f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1",
         "--remote-debugging-port=0", "--window-size=1280,860", "--hide-scrollbars",
         "--force-device-scale-factor=1", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    tools = None
    try:
        active = profile / "DevToolsActivePort"
        port = int(wait_for("Chromium's DevTools port", lambda: active.read_text().split()[0]))
        pages = wait_for("a Chromium page", lambda: [
            t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5))
            if t["type"] == "page"])
        tools = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield tools
    finally:
        if tools:
            tools.close()
        stop(proc)


def test_shop_terminal_in_a_browser(devnet, browser, tmp_path):  # noqa: F811
    c, k, d = devnet["client"], devnet["keys"], devnet["dir"]
    city, hana, taro, bakery = k["city"], k["hana"], k["taro"], k["sakura-bakery"]
    for who, ref in [(hana, "bank-term-1"), (taro, "bank-term-2")]:
        c.send(city, ops.charge(who.address, "coin", 5_000, ref))
    # Paid before the terminal starts: the page finds it in the history.
    c.send(hana, ops.pay(bakery.address, "SB-41", 180))

    node = f"127.0.0.1:{devnet['port']}"
    port = free_port()
    log = open(tmp_path / "terminal.log", "w")
    term = subprocess.Popen(
        [str(bin_dir() / "yui"), "--node", node, "terminal", "--key", str(d / "keys" / "sakura-bakery.json"),
         "--listen", f"127.0.0.1:{port}", "--invoice", "SB-42", "--amount", "250",
         "--label", "Sakura Bakery"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for("the terminal's page", lambda: urllib.request.urlopen(url + "config", timeout=2).status == 200)
        browser.call("Page.enable")
        browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=860,
                     deviceScaleFactor=1, mobile=False)
        browser.call("Page.navigate", url=url)
        wait_for("the page listening to the node",
                 lambda: browser.eval("document.getElementById('conn').dataset.state") == "listening")
        assert browser.eval("document.getElementById('qr').complete && "
                            "document.getElementById('qr').naturalWidth > 0"), "the QR code did not load"
        wait_for("the earlier payment from the history",
                 lambda: "SB-41" in browser.eval("document.getElementById('payments').innerText"))
        assert browser.eval("document.getElementById('state').innerText") == "Waiting for payment"

        # The page's URI is the request: pay exactly what it says.
        uri = browser.eval("document.getElementById('uri').innerText")
        parsed = urllib.parse.urlsplit(uri)
        q = dict(urllib.parse.parse_qsl(parsed.query))
        assert parsed.scheme == "yui" and parsed.path == bakery.address.hex(), uri
        assert q == {"chain": c.chain_id, "invoice": "SB-42", "amount": "250", "label": "Sakura Bakery"}, q
        first = c.sign(hana, ops.pay(bytes.fromhex(parsed.path), q["invoice"], int(q["amount"])))
        # Taro pays the same invoice at once: admitted against the same
        # state, it fails in the block (the invoice is paid by then).
        second = c.sign(taro, ops.pay(bakery.address, "SB-42", 250))
        c.submit(first, wait=False)
        try:
            c.submit(second, wait=False)
            second_admitted = True
        except grpc.RpcError as e:  # the first already committed
            assert e.code() == grpc.StatusCode.ALREADY_EXISTS, e
            second_admitted = False
        text = lambda: browser.eval("document.getElementById('payments').innerText")  # noqa: E731
        wait_for("the payment of SB-42 on the page", lambda: "invoice SB-42" in text() and "+250" in text())
        wait_for("PAID", lambda: browser.eval("document.getElementById('state').innerText") == "PAID")
        if second_admitted:
            wait_for("the failed payment shown apart",
                     lambda: browser.eval("document.querySelectorAll('#payments li.failure').length") == 1)
            assert "already paid" in browser.eval(
                "document.querySelector('#payments li.failure').innerText"), text()
        row = browser.eval("Array.from(document.querySelectorAll('#payments li.paid'))"
                           ".map(li => li.innerText).find(t => t.includes('SB-42'))")
        assert "coin 250" in row and "JST" in row and "block " in row, row

        # A new sale from the page's form, paid with `yui pay --uri`.
        browser.eval("document.getElementById('new-invoice').value = 'SB-43';"
                     "document.getElementById('new-amount').value = '1200';"
                     "document.getElementById('new-sale').requestSubmit()")
        wait_for("the new request", lambda: browser.eval(
            "document.getElementById('invoice').innerText") == "SB-43")
        assert browser.eval("document.getElementById('state').innerText") == "Waiting for payment"
        uri = browser.eval("document.getElementById('uri').innerText")
        pay = subprocess.run([str(bin_dir() / "yui"), "--node", node, "pay", "--key",
                              str(d / "keys" / "hana.json"), "--uri", uri],
                             capture_output=True, text=True, timeout=60)
        assert pay.returncode == 0, pay.stderr
        wait_for("PAID for the new sale",
                 lambda: browser.eval("document.getElementById('state').innerText") == "PAID"
                 and "invoice SB-43" in text())
        # A bad request from the form is refused with the reason.
        browser.eval("document.getElementById('new-invoice').value = 'x'.repeat(64) + 'y';"
                     "document.getElementById('new-invoice').maxLength = 100;"
                     "document.getElementById('new-amount').value = '5';"
                     "document.getElementById('new-sale').requestSubmit()")
        wait_for("the refusal", lambda: "1..=64 bytes" in browser.eval(
            "document.getElementById('sale-error').innerText"))
        browser.eval("document.getElementById('sale-error').textContent = '';"
                     "document.getElementById('new-sale').reset()")
        assert browser.eval("document.getElementById('conn').dataset.state") == "listening"

        time.sleep(2)  # the newest row's highlight fades
        shot = browser.call("Page.captureScreenshot", format="png")
        SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))
    finally:
        stop(term)
        log.close()
