#!/usr/bin/env python3
"""Samples the machine's CPU time split every 100 ms until killed (or SECONDS pass).

    python3 load-tests/cpu_sampler.py OUT [SECONDS]

Each line: Unix time (s) and the ticks (1/CLK_TCK s, all cores together) spent since the line
before in user (+nice), system, idle, iowait, softirq and steal. chat_vs_node.sh runs it beside
each loadgen run (<out>/<name>.cpu); lat_timeline.py sets it beside the slow windows, so a stall
that is the disk (iowait) or the hypervisor (steal) shows as such.
"""
import sys
import time


def ticks() -> list[int]:
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    until = time.time() + (float(sys.argv[2]) if len(sys.argv) > 2 else 3600)
    prev = ticks()
    with open(sys.argv[1], "w", buffering=1) as out:
        while time.time() < until:
            time.sleep(0.1)
            cur = ticks()
            d = [c - p for c, p in zip(cur, prev)]
            prev = cur
            out.write(f"{time.time():.3f} user {d[0] + d[1]} system {d[2]} idle {d[3]} "
                      f"iowait {d[4]} softirq {d[6]} steal {d[7]}\n")


if __name__ == "__main__":
    main()
