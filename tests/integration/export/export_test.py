"""`flotilla export prometheus-rules|grafana`: files promtool and Grafana accept.

The rule file must pass `promtool check rules` (Debian package prometheus) for the built-in
defaults, for the mangakai example and for a config with user rules and tuned windows; the
dashboard must be JSON with the seed's panels. Exporters not built yet exit 69.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

FLOTILLA = os.environ["FLOTILLA"]
SOURCE_DIR = os.environ["SOURCE_DIR"]
PROMTOOL = shutil.which("promtool")

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def run(*args, cwd=None):
    return subprocess.run([FLOTILLA, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def promtool_ok(path, label):
    if PROMTOOL is None:
        print("promtool missing (scripts/install-deps.sh installs prometheus): skipped", label)
        return
    result = subprocess.run([PROMTOOL, "check", "rules", path], capture_output=True, text=True,
                            timeout=60)
    check(result.returncode == 0, f"{label}: promtool check rules failed: {result.stdout}{result.stderr}")


with tempfile.TemporaryDirectory() as scratch:
    # Built-in defaults, from a directory without flotilla.yaml, to stdout.
    result = run("export", "prometheus-rules", cwd=scratch)
    check(result.returncode == 0, f"defaults: exit {result.returncode}: {result.stderr}")
    defaults = os.path.join(scratch, "defaults.yml")
    with open(defaults, "w") as f:
        f.write(result.stdout)
    for name in ("HighErrorRate", "HighResponseTime", "InstanceCrashLooping", "HighMemoryUsage",
                 "CertificateRenewalFailing"):
        check(f"alert: {name}" in result.stdout, f"defaults: {name} missing")
    promtool_ok(defaults, "defaults")

    # The shipped example, written with -o.
    out = os.path.join(scratch, "mangakai")
    result = run("export", "prometheus-rules", "-c",
                 os.path.join(SOURCE_DIR, "examples/mangakai/flotilla.yaml"), "-o", out)
    check(result.returncode == 0, f"mangakai: exit {result.returncode}: {result.stderr}")
    promtool_ok(os.path.join(out, "prometheus-rules.yml"), "mangakai")

    # User rules and tuned windows.
    config = os.path.join(scratch, "flotilla.yaml")
    with open(config, "w") as f:
        f.write("""services:
  web: { command: ./web, ports: 8000-8010 }
alerts:
  evaluation_interval: 1s
  defaults: { window: 10s, restart_window: 30s, for: 2s }
  rules:
    - name: SlowRoute
      expr: 'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{route!="/health"}[1m]))) > 1'
      for: 30s
      labels: { severity: warning }
      annotations: { summary: "{{ $labels.route }} p99 is {{ $value | humanizeDuration }}" }
    - name: EndpointDown
      expr: min by (upstream) (flotilla_endpoint_up) == 0
""")
    result = run("export", "prometheus-rules", "-o", scratch, cwd=scratch)
    check(result.returncode == 0, f"user rules: exit {result.returncode}: {result.stderr}")
    rules_file = os.path.join(scratch, "prometheus-rules.yml")
    with open(rules_file) as f:
        text = f.read()
    check("[10s]" in text and "[30s]" in text and "for: 2s" in text,
          "user rules: tuned windows missing:\n" + text)
    check("alert: SlowRoute" in text and "alert: EndpointDown" in text, "user rules missing")
    promtool_ok(rules_file, "user rules")

    # A broken config: its diagnostics, exit 1, nothing written.
    with open(config, "a") as f:
        f.write("    - { name: Bad, expr: rate(x) }\n")
    result = run("export", "prometheus-rules", "-c", config)
    check(result.returncode == 1, f"broken: expected exit 1, got {result.returncode}")
    check(f"{config}:14:31: alerts.rules[2].expr: rate() expects a range vector" in result.stderr,
          f"broken: diagnostics: {result.stderr}")

    # Grafana.
    result = run("export", "grafana", "-o", scratch, cwd=scratch + "/..")
    check(result.returncode == 0, f"grafana: exit {result.returncode}: {result.stderr}")
    with open(os.path.join(scratch, "grafana-dashboard.json")) as f:
        dashboard = json.load(f)
    titles = [panel["title"] for panel in dashboard["panels"]]
    for title in ("Request rate by method and status", "Latency p50 / p95", "Instances up",
                  "Memory per instance"):
        check(title in titles, f"grafana: panel {title!r} missing from {titles}")

    # Not built yet: a clear refusal.
    for kind in ("k8s", "nginx"):  # systemd: tests/integration/systemd/export_test.py
        result = run("export", kind, cwd=scratch)
        check(result.returncode == 69, f"{kind}: expected exit 69, got {result.returncode}")
        check("not yet available" in result.stderr, f"{kind}: stderr {result.stderr!r}")

if failures:
    sys.exit(f"{len(failures)} failure(s)")
print("export: all checks passed")
