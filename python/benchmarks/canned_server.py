"""A local HTTP server that answers every database call with the same canned reply, so an
end-to-end benchmark measures the clients and not the server.

    python canned_server.py BODY_FILE

Binds 127.0.0.1 on a free port, prints the port on stdout, and serves until stdin closes:
``/cgi-bin/token`` and ``/cgi-bin/stable_token`` give a token, every other POST gets the bytes
of BODY_FILE (a whole reply, e.g. ``{"errcode":0,"errmsg":"ok","data":[...]}``). HTTP/1.1 with
keep-alive, as the service speaks.

It does as little as an HTTP server can: each connection has a thread that reads a request's
head, skips its body (by ``Content-Length``), and writes a reply prepared once — status line,
headers and body in one ``sendall``. (``http.server`` parses every header with the ``email``
package and writes in pieces; at half a megabyte a reply, that cost a millisecond per call,
paid by every client measured against it.)
"""

from __future__ import annotations

import socket
import sys
import threading

TOKEN = b'{"access_token":"canned-token","expires_in":7200}'


def response(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def serve(conn: socket.socket, reply: bytes, token: bytes) -> None:
    """Answers the requests of one keep-alive connection until the client closes it."""
    buffered = b""
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            while b"\r\n\r\n" not in buffered:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffered += chunk
            head, _, buffered = buffered.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buffered) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffered += chunk
            buffered = buffered[length:]
            path = head.split(b" ", 2)[1]
            conn.sendall(token if path.startswith(b"/cgi-bin/") else reply)


def main() -> None:
    with open(sys.argv[1], "rb") as f:
        reply = response(f.read())
    token = response(TOKEN)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve, args=(conn, reply, token), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()  # until the benchmark closes our stdin
    listener.close()


if __name__ == "__main__":
    main()
