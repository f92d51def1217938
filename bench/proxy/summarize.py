#!/usr/bin/env python3
# Turns run.sh's per-proxy JSON lines into the benchmark tables (keep-alive requests, TLS
# handshakes), the ratios against nginx, HAProxy and a baseline flotilla, and the target verdicts.
# It never prints ratios for an unequal or failed run: it says why instead (exit status 3).
"""Usage: summarize.py RESULTS.jsonl [MORE.jsonl ...] [--meta TEXT] [--markdown]

With several runs (several files, or BENCH_RUNS > 1), every figure is the median over the runs
and the spread (min-max) of the CPU figures is shown; ratios need every run of every proxy to be
clean."""

import argparse
import json
import statistics
import sys

ORDER = ["flotilla", "flotilla-base", "nginx", "haproxy"]
PEERS = ["nginx", "haproxy"]
CPU_TARGET = 0.85  # flotilla's CPU-us per request/handshake <= 0.85x the better peer
REGRESSION = 1.03  # flotilla / flotilla-base: within 3 %
CASES = {  # handshake case -> (TLS version expected, resumption expected)
    "tls13-full": ("TLSv1.3", False),
    "tls13-ticket": ("TLSv1.3", True),
    "tls12-full": ("TLSv1.2", False),
    "tls12-ticket": ("TLSv1.2", True),
    "tls12-id": ("TLSv1.2", True),
}
MIN_RESUMED = 0.98  # the first connection of each client slot is a full handshake


def load(paths):
    """{proxy: [row of each run]}, runs numbered across files in order."""
    rows = {}
    for index, path in enumerate(paths):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    row = json.loads(line)
                    row["run"] = f'{index + 1}.{row.get("run", 1)}'
                    rows.setdefault(row["proxy"], []).append(row)
    return rows


def handshake_figures(row):
    """{case: figures} of one run."""
    out = {}
    cpu_s = lambda ticks: ticks / row["clk_tck"]
    for case, h in (row.get("handshakes") or {}).items():
        result = h.get("result") or {}
        conns = result.get("connections", 0)
        seconds = result.get("duration_us", 0) / 1e6
        out[case] = {
            "connections": conns,
            "conn_s": conns / seconds if seconds else 0.0,
            "cpu_us": cpu_s(h["cpu_ticks"]) * 1e6 / conns if conns else float("nan"),
            "resumed": result.get("resumed", 0) / conns if conns else 0.0,
            "failed": result.get("failed", 0),
            "exit": h.get("exit", 1),
            "version": result.get("version", ""),
        }
    return out


def figures(row):
    """The table's figures for one proxy, or None if it never ran."""
    if not row.get("started"):
        return None
    wrk = row.get("wrk") or {}
    requests = wrk.get("requests", 0)
    seconds = wrk.get("duration_us", 0) / 1e6
    cpu_s = row["cpu_ticks"] / row["clk_tck"]
    errors = sum(wrk.get(k, 0) for k in ("connect", "read", "write", "timeout"))
    established = row["idle_established"]
    return {
        "requests": requests,
        "rps": requests / seconds if seconds else 0.0,
        "p50_ms": wrk.get("p50_us", 0) / 1000,
        "p99_ms": wrk.get("p99_us", 0) / 1000,
        "cpu_us": cpu_s * 1e6 / requests if requests else float("nan"),
        "cpu_pct": 100 * cpu_s / seconds if seconds else 0.0,
        "kib_idle": (row["rss_after_kib"] - row["rss_before_kib"]) / established
        if established else float("nan"),
        "socket_errors": errors,
        "non2xx": wrk.get("status", 0),
        "idle": f'{row["idle_alive"]}/{row["idle_target"]}',
        "tls_params": row.get("tls_params", ""),
        "handshakes": handshake_figures(row),
    }


def spread(values):
    return (min(values), max(values))


