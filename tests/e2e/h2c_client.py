#!/usr/bin/python3
"""h2c_client.py - HTTP/2 with prior knowledge (h2c, RFC 9113 3.3) on ONE
connection, one request after another, each answered before the next, with
python3-h2's HPACK encoder (Huffman, dynamic table), as a real client sends
them: curl 7.88 fails to reuse an h2c connection.

  h2c_client.py ADDR PORT LOCAL_ADDR LOCAL_PORT AUTHORITY[/PATH] ...

Prints "STATUS BODY" per answered request; exits 0 when all were answered,
1 when the connection ended or timed out first (the rest are not sent)."""
import socket
import sys

import h2.config
import h2.connection
import h2.events


def main():
    addr, port, laddr, lport = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((laddr, lport))
    s.settimeout(4)
    s.connect((addr, port))
    c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    c.initiate_connection()
    s.sendall(c.data_to_send())
    for target in sys.argv[5:]:
        auth, _, path = target.partition("/")
        sid = c.get_next_available_stream_id()
        c.send_headers(sid, [(":method", "GET"), (":scheme", "http"), (":authority", auth),
                             (":path", "/" + path), ("user-agent", "h2c_client/1")], end_stream=True)
        s.sendall(c.data_to_send())
        status, body, done = None, b"", False
        while not done:
            try:
                d = s.recv(65536)
            except (socket.timeout, OSError) as e:
                print("no answer for %s: %s" % (auth, e))
                return 1
            if not d:
                print("connection closed before the answer for %s" % auth)
                return 1
            for ev in c.receive_data(d):
                if isinstance(ev, h2.events.ResponseReceived) and ev.stream_id == sid:
                    status = dict(ev.headers).get(b":status", b"?").decode()
                elif isinstance(ev, h2.events.DataReceived) and ev.stream_id == sid:
                    body += ev.data
                    c.acknowledge_received_data(ev.flow_controlled_length, sid)
                elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                    done = True
                elif isinstance(ev, (h2.events.ConnectionTerminated, h2.events.StreamReset)):
                    print("reset before the answer for %s" % auth)
                    return 1
            s.sendall(c.data_to_send())
        print("%s %s" % (status, body.decode(errors="replace").strip()))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
