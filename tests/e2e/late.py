#!/usr/bin/python3
"""tests/e2e/late.py IFACE DELAY_MS - send every IPv4 TCP frame that arrives on
IFACE back out of it DELAY_MS later, as it came (tests/e2e/loss.sh: a packet
stolen into a namespace of its own comes back late, after the ones sent
after it: reordered; or a copy of it comes back: duplicated). Runs until
killed. Prints "ready" once it listens, and one line per frame sent back."""
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main(argv):
    if len(argv) != 3:
        print("usage: late.py IFACE DELAY_MS", file=sys.stderr)
        return 2
    iface, delay = argv[1], float(argv[2]) / 1000.0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    print("ready", flush=True)
    queue = []  # (when, frame)
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 1.0
        r, _, _ = select.select([s], [], [], timeout)
        if r:
            frame, addr = s.recvfrom(65535)
            # only what came in (not our own sends), IPv4 carrying TCP
            if addr[2] != PACKET_OUTGOING and len(frame) >= 34 and frame[12:14] == b"\x08\x00" \
                    and frame[23] == 6:
                queue.append((time.monotonic() + delay, frame))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, frame = queue.pop(0)
            s.send(frame)
            print("sent back %d bytes" % len(frame), flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
