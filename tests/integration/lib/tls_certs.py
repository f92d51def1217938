"""Certificates and TLS clients for the integration tests, made with the `openssl` CLI in a temp
dir: a test CA, server leaves (RSA 2048 or ECDSA P-256, with DNS/IP SANs, any validity), client
certificates; `openssl s_client` runs parsed into facts (protocol, cipher, reused, the served
certificate's serial and key type); python ssl contexts that trust the test CA.

Every openssl run has a timeout; nothing here starts a process that outlives its call.
"""
import http.client
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import tempfile

OPENSSL = "openssl"
RUN_TIMEOUT_S = 30.0


def run_openssl(*args, input=None, timeout=RUN_TIMEOUT_S):
    """Runs `openssl ARGS`; raises with its output when it fails."""
    done = subprocess.run([OPENSSL, *args], input=input, capture_output=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} exited {done.returncode}:\n"
                             + done.stdout.decode(errors="replace")
                             + done.stderr.decode(errors="replace"))
    return done.stdout.decode(errors="replace")


def _key_args(key_type):
    if key_type == "rsa":
        return ["-newkey", "rsa:2048"]
    if key_type == "ec":
        return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    raise ValueError(f"unknown key type {key_type!r}")


class Leaf:
    """A certificate issued by the test CA: PEM paths, serial (upper-case hex), key type."""

    def __init__(self, cert, key, serial, key_type, names):
        self.cert = cert
        self.key = key
        self.serial = serial
        self.key_type = key_type
        self.names = names

    def pem(self):
        with open(self.cert) as f:
            return f.read()

    def der(self):
        """The certificate as python ssl's getpeercert(binary_form=True) gives it."""
        return ssl.PEM_cert_to_DER_cert(self.pem())


class TestCA:
    """A throw-away certificate authority in its own temp dir (or `directory`)."""

    def __init__(self, directory=None, name="Flotilla Test CA"):
        self.dir = directory or tempfile.mkdtemp(prefix="flotilla-tls-")
        os.makedirs(self.dir, exist_ok=True)
        self.name = name
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower())
        self.cert = os.path.join(self.dir, f"{slug}.pem")
        self.key = os.path.join(self.dir, f"{slug}.key")
        run_openssl("req", "-x509", *_key_args("ec"), "-nodes", "-keyout", self.key,
                    "-out", self.cert, "-days", "3650", "-subj", f"/CN={name}",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def issue(self, name, sans=(), key_type="ec", days=365, client=False, file_name=None):
        """A leaf with CN=`name` and subjectAltName `sans` ("DNS:x", "IP:1.2.3.4"; plain names are
        DNS names); `client`: extendedKeyUsage clientAuth instead of serverAuth. Valid from now for `days`
        days."""
        base = os.path.join(self.dir, file_name or re.sub(r"[^A-Za-z0-9.]+", "_", name) + "-"
                            + key_type + "-" + secrets.token_hex(3))
        key, csr, cert, ext = base + ".key", base + ".csr", base + ".pem", base + ".ext"
        run_openssl("req", "-new", *_key_args(key_type), "-nodes", "-keyout", key, "-out", csr,
                    "-subj", f"/CN={name}/O=Flotilla Tests")
        alt = [s if ":" in s else f"DNS:{s}" for s in sans]
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\n")
            f.write("keyUsage=critical,digitalSignature" +
                    (",keyEncipherment" if key_type == "rsa" else "") + "\n")
            f.write(f"extendedKeyUsage={'clientAuth' if client else 'serverAuth'}\n")
            if alt:
                f.write("subjectAltName=" + ",".join(alt) + "\n")
        serial = secrets.token_hex(8).upper().lstrip("0") or "1"
        run_openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                    "-set_serial", "0x" + serial, "-days", str(days), "-extfile", ext,
                    "-out", cert)
        return Leaf(cert, key, serial, key_type, list(sans))

    def client_context(self, cert=None, key=None):
        """A python ssl client context that trusts this CA (and presents `cert` if given)."""
        context = ssl.create_default_context(cafile=self.cert)
        if cert:
            context.load_cert_chain(cert, key)
        return context


def mismatched(directory, leaf, other):
    """Writes a certificate/key pair that do not belong together: `leaf`'s cert, `other`'s key.
    Returns (cert path, key path)."""
    cert = os.path.join(directory, "mismatched-" + secrets.token_hex(3) + ".pem")
    key = os.path.join(directory, "mismatched-" + secrets.token_hex(3) + ".key")
    with open(leaf.cert) as src, open(cert, "w") as dst:
        dst.write(src.read())
    with open(other.key) as src, open(key, "w") as dst:
        dst.write(src.read())
    return cert, key


