#!/usr/bin/env python3
# Turns run.sh's per-proxy JSON lines into the benchmark table, the flotilla/nginx and
# flotilla/haproxy ratios and the target verdicts. It never prints ratios for an unequal or
# failed run: it says why instead (exit status 3).
"""Usage: summarize.py RESULTS.jsonl [MORE.jsonl ...] [--meta TEXT] [--markdown]

With several runs (several files, or BENCH_RUNS > 1), every figure is the median over the runs
and the spread of CPU-us/req is shown; ratios need every run of every proxy to be clean."""

import argparse
import json
import statistics
import sys

ORDER = ["flotilla", "nginx", "haproxy"]
CPU_TARGET = 0.85  # flotilla's CPU-us/req must be <= 0.85x the better of nginx and HAProxy


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
    out["cpu_spread"] = (min(f["cpu_us"] for f in figs), max(f["cpu_us"] for f in figs))
    out["runs"] = len(figs)
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
    }


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
    load = (row["duration_s"], row["connections"], row["threads"], row["idle_target"])
    if reference is not None and load != reference:
        out.append(f"{name}: a different load {load} than the others {reference}")
    return out


def table(rows, figs, markdown):
    several = any(f and f["runs"] > 1 for f in figs.values())
    header = ["proxy", "req/s", "p50 ms", "p99 ms", "CPU-us/req", "proxy CPU %",
              "KiB/idle conn", "idle kept", "sock err", "non-2xx"]
    if several:
        header.insert(5, "CPU-us/req range")
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
            low, high = fig["cpu_spread"]
            line.insert(5, f"{low:.2f}-{high:.2f}")
        lines.append(line)
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(header)]
    fmt = lambda cells: "  ".join(c.rjust(w) if i else c.ljust(w)
                                  for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(l) for l in lines])


def ratios(figs):
    f, n, h = figs["flotilla"], figs["nginx"], figs["haproxy"]
    out = ["ratios (flotilla / other; for req/s higher is better, for the rest lower is better):"]
    for label, key in [("req/s", "rps"), ("p50", "p50_ms"), ("p99", "p99_ms"),
                       ("CPU-us/req", "cpu_us"), ("KiB/idle conn", "kib_idle")]:
        out.append(f"  {label:14} flotilla/nginx {f[key] / n[key]:6.3f}   "
                   f"flotilla/haproxy {f[key] / h[key]:6.3f}")
    best_cpu = min(n["cpu_us"], h["cpu_us"])
    verdict = lambda ok: "MET" if ok else "NOT MET"
    out.append("targets:")
    out.append(f"  CPU-us/req <= {CPU_TARGET} x min(nginx, haproxy) = {CPU_TARGET * best_cpu:.2f}: "
               f"flotilla {f['cpu_us']:.2f} -> {verdict(f['cpu_us'] <= CPU_TARGET * best_cpu)}")
    out.append(f"  KiB/idle conn <= nginx's {n['kib_idle']:.2f}: flotilla {f['kib_idle']:.2f} -> "
               f"{verdict(f['kib_idle'] <= n['kib_idle'])}")
    out.append(f"  p99 <= nginx's {n['p99_ms']:.3f} ms: flotilla {f['p99_ms']:.3f} ms -> "
               f"{verdict(f['p99_ms'] <= n['p99_ms'])}")
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
    print()

    reference = None
    for runs_of_proxy in rows.values():
        for r in runs_of_proxy:
            if r.get("started"):
                reference = (r["duration_s"], r["connections"], r["threads"], r["idle_target"])
                break
        if reference:
            break
    why = []
    for name in ORDER:
        if name not in rows:
            why.append(f"{name}: not run")
            continue
        for row, fig in zip(rows[name], run_figs[name]):
            why += problems(name, row, fig, reference)
    counts = {name: len(rows[name]) for name in rows}
    if len(set(counts.values())) > 1:
        why.append(f"not every proxy ran as often: {counts}")
    if why:
        print("no ratios: the proxies did not all serve the same load without errors:")
        for line in why:
            print(f"  - {line}")
        return 3
    print(ratios(figs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
