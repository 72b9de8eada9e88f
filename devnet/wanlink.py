#!/usr/bin/env python3
"""A wide-area network in user space, for kernels without `tc netem`.

`devnet/wan.sh` uses it when the kernel has no netem: it opens one TUN
device per network namespace (the script moves each into its namespace and
gives it the node's address), reads every IPv4 packet a node sends, and
writes it to the TUN device of the node it is addressed to after the delay of
both links (each link's one-way delay, plus or minus a uniform jitter), or
drops it with each link's loss probability. TCP inside the namespaces sees
real delay, reordering and loss, as under netem. Packets are routed by
destination address only; anything else (IPv6, unknown addresses) is dropped.

    wanlink.py --ready FILE [--seed S] [--jitter MS] [--loss-percent P] \\
        TUN=ADDRESS:DELAY_MS ...

FILE is written once every device is open; the script then moves the
devices into their namespaces. The emulator runs until killed. A device
taken down (`ip link set … down`, the partition) refuses writes: what is
sent to it is dropped, as on a cut cable.
"""

import argparse
import fcntl
import heapq
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def parse_link(text):
    name, rest = text.split("=", 1)
    address, delay = rest.rsplit(":", 1)
    return name, socket.inet_aton(address), float(delay) / 1000.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready", required=True, help="file written once the devices are open")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jitter", type=float, default=0.0, help="± ms per link, uniform")
    parser.add_argument("--loss-percent", type=float, default=0.0, help="drop probability per link, %%")
    parser.add_argument("links", nargs="+", help="TUN=ADDRESS:DELAY_MS")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    jitter = args.jitter / 1000.0
    loss = args.loss_percent / 100.0
    links = {}  # fd -> (name, address, delay)
    by_address = {}  # address bytes -> (fd, delay)
    for text in args.links:
        name, address, delay = parse_link(text)
        fd = open_tun(name)
        links[fd] = (name, address, delay)
        by_address[address] = (fd, delay)
    with open(args.ready, "w") as ready:
        ready.write("%d\n" % os.getpid())

    def link_time(delay):
        return max(0.0, delay + rng.uniform(-jitter, jitter))

    queue = []  # (due, sequence, fd, packet)
    sequence = 0
    counts = {"forwarded": 0, "lost": 0, "unroutable": 0, "refused": 0}
    fds = list(links)

    def report(*_):
        # What happened to the packets, for the script's log.
        print("wanlink: " + ", ".join("%s %d" % kv for kv in counts.items()), flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, report)
    signal.signal(signal.SIGINT, report)
    while True:
        now = time.monotonic()
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        readable, _, _ = select.select(fds, [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            source_delay = links[fd][2]
            while True:
                try:
                    packet = os.read(fd, 65536)
                except (BlockingIOError, OSError):
                    break
                if len(packet) < 20 or packet[0] >> 4 != 4:
                    counts["unroutable"] += 1
                    continue
                target = by_address.get(packet[16:20])
                if target is None:
                    counts["unroutable"] += 1
                    continue
                if rng.random() < loss or rng.random() < loss:
                    counts["lost"] += 1
                    continue
                due = now + link_time(source_delay) + link_time(target[1])
                sequence += 1
                heapq.heappush(queue, (due, sequence, target[0], packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, packet = heapq.heappop(queue)
            try:
                os.write(fd, packet)
                counts["forwarded"] += 1
            except OSError:
                counts["refused"] += 1


if __name__ == "__main__":
    main()
