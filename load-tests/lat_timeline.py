#!/usr/bin/env python3
"""Where a run's slow messages sit in time: is p99 a few stalls or a steady tail?

    python3 load-tests/lat_timeline.py DUMP RATE [THRESHOLD_MS]

DUMP is the "seq latency_us" file the patched loadgen writes when LG_DUMP names it
(load-tests/loadgen-latency-dump.patch; chat_vs_node.sh sets LG_DUMP=<out>/<server>.lat). The
loadgen paces open-loop, so message `seq` was sent at about seq / RATE seconds into the run.
Prints p50 / p99 / max, then every 100 ms window holding a message slower than THRESHOLD_MS
(default: the run's p99): its start time, how many slow messages, their worst latency, and the
share of all slow messages the top windows explain.
"""
import sys


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path, rate = sys.argv[1], float(sys.argv[2])
    rows = []
    with open(path) as f:
        for line in f:
            seq, us = line.split()
            rows.append((int(seq), int(us)))
    if not rows:
        sys.exit("no deliveries in the dump")
    lat = sorted(us for _, us in rows)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1000  # noqa: E731
    print(f"{len(lat)} messages: p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms, "
          f"p99.9 {pct(0.999):.2f} ms, max {lat[-1] / 1000:.1f} ms")
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else pct(0.99)
    windows: dict[int, list[int]] = {}
    for seq, us in rows:
        if us / 1000 > threshold:
            windows.setdefault(int(seq / rate * 10), []).append(us)
    slow = sum(len(v) for v in windows.values())
    print(f"{slow} messages over {threshold:.2f} ms, in {len(windows)} windows of 100 ms")
    top = sorted(windows.items(), key=lambda kv: -len(kv[1]))
    explained = 0
    for w, us in top[:15]:
        explained += len(us)
        print(f"  t = {w / 10:7.1f} s: {len(us):5d} slow, worst {max(us) / 1000:7.1f} ms "
              f"(top windows so far: {100 * explained / slow:.0f} % of the slow)")


if __name__ == "__main__":
    main()
