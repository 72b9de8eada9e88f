#!/usr/bin/env python3
"""Folds `perf script` output into one line per distinct stack, as
inferno-collapse-perf does (`frame;frame;… count`, outermost frame first),
for machines without inferno: scripts/perf-stages.py reads either.

Usage: perf script --no-inline -F comm,pid,tid,ip,sym -i perf.data | perf-collapse.py [--pid]

Each stack starts with the thread's name (`tokio-rt-worker`,
`yui-tree-writer`, `rocksdb:high`…); with --pid, with the process id before
it, so that one profile of several nodes can be split by node.
"""
import collections
import re
import sys

HEADER = re.compile(r"\s*(\S.*?)\s+(\d+)(?:/(\d+))?\s")


def collapse(lines, with_pid):
    """Stacks and their sample counts."""
    out = collections.Counter()
    head, frames = None, []

    def flush():
        if head is not None:
            out[";".join([head] + frames[::-1])] += 1

    for line in lines:
        if not line.strip():
            flush()
            head, frames = None, []
        elif not line.startswith((" ", "\t")):
            m = HEADER.match(line)
            comm = m.group(1).replace(";", ":") if m else "unknown"
            head = f"{m.group(2)};{comm}" if (m and with_pid) else comm
            frames = []
        else:
            parts = line.strip().split(" ", 1)
            sym = parts[1] if len(parts) > 1 else parts[0]
            sym = re.sub(r"\s*\(.*\)$", "", sym)
            sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
            frames.append(sym.replace(";", ":"))
    flush()
    return out


def main():
    for stack, n in collapse(sys.stdin, "--pid" in sys.argv[1:]).items():
        print(stack, n)


if __name__ == "__main__":
    main()
