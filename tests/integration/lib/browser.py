"""Headless Chromium (Debian's `chromium`) driven through the DevTools protocol, with the
standard library only: a minimal RFC 6455 WebSocket client and a CDP session that records
console messages, exceptions and network failures of the page.

    with browser.Chromium() as chrome:
        page = chrome.page()
        page.navigate("http://127.0.0.1:9090/")
        page.wait_for("document.body.dataset.updates >= 2", timeout=10)
        page.screenshot("out.png")
        assert not page.problems()

Every wait is bounded; Chromium runs in its own process group, killed by its id at the end.
"""
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class WebSocket:
    """Client side of RFC 6455 over a plain TCP socket: text frames out (masked), frames in."""

    def __init__(self, url, timeout=10.0):
        assert url.startswith("ws://"), url
        hostport, _, path = url[len("ws://"):].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"WebSocket handshake refused: {head[:200]!r}")

    def send_text(self, text):
        payload = text.encode()
        header = bytearray([0x81])  # FIN + text
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header.append(0x80 | 126)
            header += struct.pack("!H", n)
        else:
            header.append(0x80 | 127)
            header += struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + mask + masked)

    def _read_exact(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buffer)))
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def receive(self, timeout):
        """The next whole text message, or None at the timeout."""
        self.sock.settimeout(timeout)
        message = b""
        try:
            while True:
                b0, b1 = self._read_exact(2)
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", self._read_exact(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._read_exact(8))[0]
                if b1 & 0x80:
                    mask = self._read_exact(4)
                    data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read_exact(n)))
                else:
                    data = self._read_exact(n)
                opcode = b0 & 0x0F
                if opcode == 0x8:
                    raise ConnectionError("DevTools closed the WebSocket")
                if opcode == 0x9:  # ping: answer, keep reading
                    continue
                if opcode in (0x1, 0x2, 0x0):
                    message += data
                    if b0 & 0x80:
                        return message.decode()
        except socket.timeout:
            return None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Page:
    """One tab over CDP. Records what a user's console and network panel would show."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []
        self.console_errors = []   # console.error / warnings logged as errors, and exceptions
        self.failed_requests = []  # network failures and HTTP >= 400 answers
        self.responses = {}        # requestId -> {url, status, encoded bytes}
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method, params=None, timeout=30.0):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send_text(json.dumps({"id": my_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.ws.receive(max(0.05, deadline - time.monotonic()))
            if message is None:
                break
            doc = json.loads(message)
            if doc.get("id") == my_id:
                if "error" in doc:
                    raise RuntimeError(f"{method}: {doc['error']}")
                return doc.get("result", {})
            self._event(doc)
        raise TimeoutError(f"no answer to {method} within {timeout}s")

    def pump(self, seconds):
        """Reads events for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = self.ws.receive(max(0.01, deadline - time.monotonic()))
            if message is None:
                return
            self._event(json.loads(message))

    def _event(self, doc):
        method = doc.get("method")
        if method is None:
            return
        params = doc.get("params", {})
        self.events.append((time.monotonic(), method, params))
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.console_errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.console_errors.append(f"exception: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.console_errors.append(f"log ({entry.get('source')}): {entry.get('text')} "
                                       f"{entry.get('url', '')}")
        elif method == "Network.responseReceived":
            response = params["response"]
            self.responses[params["requestId"]] = {"url": response["url"],
                                                   "status": response["status"],
                                                   "bytes": 0,
                                                   "headers": response.get("headers", {})}
            if response["status"] >= 400:
                self.failed_requests.append(f"{response['status']} {response['url']}")
        elif method == "Network.loadingFinished":
            entry = self.responses.get(params["requestId"])
            if entry is not None:
                entry["bytes"] = params.get("encodedDataLength", 0)
        elif method == "Network.loadingFailed":
            if not params.get("canceled"):
                self.failed_requests.append(f"{params.get('errorText')} ({params['requestId']})")

    def navigate(self, url, timeout=20.0):
        self.call("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete'", timeout=timeout)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=15.0, interval=0.1, what=None):
        """Polls a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.pump(interval)
        raise AssertionError(f"timed out after {timeout}s waiting for {what or expression} "
                             f"(last value {value!r}); problems: {self.problems()}")

    def set_viewport(self, width, height, mobile=False, dark=False):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        self.call("Emulation.setEmulatedMedia",
                  {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})

    def screenshot(self, path, full_page=True):
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            metrics = self.call("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                              "scale": 1}
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def problems(self):
        return self.console_errors + self.failed_requests

    def close(self):
        self.ws.close()


def ensure_chromium():
    """Installs Debian's chromium through scripts/install-deps.sh when it is missing (as
    `make test` does first), so the browser test also runs from a bare `ctest`."""
    global CHROMIUM
    if os.path.exists(CHROMIUM):
        return
    source = os.environ.get("SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..",
                                                           "..")
    subprocess.run(["bash", os.path.join(source, "scripts", "install-deps.sh")], check=True,
                   stdin=subprocess.DEVNULL, timeout=1800)
    CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("chromium is still missing after scripts/install-deps.sh")


class Chromium:
    """`chromium --headless` with a DevTools port and a throw-away profile."""

    def __init__(self, width=1280, height=900):
        ensure_chromium()
        self.profile = tempfile.mkdtemp(prefix="flotilla-chromium-")
        argv = [CHROMIUM, "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update",
                "--disable-dev-shm-usage", "--remote-debugging-port=0",
                "--remote-allow-origins=*", f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "about:blank"]
        if os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        self.port = self._wait_port(30.0)
        self.pages = []

    def _wait_port(self, timeout):
        marker = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}:\n"
                                   + self.output())
            try:
                with open(marker) as f:
                    first = f.readline().strip()
                if first:
                    return int(first)
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"chromium did not open its DevTools port within {timeout}s:\n"
                           + self.output())

    def output(self):
        try:
            with open(os.path.join(self.profile, "chromium.log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def page(self):
        """A new tab (its own target), attached."""
        url = f"http://127.0.0.1:{self.port}/json/new?about:blank"
        request = urllib.request.Request(url, method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            target = json.loads(response.read())
        page = Page(target["webSocketDebuggerUrl"])
        self.pages.append(page)
        return page

    def stop(self):
        for page in self.pages:
            page.close()
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