def median_figures(figs):
    """Per-key medians over runs (None if any run did not start)."""
    if not figs or any(f is None for f in figs):
        return None
    out = {}
    for key, value in figs[0].items():
        if isinstance(value, (int, float)):
            out[key] = statistics.median(f[key] for f in figs)
        else:
            out[key] = value
    out["socket_errors"] = sum(f["socket_errors"] for f in figs)
    out["non2xx"] = sum(f["non2xx"] for f in figs)
    out["idle"] = f'{min(int(f["idle"].split("/")[0]) for f in figs)}/{figs[0]["idle"].split("/")[1]}'
    out["cpu_spread"] = spread([f["cpu_us"] for f in figs])
    out["kib_spread"] = spread([f["kib_idle"] for f in figs])
    out["runs"] = len(figs)
    cases = {}
    for case in figs[0]["handshakes"]:
        per_run = [f["handshakes"].get(case) for f in figs]
        if any(h is None for h in per_run):
            continue
        cases[case] = {k: statistics.median(h[k] for h in per_run)
                       for k in ("connections", "conn_s", "cpu_us", "resumed")}
        cases[case]["cpu_spread"] = spread([h["cpu_us"] for h in per_run])
    out["handshakes"] = cases
    return out


def problems(name, row, fig, reference):
    """Why this run of a proxy cannot be compared (empty when it can)."""
    name = f"{name} (run {row['run']})"
    if fig is None:
        return [f"{name}: did not start or did not proxy a first request"]
    out = []
    if not row.get("running_at_end"):
        out.append(f"{name}: exited during the run")
    if row["wrk_exit"] != 0 or not row.get("wrk"):
        out.append(f"{name}: wrk failed (exit {row['wrk_exit']})")
    if fig["requests"] == 0:
        out.append(f"{name}: served no request")
    if fig["socket_errors"]:
        out.append(f"{name}: {fig['socket_errors']} socket errors")
    if fig["non2xx"]:
        out.append(f"{name}: {fig['non2xx']} non-2xx responses")
    if row["idle_established"] != row["idle_target"] or row["idle_failed"]:
        out.append(f"{name}: {row['idle_established']} of {row['idle_target']} idle connections "
                   f"established ({row['idle_failed']} failed)")
    if row["idle_alive"] != row["idle_target"]:
        out.append(f"{name}: only {row['idle_alive']} of {row['idle_target']} idle connections "
                   "were still open when RSS was read")
    for case, h in fig["handshakes"].items():
        version, resumes = CASES.get(case, ("?", False))
        if h["exit"] != 0 or h["connections"] == 0:
            out.append(f"{name}: {case}: the client failed (exit {h['exit']})")
        if h["failed"]:
            out.append(f"{name}: {case}: {h['failed']} connections failed")
        if h["version"] != version:
            out.append(f"{name}: {case}: negotiated {h['version'] or 'nothing'}, not {version}")
        if resumes and h["resumed"] < MIN_RESUMED:
            out.append(f"{name}: {case}: only {100 * h['resumed']:.1f} % resumed")
        if not resumes and h["resumed"] > 0:
            out.append(f"{name}: {case}: {100 * h['resumed']:.1f} % resumed in a full-handshake case")
    load = (row["duration_s"], row["connections"], row["threads"], row["idle_target"],
            row.get("tls", 0), tuple(sorted(fig["handshakes"])))
    if reference is not None and load != reference:
        out.append(f"{name}: a different load {load} than the others {reference}")
    return out


def render(header, lines, markdown):
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(header)]
    fmt = lambda cells: "  ".join(c.rjust(w) if i else c.ljust(w)
                                  for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(l) for l in lines])


def table(rows, figs, markdown):
    several = any(f and f["runs"] > 1 for f in figs.values())
    header = ["proxy", "req/s", "p50 ms", "p99 ms", "CPU-us/req", "proxy CPU %",
              "KiB/idle conn", "idle kept", "sock err", "non-2xx"]
    if several:
        header.insert(5, "CPU-us/req range")
        header.insert(8, "KiB range")
    lines = []
    for name in ORDER:
        fig = figs.get(name)
        if name not in rows:
            continue
        if fig is None:
            lines.append([name] + ["-"] * (len(header) - 1))
            continue
        line = [name, f"{fig['rps']:.0f}", f"{fig['p50_ms']:.3f}", f"{fig['p99_ms']:.3f}",
                f"{fig['cpu_us']:.2f}", f"{fig['cpu_pct']:.0f}", f"{fig['kib_idle']:.2f}",
                fig["idle"], str(fig["socket_errors"]), str(fig["non2xx"])]
        if several:
            line.insert(5, "{:.2f}-{:.2f}".format(*fig["cpu_spread"]))
            line.insert(8, "{:.2f}-{:.2f}".format(*fig["kib_spread"]))
        lines.append(line)
    return render(header, lines, markdown)


