"""A local HTTP server that answers every database call with the same canned reply, so an
end-to-end benchmark measures the clients and not the server.

    python canned_server.py BODY_FILE

Binds 127.0.0.1 on a free port, prints the port on stdout, and serves until stdin closes:
``/cgi-bin/token`` and ``/cgi-bin/stable_token`` give a token, every other POST gets the bytes
of BODY_FILE (a whole reply, e.g. ``{"errcode":0,"errmsg":"ok","data":[...]}``). HTTP/1.1 with
keep-alive, as the service speaks.
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = b'{"access_token":"canned-token","expires_in":7200}'


def main() -> None:
    with open(sys.argv[1], "rb") as f:
        body = f.read()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.reply(TOKEN)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.reply(TOKEN if self.path.startswith("/cgi-bin/") else body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the benchmark closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()
