"""Many domains against Debian's pebble: one order and one certificate per domain, at most
`acme.max_parallel_orders` running at once, each served by SNI (openssl s_client -servername);
a certificate stored before domains had one each (one certificate for all, under the first
domain) keeps serving every domain it covers without a new order, until a domain renews on its
own; and a reload (`flotilla reload`) orders an added domain and stops renewing a removed one.
pebble runs with PEBBLE_VA_ALWAYS_VALID=1, so names need not resolve. Timings go to stdout.

pebble's validation ports are fixed in its config, so flotilla's listeners use fixed ports:
RESOURCE_LOCK "port23080" (23080 plain, 23443 TLS, 23400/23401 pebble).
"""
import json
import os
import re
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import tls_certs  # noqa: E402
from harness import Cleanup, Demo, Flotilla, metric, require_tools, with_test_admin  # noqa: E402
from pebble_test import DIRECTORY, HTTP_PORT, TLS_PORT, Pebble  # noqa: E402

BOUND_S = 60.0
TIMINGS = {}
ORDERING_RE = re.compile(r"acme: ordering a certificate for (\S+) from .*; (\d+) of at most "
                         r"(\d+) orders running\)")
ISSUED_RE = re.compile(r"acme: certificate for (\S+) issued in (\d+) ms")


def config(state_dir, ca_file, demo_port, domains, max_parallel=None):
    limit = f"\n  max_parallel_orders: {max_parallel}" if max_parallel else ""
    return f"""
workers: 2
state_dir: {state_dir}
acme:
  email: ops@example.com
  directory: {DIRECTORY}
  ca_root: {ca_file}{limit}
listen:
  - address: "127.0.0.1:{HTTP_PORT}"
  - address: "127.0.0.1:{TLS_PORT}"
    tls:
      acme:
        domains: [{", ".join(domains)}]
upstreams:
  app:
    servers: ["127.0.0.1:{demo_port}"]
routes:
  - match: {{ path: / }}
    upstream: app
"""


def issued(flotilla):
    """[(domain, ms)] of every issuance logged so far."""
    out = []
    for line in list(flotilla.process.lines):
        m = ISSUED_RE.search(line)
        if m:
            out.append((m.group(1), int(m.group(2))))
    return out


def served_names(servername, root):
    """The DNS names of the certificate the TLS listener serves for SNI `servername`, and
    whether it verifies against `root` with that name."""
    result = tls_certs.s_client(TLS_PORT, "-CAfile", root, "-verify_hostname", servername,
                                servername=servername)
    if not result.cert_pem:
        raise AssertionError(result.output[-2000:])
    text = tls_certs.run_openssl("x509", "-noout", "-ext", "subjectAltName",
                                 input=result.cert_pem.encode())
    return sorted(re.findall(r"DNS:([^,\s]+)", text)), result.verify_code == 0, result.serial