def handshake_table(rows, figs, markdown):
    cases = [c for c in CASES if any(f and c in f["handshakes"] for f in figs.values())]
    if not cases:
        return ""
    header = ["proxy"]
    for case in cases:
        header += [f"{case} CPU-us/conn", "range", "conn/s", "resumed"]
    lines = []
    for name in ORDER:
        fig = figs.get(name)
        if name not in rows:
            continue
        line = [name]
        for case in cases:
            h = fig["handshakes"].get(case) if fig else None
            if h is None:
                line += ["-"] * 4
                continue
            line += [f"{h['cpu_us']:.1f}", "{:.1f}-{:.1f}".format(*h["cpu_spread"]),
                     f"{h['conn_s']:.0f}", f"{100 * h['resumed']:.0f} %"]
        lines.append(line)
    return render(header, lines, markdown)


def paired(run_figs, rows, other, pick):
    """The ratio flotilla/other of one figure within each run (the two ran minutes apart, on the
    same machine load): (median, min, max), or None."""
    mine = {row["run"]: fig for row, fig in zip(rows["flotilla"], run_figs["flotilla"])}
    ratios = []
    for row, fig in zip(rows.get(other, []), run_figs.get(other, [])):
        if row["run"] in mine and fig is not None and mine[row["run"]] is not None:
            ratios.append(pick(mine[row["run"]]) / pick(fig))
    return (statistics.median(ratios), min(ratios), max(ratios)) if ratios else None


