"""The admin API's guard and the persistence of revisions: over TCP, a change without the
bearer token (none, a wrong one; even with a malformed body) gets 401 and changes nothing while
reads stay open, and the right token from admin.token_file works; `flotilla history --json`
is the same after flotilla is stopped and started again on the same state_dir; the `--json`
output of status, scale, rollout, rollback and history parses. The read resources (services,
one service, instances, upstreams) are slices of the status document. A second `flotilla up`
on the same state_dir refuses to start and leaves the running one's history alone."""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import operations  # noqa: E402
import supervision  # noqa: E402

TOKEN = "s3cret-ops-test-token"


def admin_request(port, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = data
        return resp.status, doc
    finally:
        conn.close()


class AdminTest(unittest.TestCase):
    def test_tcp_changes_need_the_token_and_history_survives_a_restart(self):
        directory = tempfile.mkdtemp(prefix="flotilla-ops-")
        config = operations.spec(supervision.free_port_range(10),
                                 admin={"token_file": "admin.token"})
        ops = operations.Ops(config, directory=directory, files={"admin.token": TOKEN + "\n"})
        try:
            web = ops.wait_settled(3)
            pids = {i["key"]: i["pid"] for i in web["instances"]}
            scale = "/api/v1/services/web/scale"
            refused = [
                ("no token", admin_request(ops.admin_port, "POST", scale, '{"replicas": 5}')),
                ("wrong token", admin_request(ops.admin_port, "POST", scale, '{"replicas": 5}',
                                              token="wrong")),
                ("malformed body", admin_request(ops.admin_port, "POST", scale, "{nope")),
                ("rollout", admin_request(ops.admin_port, "POST",
                                          "/api/v1/services/web/rollout", '{"env": {"A": "1"}}')),
                ("reload", admin_request(ops.admin_port, "POST", "/api/v1/reload")),
                ("drain", admin_request(ops.admin_port, "POST", "/api/v1/instances/web/0/drain")),
                ("unknown path", admin_request(ops.admin_port, "DELETE", "/api/v1/nothing")),
            ]
            for what, (status, body) in refused:
                self.assertEqual(status, 401, f"{what}: {status} {body}")
                self.assertIn("error", body, what)
            web = ops.wait_settled(3)
            self.assertEqual({i["key"]: i["pid"] for i in web["instances"]}, pids)
            self.assertEqual(web["replicas"], 3)
            # Reads are open over TCP.
            status, doc = admin_request(ops.admin_port, "GET", "/api/v1/status")
            self.assertEqual(status, 200)
            self.assertEqual(doc["services"][0]["replicas"], 3)
            # The right token: the change is made.
            status, doc = admin_request(ops.admin_port, "POST", scale, '{"replicas": 4}',
                                        token=TOKEN)
            self.assertEqual(status, 200, doc)
            self.assertEqual(doc["replicas"], 4)
            ops.wait_settled(4)
            # Authenticated but malformed: 400 with a JSON error.
            status, doc = admin_request(ops.admin_port, "POST", scale, "{nope", token=TOKEN)
            self.assertEqual(status, 400, doc)
            self.assertIn("error", doc)
            # The CLI over TCP with --token-file.
            admin_url = f"http://127.0.0.1:{ops.admin_port}"
            code, out, err = ops.cli("scale", "web=3", "--admin", admin_url, "--token-file",
                                     os.path.join(directory, "admin.token"), "--json")
            self.assertEqual(code, 0, out + err)
            self.assertEqual(json.loads(out)["replicas"], 3)
            code, out, err = ops.cli("scale", "web=5", "--admin", admin_url)
            self.assertEqual(code, 1, out + err)
            self.assertIn("authentication required", out + err)
            ops.wait_settled(3)

            # Revisions: a rollout, a failed one, a rollback; --json everywhere.
            rollout = ops.cli_json("rollout", "web", "--env", "STEP=two")
            self.assertIsInstance(rollout, dict)
            ops.wait_settled(3)
            code, out, err = ops.cli("rollout", "web", "--command", "sleep 30", "--json")
            self.assertEqual(code, 1, out + err)
            json.loads(out)
            ops.wait_settled(3)
            rollback = ops.cli_json("rollback", "web", "--to", "1")
            self.assertIsInstance(rollback, dict)
            web = ops.wait_settled(3)
            before = ops.cli_json("history", "web")
            self.assertEqual([r["revision"] for r in before["revisions"]][:3], [4, 3, 2],
                             before)
            self.assertEqual(before["current"], web["revision"])
            self.assertEqual(before["current"], 4)
            self.assertEqual(ops.status()["services"][0]["revision"], 4)
            instance_env = {i["pid"]: supervision.proc_environ_has(i["pid"], "STEP=two")
                            for i in web["instances"]}
            self.assertFalse(any(instance_env.values()), "the rollback to 1 kept STEP=two")
        finally:
            ops.stop()
        self.assertEqual(ops.up.process.proc.returncode, 0, ops.log())

        again = operations.Ops(directory=directory)
        try:
            after = again.cli_json("history", "web")
            print(f"history before the restart: {[r['revision'] for r in before['revisions']]} "
                  f"current {before['current']}; after: "
                  f"{[r['revision'] for r in after['revisions']]} current {after['current']}")
            old = {r["revision"]: r for r in before["revisions"]}
            new = {r["revision"]: r for r in after["revisions"]}
            for number, revision in old.items():
                self.assertIn(number, new, after)
                for field in ("created", "cause", "command", "env", "replicas", "outcome"):
                    self.assertEqual(new[number][field], revision[field], (number, field))
            web = again.wait_settled(3)
            self.assertEqual(after["current"], web["revision"])
            # A rollback after the restart can reach a revision made before it.
            again.cli_json("rollback", "web", "--to", "2")
            web = again.wait_settled(3)
            for instance in web["instances"]:
                self.assertTrue(supervision.proc_environ_has(instance["pid"], "STEP=two"),
                                instance)
        finally:
            again.stop()

    def test_read_resources_are_slices_of_status(self):
        ops = operations.Ops(operations.spec(supervision.free_port_range(10), replicas=2))
        try:
            ops.wait_settled(2)
            status = ops.api("/api/v1/status")
            services = ops.api("/api/v1/services")["services"]
            self.assertEqual([s["name"] for s in services], ["web"])
            web = ops.api("/api/v1/services/web")
            for doc in (services[0], web):
                self.assertEqual(doc["revision"], status["services"][0]["revision"])
                self.assertEqual(doc["replicas"], 2)
                self.assertEqual(sorted(doc), sorted(status["services"][0]))
                self.assertEqual({i["pid"] for i in doc["instances"]},
                                 {i["pid"] for i in status["services"][0]["instances"]})
            code, body = supervision.get_json(ops.admin_port, "/api/v1/services/nope")
            self.assertEqual(code, 404)
            self.assertEqual(body["error"], "service 'nope' not found")
            instances = ops.api("/api/v1/instances")["instances"]
            self.assertEqual(sorted(i["key"] for i in instances), ["web/0", "web/1"])
            self.assertEqual({i["service"] for i in instances}, {"web"})
            upstreams = ops.api("/api/v1/upstreams")["upstreams"]
            self.assertEqual([u["name"] for u in upstreams], ["web"])
            self.assertEqual(sorted(e["key"] for e in upstreams[0]["endpoints"]),
                             ["web/0", "web/1"])
            self.assertEqual(sorted(upstreams[0]), sorted(status["upstreams"][0]))
        finally:
            ops.stop()

    def test_second_up_on_the_same_state_dir_changes_nothing(self):
        ops = operations.Ops(operations.spec(supervision.free_port_range(10), replicas=1))
        try:
            # After a rollout the file no longer says what runs: a second flotilla reading it
            # would record a "config changed" revision in the running one's history.
            ops.cli("rollout", "web", "--env", "SECOND_UP=1", check=0)
            ops.wait_settled(1)
            history_file = os.path.join(ops.dir, "state", "revisions", "web.json")
            with open(history_file, "rb") as f:
                before = f.read()
            second = subprocess.run([operations.harness.FLOTILLA, "up", "-c", ops.config_path],
                                    capture_output=True, text=True, timeout=30,
                                    stdin=subprocess.DEVNULL, cwd=ops.dir)
            self.assertEqual(second.returncode, 1, second.stdout + second.stderr)
            self.assertIn("another flotilla is running with state dir "
                          + os.path.join(ops.dir, "state"), second.stderr)
            with open(history_file, "rb") as f:
                self.assertEqual(f.read(), before)
            # The running one is untouched and still answers on its socket.
            self.assertEqual(ops.web()["revision"], 2)
            ops.wait_settled(1)
        finally:
            ops.stop()
        self.assertEqual(ops.up.process.proc.returncode, 0, ops.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
