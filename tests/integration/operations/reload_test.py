"""50 reloads in a row (`flotilla reload` and SIGHUP, alternately) under a steady mixed load, in
one `flotilla up`. Valid files change a route (a new path routed to a dead upstream, the
previous one removed) and an upstream setting (web's balance); every 5th file is invalid (a
syntax error, an unknown upstream, an unknown key): `flotilla reload` exits 1 with the
diagnostics, SIGHUP logs them, and nothing changes. 0 failed requests; the service's instances
are never touched by a reload that does not change the service. A reload says what it did:
"no changes" for the same file, the sections that apply only at the next start, and an invalid
file's errors reach flotilla's log over the API as over SIGHUP."""
import http.client
import json
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import operations  # noqa: E402
import supervision  # noqa: E402

RELOADS = 50
BALANCES = ["round_robin", "least_conn"]


def status_of(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


class ReloadTest(unittest.TestCase):
    def test_fifty_reloads_under_load(self):
        first = supervision.free_port_range(11)
        dead = first + 10  # nothing listens there: the dead upstream's only server
        base = operations.spec(first)
        base["upstreams"]["dead"] = {"servers": [{"address": f"127.0.0.1:{dead}"}]}
        ops = operations.Ops(base)
        load = None
        try:
            web = ops.wait_settled(3)
            pids = {i["key"]: i["pid"] for i in web["instances"]}
            revision = web["revision"]

            def valid(i):
                doc = json.loads(json.dumps(base))
                doc["upstreams"]["web"]["balance"] = BALANCES[i % 2]
                doc["routes"].insert(0, {"match": {"path": f"/reload-{i}"}, "upstream": "dead"})
                return json.dumps(doc, indent=2)

            def invalid(i, use_signal):
                doc = json.loads(json.dumps(base))
                if (i // 5) % 2 == 0:
                    # A file that does not parse hides its admin.socket from the CLI too, so
                    # only SIGHUP can report it.
                    if use_signal:
                        return json.dumps(doc)[:-7] + "\n  ]: {"  # cut short: a syntax error
                    doc["upstreams"]["web"]["balanse"] = "least_conn"
                else:
                    doc["routes"].insert(0, {"match": {"path": "/x"}, "upstream": "nosuch"})
                return json.dumps(doc, indent=2)

            def errors_logged():
                return len(ops.up.lines_matching(r"\[error\] reload: "))

            load = operations.MixedLoad(ops.port, max_seconds=90, slow_threads=2)
            load.wait_count(100)
            started = time.monotonic()
            active = None  # the index of the valid file in force
            counts = {"cli ok": 0, "cli invalid": 0, "hup ok": 0, "hup invalid": 0}
            for i in range(RELOADS):
                bad = i % 5 == 3
                use_signal = i % 2 == 1
                ops.write_config(invalid(i, use_signal) if bad else valid(i))
                if use_signal:
                    logged = errors_logged()
                    ops.up.process.send_signal(signal.SIGHUP)
                    if bad:
                        supervision.wait_until(lambda: errors_logged() > logged, 10,
                                               what=f"reload {i}: SIGHUP errors logged")
                    else:
                        supervision.wait_until(
                            lambda: status_of(ops.port, f"/reload-{i}") in (502, 503), 10,
                            what=f"reload {i}: SIGHUP applied")
                    counts["hup invalid" if bad else "hup ok"] += 1
                else:
                    as_json = i % 4 == 0
                    code, out, err = ops.cli("reload", *(["--json"] if as_json else []))
                    if as_json:
                        answer = json.loads(out)  # --json parses, failure or not
                        self.assertIsInstance(answer, dict, out)
                    if bad:
                        self.assertEqual(code, 1, f"reload {i}: {out}{err}")
                        self.assertIn("flotilla.yaml", out + err, f"reload {i}: no diagnostic")
                        self.assertRegex(out + err, "nosuch|balanse", f"reload {i}")
                        if as_json:
                            self.assertTrue(answer.get("diagnostics"), answer)
                        counts["cli invalid"] += 1
                    else:
                        self.assertEqual(code, 0, f"reload {i}: {out}{err}")
                        if not as_json:
                            self.assertIn("reloaded", out, f"reload {i}")
                        # Applied when the command returns: new requests see the new routes.
                        self.assertIn(status_of(ops.port, f"/reload-{i}"), (502, 503), i)
                        counts["cli ok"] += 1
                if not bad:
                    active = i
                # The routes and upstreams in force are the last valid file's.
                if active is not None:
                    self.assertIn(status_of(ops.port, f"/reload-{active}"), (502, 503), i)
                    balance = next(u["balance"] for u in ops.api("/api/v1/status")["upstreams"]
                                   if u["name"] == "web")
                    self.assertEqual(balance, BALANCES[active % 2], f"after reload {i}")
                if active is not None and active > 0:
                    # The previous valid file's route is gone: that path reaches the demo app.
                    self.assertEqual(status_of(ops.port, f"/reload-{active - 1}"), 404, i)
            took = time.monotonic() - started
            load.wait_count(load.ok() + 100)
            load.stop()
            print(f"{RELOADS} reloads in {took:.1f}s {counts}; load: {load.summary()}")
            self.assertEqual(load.failed, 0, f"failed requests: {load.failures}\n{ops.log()}")
            self.assertEqual(sum(counts.values()), RELOADS)
            # The service was never rolled: same revision, same processes.
            web = ops.web()
            self.assertEqual(web["revision"], revision)
            self.assertEqual({i["key"]: i["pid"] for i in web["instances"]}, pids)
            self.assertEqual(set(load.revisions()), {str(revision)})
            self.assertEqual(ops.cli_json("history", "web")["current"], revision)

            # A `flotilla scale` survives a reload that does not touch the service in the file;
            # a reload that does change it applies the file.
            self.assertEqual(ops.cli("scale", "web=4")[0], 0)
            web = ops.wait_settled(4)
            scaled_pids = {i["key"]: i["pid"] for i in web["instances"]}
            ops.write_config(valid(RELOADS))
            self.assertEqual(ops.cli("reload")[0], 0)
            web = ops.web()
            self.assertEqual(web["replicas"], 4, "a route-only reload undid the scale")
            self.assertEqual({i["key"]: i["pid"] for i in web["instances"]}, scaled_pids)
            changed = json.loads(valid(RELOADS + 1))
            changed["services"]["web"]["replicas"] = 2
            ops.write_config(json.dumps(changed, indent=2))
            self.assertEqual(ops.cli("reload")[0], 0)
            ops.wait_settled(2)
        finally:
            if load is not None:
                load.stop()
            ops.stop()

    def test_reload_reports_what_it_did(self):
        base = operations.spec(supervision.free_port_range(10), replicas=1)
        ops = operations.Ops(base)
        try:
            ops.wait_settled(1)
            # The file as it is: nothing to publish, and it says so.
            code, out, err = ops.cli("reload")
            self.assertEqual((code, out), (0, "reloaded: no changes\n"), err)
            supervision.wait_until(lambda: ops.up.lines_matching(r"reload: no change"), 10,
                                   what="'reload: no change' logged")
            # An invalid file over the API: the errors go to the caller and to the log, as for
            # SIGHUP.
            doc = json.loads(json.dumps(base))
            doc["upstreams"]["web"]["balanse"] = "least_conn"
            ops.write_config(json.dumps(doc, indent=2))
            code, out, err = ops.cli("reload")
            self.assertEqual(code, 1, out + err)
            self.assertIn("balanse", err)
            supervision.wait_until(
                lambda: ops.up.lines_matching(r"\[error\] reload: .*balanse"), 10,
                what="the API reload's errors logged")
            # Sections read only at start: reported, not silently ignored.
            doc = json.loads(json.dumps(base))
            doc["workers"] = 3
            doc["admin"]["token_env"] = "FLOTILLA_RELOAD_TEST_TOKEN"
            ops.write_config(json.dumps(doc, indent=2))
            code, out, err = ops.cli("reload")
            self.assertEqual(code, 0, out + err)
            self.assertIn("workers: changes take effect at the next start of flotilla", out)
            self.assertIn("admin: changes take effect at the next start of flotilla", out)
            self.assertNotIn("routes and upstreams published", out)
            # A route change is published and named.
            doc["routes"].insert(0, {"match": {"path": "/new"}, "upstream": "web"})
            ops.write_config(json.dumps(doc, indent=2))
            code, out, err = ops.cli("reload")
            self.assertEqual(code, 0, out + err)
            self.assertIn("routes and upstreams published: 2 routes, 1 upstreams", out)
            self.assertNotIn("workers:", out)
        finally:
            ops.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