def ratio_lines(figs, run_figs, rows):
    f = figs["flotilla"]
    verdict = lambda ok: "MET" if ok else "NOT MET"
    peers = [p for p in PEERS if p in figs]
    out = []
    if peers:
        out.append("ratios (flotilla / other; for req/s higher is better, for the rest lower is "
                   "better):")
        for label, key in [("req/s", "rps"), ("p50", "p50_ms"), ("p99", "p99_ms"),
                           ("CPU-us/req", "cpu_us"), ("KiB/idle conn", "kib_idle")]:
            out.append(f"  {label:14} " + "   ".join(
                f"flotilla/{p} {f[key] / figs[p][key]:6.3f}" for p in peers))
        for case, h in f["handshakes"].items():
            out.append(f"  {case + ' CPU':14} " + "   ".join(
                f"flotilla/{p} {h['cpu_us'] / figs[p]['handshakes'][case]['cpu_us']:6.3f}"
                for p in peers if case in figs[p]["handshakes"]))
        best = min(figs[p]["cpu_us"] for p in peers)
        out.append("targets:")
        out.append(f"  CPU-us/req <= {CPU_TARGET} x min({', '.join(peers)}) = "
                   f"{CPU_TARGET * best:.2f}: flotilla {f['cpu_us']:.2f} "
                   f"({f['cpu_us'] / best:.3f}x) -> {verdict(f['cpu_us'] <= CPU_TARGET * best)}")
        for case, h in f["handshakes"].items():
            others = [figs[p]["handshakes"][case]["cpu_us"] for p in peers
                      if case in figs[p]["handshakes"]]
            if others:
                best = min(others)
                out.append(f"  {case} CPU-us/conn <= {CPU_TARGET} x best = {CPU_TARGET * best:.1f}: "
                           f"flotilla {h['cpu_us']:.1f} ({h['cpu_us'] / best:.3f}x) -> "
                           f"{verdict(h['cpu_us'] <= CPU_TARGET * best)}")
        if "nginx" in figs:
            n = figs["nginx"]
            out.append(f"  KiB/idle conn <= nginx's {n['kib_idle']:.2f}: flotilla "
                       f"{f['kib_idle']:.2f} -> {verdict(f['kib_idle'] <= n['kib_idle'])}")
            out.append(f"  p99 <= nginx's {n['p99_ms']:.3f} ms: flotilla {f['p99_ms']:.3f} ms -> "
                       f"{verdict(f['p99_ms'] <= n['p99_ms'])}")
    if "flotilla-base" in figs:
        b = figs["flotilla-base"]
        out.append(f"regression (flotilla / flotilla-base, within {100 * (REGRESSION - 1):.0f} %, "
                   "judged on the ratio within each run):")
        for label, key in [("CPU-us/req", "cpu_us"), ("KiB/idle conn", "kib_idle")]:
            r = f[key] / b[key]
            med, low, high = paired(run_figs, rows, "flotilla-base", lambda x: x[key])
            if high <= REGRESSION:
                judged = "MET (every run)"
            elif low > REGRESSION:
                judged = "NOT MET (every run)"
            else:
                judged = f"NOT SHOWN: the runs disagree (median {verdict(med <= REGRESSION)})"
            out.append(f"  {label:14} medians {f[key]:.3f} / {b[key]:.3f} = {r:6.3f}; per run "
                       f"{med:.3f} ({low:.3f}-{high:.3f}) -> {judged}")
    if peers and len(rows["flotilla"]) > 1:
        out.append("per-run ratios flotilla/peer, median (min-max):")
        for label, key in [("CPU-us/req", "cpu_us"), ("KiB/idle conn", "kib_idle")]:
            out.append(f"  {label:14} " + "   ".join(
                "{} {:.3f} ({:.3f}-{:.3f})".format(p, *paired(run_figs, rows, p, lambda x: x[key]))
                for p in peers))
        for case in f["handshakes"]:
            out.append(f"  {case + ' CPU':14} " + "   ".join(
                "{} {:.3f} ({:.3f}-{:.3f})".format(
                    p, *paired(run_figs, rows, p, lambda x: x["handshakes"][case]["cpu_us"]))
                for p in peers if case in figs[p]["handshakes"]))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results", nargs="+")
    parser.add_argument("--meta", default="")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    rows = load(args.results)
    run_figs = {name: [figures(row) for row in runs] for name, runs in rows.items()}
    figs = {name: median_figures(f) for name, f in run_figs.items()}
    print()
    if args.meta:
        print(args.meta)
    runs = max((len(r) for r in rows.values()), default=0)
    if runs > 1:
        print(f"medians over {runs} runs")
    print(table(rows, figs, args.markdown))
    hs = handshake_table(rows, figs, args.markdown)
    if hs:
        print()
        print("TLS handshakes: a new connection, a handshake, one GET with Connection: close")
        print(hs)
    params = {name: f["tls_params"] for name, f in figs.items() if f and f["tls_params"]}
    for name, text in params.items():
        print(f"{name} negotiates: {text}")
    print()

    reference = None
    for name in ORDER:
        for row, fig in zip(rows.get(name, []), run_figs.get(name, [])):
            if fig is not None and reference is None:
                reference = (row["duration_s"], row["connections"], row["threads"],
                             row["idle_target"], row.get("tls", 0),
                             tuple(sorted(fig["handshakes"])))
    why = []
    if "flotilla" not in rows:
        why.append("flotilla: not run")
    for name in ORDER:
        for row, fig in zip(rows.get(name, []), run_figs.get(name, [])):
            why += problems(name, row, fig, reference)
    counts = {name: len(rows[name]) for name in rows}
    if len(set(counts.values())) > 1:
        why.append(f"not every proxy ran as often: {counts}")
    if len(set(params.values())) > 1:
        why.append("the proxies negotiate different TLS parameters")
    if why:
        print("no ratios: the proxies did not all serve the same load without errors:")
        for line in why:
            print(f"  - {line}")
        return 3
    print(ratio_lines(figs, run_figs, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
