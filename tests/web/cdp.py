"""A small Chrome DevTools Protocol client for the --http page tests: starts Debian's
chromium headless on a free port, opens one page, and gives navigate / evaluate /
wait_until / screenshot over the page's WebSocket (python3-websocket)."""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import websocket


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Browser:
    def __init__(self, chromium="chromium"):
        self.profile = tempfile.mkdtemp(prefix="lt-web-chromium.")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-extensions", "--disable-background-networking",
             "--window-size=1280,1400", f"--user-data-dir={self.profile}",
             f"--remote-debugging-port={self.port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ws = None
        self.next_id = 0
        self.events = []
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list") as r:
                    pages = [t for t in json.load(r) if t["type"] == "page"]
                if pages:
                    self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"],
                                                          timeout=30)
                    break
            except OSError:
                pass
            time.sleep(0.1)
        if not self.ws:
            self.close()
            raise RuntimeError("chromium did not open its DevTools port")
        self.call("Page.enable")
        self.call("Network.enable")
        self.call("Runtime.enable")

    def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mine:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def navigate(self, url):
        """Loads url; the main document's HTTP status (after redirects)."""
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.time() + 30
        status = None
        while time.time() < deadline:
            for e in self.events:
                if (e["method"] == "Network.responseReceived" and
                        e["params"].get("type") == "Document"):
                    status = e["params"]["response"]["status"]
                if e["method"] == "Page.loadEventFired" and status is not None:
                    return status
            self.pump(0.05)
        raise RuntimeError(f"{url} did not load")

    def pump(self, seconds):
        self.ws.settimeout(seconds)
        try:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(30)

    def evaluate(self, expr):
        """The value of a JavaScript expression (promises awaited)."""
        r = self.call("Runtime.evaluate", expression=expr, awaitPromise=True,
                      returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_until(self, expr, seconds):
        """Seconds it took expr to become truthy, or None past the deadline."""
        t0 = time.time()
        while time.time() - t0 < seconds:
            if self.evaluate(expr):
                return time.time() - t0
            time.sleep(0.02)
        return None

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))

    def close(self):
        if self.ws:
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
