#!/usr/bin/python3
"""A loopback HTTP server whose every answer never ends: 200, text/xml, no
Content-Length, the start of a SOAP envelope and then whitespace, streamed
until the client hangs up (a hostile or broken GIS: the client must cap
what it buffers).  Prints "listening on PORT" once bound; writes the bytes
sent per request to LOG, one line each.
usage: endless_server.py LOG"""
import http.server
import socketserver
import sys

LOG = sys.argv[1]
CHUNK = b" " * (1 << 16)


class Endless(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.end_headers()
        sent = 0
        try:
            self.wfile.write(b'<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>')
            while sent < (2 << 30):          # 2 GB at most: never reached by a capped client
                self.wfile.write(CHUNK)
                sent += len(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass
        with open(LOG, "a") as f:
            f.write("%d\n" % sent)

    do_GET = do_POST

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Endless)
print("listening on", srv.server_address[1], flush=True)
srv.serve_forever()