def replace_file(path, source):
    """Replaces `path` with the contents of `source` atomically (rename over it), as a
    certificate manager does."""
    tmp = path + ".new"
    with open(source, "rb") as src, open(tmp, "wb") as dst:
        dst.write(src.read())
    os.replace(tmp, path)


def cert_facts(pem):
    """{"serial": HEX, "key_type": "rsa"|"ec", "subject": ..., "bits": N} of a PEM cert."""
    text = run_openssl("x509", "-noout", "-serial", "-subject", "-text", input=pem.encode())
    serial = re.search(r"^serial=([0-9A-F]+)", text, re.M).group(1).lstrip("0")
    subject = re.search(r"^subject=(.*)$", text, re.M).group(1).strip()
    if "id-ecPublicKey" in text:
        key_type = "ec"
    elif "rsaEncryption" in text:
        key_type = "rsa"
    else:
        key_type = "other"
    bits = re.search(r"Public-Key: \((\d+) bit\)", text)
    return {"serial": serial, "key_type": key_type, "subject": subject,
            "bits": int(bits.group(1)) if bits else 0}


def der_facts(der):
    """cert_facts() of a DER certificate (python ssl's getpeercert(binary_form=True))."""
    return cert_facts(ssl.DER_cert_to_PEM_cert(der))


class SClient:
    """The parsed output of one `openssl s_client` run."""

    def __init__(self, returncode, output):
        self.returncode = returncode
        self.output = output
        m = re.search(r"^-----BEGIN CERTIFICATE-----$.*?^-----END CERTIFICATE-----$", output,
                      re.M | re.S)
        self.cert_pem = m.group(0) + "\n" if m else None
        self._facts = None
        m = re.search(r"^\s*Protocol\s*:\s*(\S+)", output, re.M)
        self.protocol = m.group(1) if m else None
        m = re.search(r"^\s*Cipher\s*:\s*(\S+)", output, re.M)
        self.cipher = m.group(1) if m else None
        m = re.search(r"^(New|Reused), (\S+), Cipher is (\S+)", output, re.M)
        self.reused = bool(m) and m.group(1) == "Reused"
        if m and m.group(3) != "(NONE)":
            self.protocol = self.protocol or m.group(2)
            self.cipher = self.cipher or m.group(3)
        # OpenSSL's error lines ("...:error:0A000410:SSL routines:FUNC:REASON:FILE:LINE..."):
        # s_client prints the negotiated cipher even when the server's alert ends the
        # handshake after its ServerHello (a refused client certificate in TLS 1.2).
        self.errors = re.findall(r"^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]*):", output, re.M)
        self.unexpected_eof = "unexpected eof while reading" in self.errors
        self.handshake_ok = m is not None and m.group(3) != "(NONE)" and not [
            e for e in self.errors if e != "unexpected eof while reading"]
        m = re.search(r"^\s*Verify return code: (\d+)", output, re.M)
        self.verify_code = int(m.group(1)) if m else None
        self.http_status = None
        m = re.search(r"^HTTP/1\.[01] (\d{3})", output, re.M)
        if m:
            self.http_status = int(m.group(1))

    @property
    def facts(self):
        if self._facts is None and self.cert_pem:
            self._facts = cert_facts(self.cert_pem)
        return self._facts or {}

    @property
    def serial(self):
        return self.facts.get("serial")

    @property
    def key_type(self):
        return self.facts.get("key_type")


def s_client(port, *args, servername=None, request=None, timeout=15.0):
    """Runs `openssl s_client -connect 127.0.0.1:PORT ARGS`, sending `request` (bytes; default a
    GET / with Connection: close) and reading until the server closes. `servername`: the SNI
    name (None: no SNI at all)."""
    argv = [OPENSSL, "s_client", "-connect", f"127.0.0.1:{port}", "-ign_eof"]
    argv += ["-servername", servername] if servername else ["-noservername"]
    argv += list(args)
    if request is None:
        request = (b"GET / HTTP/1.1\r\nHost: " + (servername or "localhost").encode()
                   + b"\r\nConnection: close\r\n\r\n")
    try:
        done = subprocess.run(argv, input=request, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{' '.join(argv)} did not finish in {timeout}s:\n"
                             + (e.stdout or b"").decode(errors="replace")) from None
    return SClient(done.returncode, done.stdout.decode(errors="replace")
                   + done.stderr.decode(errors="replace"))


