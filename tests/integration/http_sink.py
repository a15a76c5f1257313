#!/usr/bin/python3
"""A loopback HTTP sink for the notification tests: records every POST
(path, X-API-Key header, body) as one JSON line in LOG and answers 500 to
the first request of each path, 200 afterwards (an injected failure the
sender must retry through).  Prints "listening on PORT" once bound.
usage: http_sink.py LOG"""
import http.server
import json
import sys

LOG = sys.argv[1]
seen = {}


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        count = seen.get(self.path, 0)
        seen[self.path] = count + 1
        status = 500 if count == 0 else 200
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps({"path": self.path, "key": self.headers.get("X-API-Key"),
                                "status": status, "body": body}, ensure_ascii=False) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok":true}' if status == 200 else b'{"ok":false}')

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Sink)
print("listening on", srv.server_address[1], flush=True)
srv.serve_forever()
