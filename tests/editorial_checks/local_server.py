"""A local HTTP server in a thread for the link checker's tests and bench: never the internet."""

import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/slow"):
            time.sleep(2)
        status = 200
        if path.startswith("/gone"):
            status = 404
        elif path.startswith("/broken"):
            status = 500
        elif path.startswith("/moved") or path.startswith("/to-localhost"):
            self.send_response(302)
            port = self.server.server_address[1]
            target = "/ok" if path.startswith("/moved") else f"http://localhost:{port}/ok"
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@contextmanager
def local_server():
    """The base address of a server answering /ok, /gone (404), /broken (500), /moved (302 to
    /ok), /to-localhost (302 to localhost) and /slow (after 2 s)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
