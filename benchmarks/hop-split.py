#!/usr/bin/env python3
"""Splits the cluster hop by the kernel's packet stamps.

Capture loopback during a two-node hop measurement, then split it message by message:

    tcpdump -i lo -s 0 -B 65536 -w hop.pcap 'udp or tcp' &
    benchmarks/run.sh cluster-probe --nodes 2 --sessions 200 --single-sessions 0 --users-per-node 2 --hold 3 \
        --messages 3 --warmup 1 --interval-ms 500 --hop-messages 300 --ping-count 500 --paced-ping-count 100 \
        --idle-seconds 2 > hop.log
    kill %1
    python3 benchmarks/hop-split.py hop.pcap PORT0 PORT1 10000

PORT0 and PORT1 are the nodes' HTTP ports (the probe prints "node k: pid P, http://127.0.0.1:PORT"); the last
argument skips the warm-up messages. Each hop message's text is "fanout-probe #N# hop ...": its first packet of each
kind is noted — the POST to node 0, node 0's REST answer and its WebSocket frame to its observer, the Aeron datagram(s)
carrying it to node 1 (the first, and the one whose DATA frame ends the message), node 1's frame to its observer — and
the stages between them are printed as p50 / p90 in microseconds.
"""
import re
import struct
import sys


def main():
    path, port0, port1, warm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    data = open(path, 'rb').read()
    nano = struct.unpack('<I', data[:4])[0] == 0xa1b23c4d
    link = struct.unpack('<I', data[20:24])[0]
    pattern = re.compile(rb'fanout-probe #(\d+)# hop')
    first = {}
    sizes = []
    open_messages = []

    def note(kind, n, t):
        first.setdefault((kind, n), t)

    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack('<IIII', data[off:off + 16])
        off += 16
        pkt = data[off:off + incl]
        off += incl
        t = sec + frac / (1e9 if nano else 1e6)
        p = 14 if link == 1 else 16 if link == 113 else 0
        if len(pkt) < p + 20:
            continue
        ip = p + (pkt[p] & 15) * 4
        proto = pkt[p + 9]
        if proto == 17:
            payload = pkt[ip + 8:]
            ends = data_frame = False
            fo = 0
            while fo + 8 <= len(payload):  # Aeron frames: DATA (type 1) with the end flag (0x40) closes a message
                length, _, flags, kind = struct.unpack('<iBBH', payload[fo:fo + 8])
                if length <= 0:
                    break
                if kind == 1:
                    data_frame = True
                    ends = ends or bool(flags & 0x40)
                fo += (length + 31) & ~31
            found = [int(m.group(1)) for m in pattern.finditer(payload)]
            for n in found:
                note('udp', n, t)
                sizes.append(len(payload))
                if ends:
                    note('udpend', n, t)
                else:
                    open_messages.append(n)
            if data_frame and ends and not found:
                for n in open_messages:
                    note('udpend', n, t)
                open_messages.clear()
            elif ends and found:
                open_messages.clear()
        elif proto == 6:
            sport, dport = struct.unpack('>HH', pkt[ip:ip + 4])
            payload = pkt[ip + (pkt[ip + 12] >> 4) * 4:]
            for m in pattern.finditer(payload):
                n = int(m.group(1))
                if dport == port0:
                    note('post', n, t)
                elif sport == port0:
                    note('answer' if b'HTTP/1.1' in payload[:64] else 'own', n, t)
                elif sport == port1:
                    note('remote', n, t)
    numbers = sorted({n for (_, n) in first if n >= warm})

    def stage(a, b):
        v = sorted((first[(b, n)] - first[(a, n)]) * 1e6 for n in numbers if (a, n) in first and (b, n) in first)
        if not v:
            return 'n=0'
        return 'p50 %7.1f  p90 %7.1f  n=%d' % (v[len(v) // 2], v[int(len(v) * 0.9)], len(v))

    for a, b, what in [('post', 'answer', 'POST -> REST answer'), ('post', 'own', 'POST -> owner observer frame'),
                       ('post', 'udp', 'POST -> datagram'), ('own', 'udp', 'owner frame -> datagram'),
                       ('udp', 'udpend', 'first -> last datagram'),
                       ('udpend', 'remote', 'last datagram -> remote frame'),
                       ('own', 'remote', 'hop: owner frame -> remote frame'), ('post', 'remote', 'POST -> remote frame')]:
        print('%-36s %s' % (what, stage(a, b)))
    sizes.sort()
    print('datagram bytes with the message text: p50 %d, max %d' % (sizes[len(sizes) // 2] if sizes else 0,
                                                                   sizes[-1] if sizes else 0))


if __name__ == '__main__':
    main()