def tls_connect(port, context, server_hostname="localhost", timeout=10.0, ragged_eof_ok=True):
    """A python ssl socket connected to 127.0.0.1:PORT (handshake done). `ragged_eof_ok=False`:
    a close without close_notify raises ssl.SSLEOFError instead of reading as EOF."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        return context.wrap_socket(raw, server_hostname=server_hostname,
                                   suppress_ragged_eofs=ragged_eof_ok)
    except BaseException:
        raw.close()
        raise


class HTTPSConnection(http.client.HTTPConnection):
    """http.client over TLS to 127.0.0.1:PORT with the SNI/verified name `server_hostname`
    (http.client's own HTTPSConnection would send the IP literal as the name)."""

    def __init__(self, port, context, server_hostname="localhost", timeout=10.0):
        super().__init__("127.0.0.1", port, timeout=timeout)
        self.context = context
        self.server_hostname = server_hostname

    def connect(self):
        self.sock = tls_connect(self.port, self.context, self.server_hostname, self.timeout)


def https_request(port, context, method="GET", path="/", headers=None, body=None,
                  server_hostname="localhost", timeout=10.0):
    """One request on a new TLS connection: (status, headers dict lowercased, body bytes)."""
    conn = HTTPSConnection(port, context, server_hostname, timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def curl(*args, timeout=20.0):
    """Runs `curl -sS ARGS`: (exit status, stdout, stderr). `-v` output lands in stderr."""
    done = subprocess.run(["curl", "-sS", "--max-time", str(int(timeout) - 5), *args],
                          capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return (done.returncode, done.stdout.decode(errors="replace"),
            done.stderr.decode(errors="replace"))


def curl_tls(port, path, ca, *args, name="localhost", timeout=20.0):
    """curl https://NAME:PORT/PATH resolved to 127.0.0.1, verified against `ca`, verbose:
    (exit status, body, protocol, cipher, stderr)."""
    code, out, err = curl("-v", "--cacert", ca, "--resolve", f"{name}:{port}:127.0.0.1",
                          *args, f"https://{name}:{port}{path}", timeout=timeout)
    m = re.search(r"SSL connection using (\S+) / (\S+)", err)
    return code, out, (m.group(1) if m else None), (m.group(2) if m else None), err


def listener(certs, **extra):
    """A TLS listener on 127.0.0.1:0 serving `certs` (Leaf objects, the first the default)."""
    tls = {"certificates": [{"cert": c.cert, "key": c.key} for c in certs]}
    tls.update(extra.pop("tls", {}))
    entry = {"address": "127.0.0.1:0", "tls": tls}
    entry.update(extra)
    return entry


def subject_rfc2253(cert_path):
    """The certificate's subject as one RFC 2253 line ("O=Org,CN=name")."""
    out = run_openssl("x509", "-in", cert_path, "-noout", "-subject", "-nameopt", "RFC2253")
    return out.strip().partition("subject=")[2]


def demo_behind_tls(test_class, listeners_tls=({},), sans=("localhost",), route=None):
    """The common TLS fixture, set on `test_class` inside its Cleanup: a test CA (`ca`), an ECDSA
    leaf for localhost (`leaf`, with `sans`), a client context trusting the CA (`context`), the
    demo app (`demo`), and flotilla (`gw`) routing / to the demo (plus `route` keys) through one
    TLS listener per entry of `listeners_tls` (extra `tls:` keys each); `ports` lists their ports
    in that order and `port` is the first."""
    from harness import Demo, Flotilla, gateway_config  # the lib folder is on sys.path already
    cls = test_class
    cls.ca = TestCA()
    cls.leaf = cls.ca.issue("localhost", list(sans), "ec")
    cls.context = cls.ca.client_context()
    cls.demo = cls.cleanup.add(Demo())
    config = json.loads(gateway_config({"app": {"servers": [cls.demo.address]}},
                                       [{"match": {"path": "/"}, "upstream": "app", **(route or {})}]))
    config["listen"] = [listener([cls.leaf], tls=dict(extra)) for extra in listeners_tls]
    cls.gw = cls.cleanup.add(Flotilla(json.dumps(config)))
    listeners = cls.gw.listeners()
    assert [scheme for scheme, _ in listeners] == ["https"] * len(listeners_tls), listeners
    cls.ports = [port for _, port in listeners]
    cls.port = cls.ports[0]
