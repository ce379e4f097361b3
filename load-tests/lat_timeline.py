#!/usr/bin/env python3
"""Where a run's slow messages sit in time: is p99 a few stalls or a steady tail?

    python3 load-tests/lat_timeline.py DUMP RATE [THRESHOLD_MS] [CPU_FILE]

DUMP is the "seq latency_us sent_unix_ms" file the patched loadgen writes when LG_DUMP names it
(load-tests/loadgen-latency-dump.patch; chat_vs_node.sh writes <out>/<name>.lat). Prints p50 /
p99 / max, then the 100 ms windows (by send time) holding the messages slower than THRESHOLD_MS
(default, or "-": the run's p99), worst first by count, and the share of the slow messages the
top windows explain. With CPU_FILE (cpu_sampler.py's output, <out>/<name>.cpu) each window also
shows the machine's iowait, steal and idle ticks from its start to 100 ms after its worst message
was sent back (ticks of 10 ms summed over both cores); the last lines give the run's average
iowait, the windows that were disk stalls (iowait >= 4 ticks, i.e. >= 40 ms of a core waiting on
I/O), and the p99 of the messages sent outside them and the 200 ms after each (the backlog a stall
leaves drains meanwhile): what the server does when the disk does not stall.
"""
import sys

DISK_STALL_TICKS = 4
RECOVERY_WINDOWS = 2


def load_cpu(path: str) -> list[tuple[float, dict[str, int]]]:
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            rows.append((float(parts[0]), {k: int(v) for k, v in zip(parts[1::2], parts[2::2])}))
    return rows


def cpu_between(cpu, start: float, end: float) -> dict[str, int]:
    total: dict[str, int] = {}
    for t, d in cpu:
        # A sample covers the 100 ms before its time stamp.
        if t > start and t - 0.1 < end:
            for k, v in d.items():
                total[k] = total.get(k, 0) + v
    return total


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, rate = sys.argv[1], float(sys.argv[2])
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            seq, us = int(parts[0]), int(parts[1])
            sent = int(parts[2]) / 1000 if len(parts) > 2 else seq / rate
            rows.append((seq, us, sent))
    if not rows:
        sys.exit("no deliveries in the dump")
    lat = sorted(us for _, us, _ in rows)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1000  # noqa: E731
    print(f"{len(lat)} messages: p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms, "
          f"p99.9 {pct(0.999):.2f} ms, max {lat[-1] / 1000:.1f} ms")
    arg3 = sys.argv[3] if len(sys.argv) > 3 else "-"
    threshold = pct(0.99) if arg3 == "-" else float(arg3)
    cpu = load_cpu(sys.argv[4]) if len(sys.argv) > 4 else None
    first = min(sent for _, _, sent in rows)
    windows: dict[int, list[tuple[int, float]]] = {}
    for _, us, sent in rows:
        if us / 1000 > threshold:
            windows.setdefault(int((sent - first) * 10), []).append((us, sent))
    slow = sum(len(v) for v in windows.values())
    print(f"{slow} messages over {threshold:.2f} ms, in {len(windows)} windows of 100 ms")
    explained = 0
    for w, items in sorted(windows.items(), key=lambda kv: -len(kv[1]))[:15]:
        explained += len(items)
        worst = max(us for us, _ in items)
        line = (f"  t = {w / 10:6.1f} s: {len(items):5d} slow, worst {worst / 1000:6.1f} ms "
                f"(top windows so far: {100 * explained / slow:3.0f} % of the slow)")
        if cpu:
            start = first + w / 10
            end = max(sent + us / 1e6 for us, sent in items)
            c = cpu_between(cpu, start, end)
            line += f"; iowait {c.get('iowait', 0)}, steal {c.get('steal', 0)}, idle {c.get('idle', 0)}"
        print(line)
    if cpu:
        inside = [d for t, d in cpu if first <= t]
        run_io = sum(d["iowait"] for d in inside) / max(1, len(inside))
        print(f"iowait per 100 ms sample over the run: {run_io:.2f} ticks on average")
        # A disk stall: a slow window during which the cores waited on I/O for >= 40 ms.
        stalled = set()
        for w, items in windows.items():
            end = max(sent + us / 1e6 for us, sent in items)
            if cpu_between(cpu, first + w / 10, end).get("iowait", 0) >= DISK_STALL_TICKS:
                stalled.add(w)
        # The backlog a stall leaves takes a while to drain: its next two windows go with it.
        excluded = {w + k for w in stalled for k in range(RECOVERY_WINDOWS + 1)}
        in_stalls = sum(len(v) for w, v in windows.items() if w in excluded)
        rest = sorted(us for _, us, sent in rows if int((sent - first) * 10) not in excluded)
        p99_rest = rest[min(len(rest) - 1, int(0.99 * len(rest)))] / 1000 if rest else 0
        print(f"disk stalls (iowait >= {DISK_STALL_TICKS} ticks in a slow window): {len(stalled)}; "
              f"they and the {100 * RECOVERY_WINDOWS} ms after each hold {in_stalls} of the {slow} "
              f"slow messages; without the {len(rows) - len(rest)} messages sent then: "
              f"p99 {p99_rest:.2f} ms")


if __name__ == "__main__":
    main()