class AcmeDomains(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_tools("pebble", "openssl")
        cls.scratch = tempfile.mkdtemp(prefix="flotilla-acme-domains-")
        cls.ca = tls_certs.TestCA(os.path.join(cls.scratch, "ca"))
        cls.pebble = Pebble(cls.scratch, cls.ca, env={"PEBBLE_VA_ALWAYS_VALID": "1"})
        cls.root = os.path.join(cls.scratch, "pebble-root.pem")
        with open(cls.root, "w") as f:
            f.write(cls.pebble.root_pem())

    @classmethod
    def tearDownClass(cls):
        cls.pebble.stop()
        print("timings:", json.dumps(TIMINGS, indent=1))

    def setUp(self):
        self.cleanup = Cleanup().__enter__()
        self.addCleanup(self.cleanup.__exit__, None, None, None)
        self.demo = self.cleanup.add(Demo())

    def start(self, state_dir, domains, max_parallel=None):
        return self.cleanup.add(Flotilla(config(state_dir, self.ca.cert, self.demo.port, domains,
                                                max_parallel)))

    def wait_issued(self, flotilla, domains, timeout=BOUND_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = {d for d, _ in issued(flotilla)}
            if set(domains) <= done:
                return
            failed = [l for l in flotilla.process.lines if re.search(r"acme: order for .* failed", l)]
            if failed:
                self.fail("order failed:\n" + "\n".join(flotilla.process.lines[-30:]))
            time.sleep(0.1)
        self.fail(f"not all of {domains} issued within {timeout} s:\n"
                  + "\n".join(flotilla.process.lines[-30:]))

    def wait_served(self, domain, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            names, verified, serial = served_names(domain, self.root)
            if (names == [domain] and verified) or time.monotonic() > deadline:
                return names, verified, serial
            time.sleep(0.2)

    def test_one_order_per_domain_at_most_the_limit_at_once(self):
        domains = [f"{c}.flotilla.test" for c in "abcdef"]
        state_dir = os.path.join(self.scratch, "state-many")
        started = time.monotonic()
        flotilla = self.start(state_dir, domains, max_parallel=2)
        self.wait_issued(flotilla, domains)
        TIMINGS["six_domains_start_to_all_issued_s"] = round(time.monotonic() - started, 2)
        TIMINGS["six_domains_order_ms"] = [ms for _, ms in issued(flotilla)]
        lines = list(flotilla.process.lines)
        orders = [ORDERING_RE.search(l) for l in lines if ORDERING_RE.search(l)]
        self.assertEqual(sorted(m.group(1) for m in orders), sorted(domains))  # one order each
        running = [int(m.group(2)) for m in orders]
        self.assertTrue(all(m.group(3) == "2" for m in orders))
        self.assertLessEqual(max(running), 2, running)
        self.assertEqual(max(running), 2, running)  # they did run side by side
        self.assertTrue([l for l in lines if "waits: 2 of at most 2 orders running" in l],
                        "\n".join(lines[-40:]))
        # Orders alternate start/end in the log: never more than 2 between them.
        open_orders, most = set(), 0
        for line in lines:
            m = ORDERING_RE.search(line)
            if m:
                open_orders.add(m.group(1))
                most = max(most, len(open_orders))
            m = ISSUED_RE.search(line)
            if m:
                open_orders.discard(m.group(1))
        self.assertEqual(most, 2)
        samples = flotilla.metrics()
        self.assertEqual(metric(samples, "flotilla_acme_orders_total", result="valid"), 6)
        self.assertEqual(metric(samples, "flotilla_acme_orders_running"), 0)
        for domain in domains:
            path = os.path.join(state_dir, "acme", "certificates", domain, "fullchain.pem")
            self.assertTrue(os.path.exists(path), path)
            names, verified, _ = self.wait_served(domain)
            self.assertEqual(names, [domain])
            self.assertTrue(verified, domain)
            expiry = sum(v for (n, labels), v in samples.items()
                         if n == "flotilla_certificate_expiry_timestamp_seconds"
                         and {("name", domain), ("source", "acme")} <= set(labels))
            self.assertGreater(expiry, time.time() + 86400)
        code, out, err = flotilla.cli("certs")
        self.assertEqual(code, 0, err)
        for domain in domains:
            self.assertIn(domain, out)

    def test_an_older_certificate_for_all_domains_is_kept_until_a_domain_renews(self):
        domains = ["a.legacy.test", "b.legacy.test", "c.legacy.test"]
        state_dir = os.path.join(self.scratch, "state-legacy")
        first = os.path.join(state_dir, "acme", "certificates", domains[0])
        os.makedirs(first, mode=0o700)
        os.chmod(os.path.join(state_dir, "acme", "certificates"), 0o700)
        os.chmod(os.path.join(state_dir, "acme"), 0o700)
        # What the one-order-per-listener layout left: one certificate for all three.
        leaf = self.ca.issue(domains[0], sans=[f"DNS:{d}" for d in domains], days=90)
        for source, name in ((leaf.cert, "fullchain.pem"), (leaf.key, "key.pem")):
            with open(source) as src, open(os.path.join(first, name), "w") as dst:
                dst.write(src.read())
            os.chmod(os.path.join(first, name), 0o600)
        flotilla = self.start(state_dir, domains)
        flotilla.process.wait_for_line(r"acme: b\.legacy\.test keeps the certificate stored in", 5)
        flotilla.process.wait_for_line(r"acme: certificate for c\.legacy\.test valid until", 10)
        time.sleep(1.0)
        self.assertFalse([l for l in flotilla.process.lines if "acme: ordering" in l],
                         "\n".join(flotilla.process.lines))
        for domain in domains:
            names, verified, serial = served_names(domain, self.ca.cert)
            self.assertEqual(names, sorted(domains), domain)
            self.assertTrue(verified, domain)
            self.assertEqual(serial, leaf.serial)
        # b renews on its own: b's own certificate wins SNI, a and c keep the old one.
        code, out, err = flotilla.cli("certs", "renew", domains[1])
        self.assertEqual(code, 0, err + out)
        self.wait_issued(flotilla, [domains[1]])
        names, verified, _ = self.wait_served(domains[1])
        self.assertEqual(names, [domains[1]])
        self.assertTrue(verified)
        for domain in (domains[0], domains[2]):
            names, _, _ = served_names(domain, self.ca.cert)
            self.assertEqual(names, sorted(domains), domain)

    def test_reload_orders_added_domains_and_stops_renewing_removed_ones(self):
        state_dir = os.path.join(self.scratch, "state-reload")
        flotilla = self.start(state_dir, ["a.reload.test", "b.reload.test"])
        self.wait_issued(flotilla, ["a.reload.test", "b.reload.test"])
        before = len(issued(flotilla))
        with open(flotilla.config, "w") as f:
            f.write(with_test_admin(config(state_dir, self.ca.cert, self.demo.port,
                                           ["a.reload.test", "c.reload.test"], max_parallel=3)))
        started = time.monotonic()
        code, out, err = flotilla.cli("reload")
        self.assertEqual(code, 0, err + out)
        flotilla.process.wait_for_line(r"acme: c\.reload\.test added", 10)
        flotilla.process.wait_for_line(r"acme: b\.reload\.test removed", 10)
        flotilla.process.wait_for_line(r"acme: at most 3 orders at once", 10)
        self.wait_issued(flotilla, ["c.reload.test"])
        TIMINGS["reload_to_added_domain_issued_s"] = round(time.monotonic() - started, 2)
        names, verified, _ = self.wait_served("c.reload.test")
        self.assertEqual(names, ["c.reload.test"])
        self.assertTrue(verified)
        # Only c was ordered; b is gone from the list, and SNI b now gets the default (a's).
        self.assertEqual([d for d, _ in issued(flotilla)[before:]], ["c.reload.test"])
        code, out, err = flotilla.cli("certs", "--json")
        self.assertEqual(code, 0, err)
        listed = [d for one in json.loads(out) for d in one["domains"]]
        self.assertIn("c.reload.test", listed)
        self.assertNotIn("b.reload.test", listed)
        names, _, _ = served_names("b.reload.test", self.root)
        self.assertEqual(names, ["a.reload.test"])
        code, out, err = flotilla.cli("certs", "renew", "b.reload.test")
        self.assertNotEqual(code, 0, out)


if __name__ == "__main__":
    unittest.main()
