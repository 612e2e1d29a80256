"""A local stand-in for Expo's push API (POST /--/api/v2/push/send): checks the request as Expo
does (a JSON array of messages, each with `to` an Expo push token) and answers tickets in Expo's
shape. Tokens listed in `unregistered` get a DeviceNotRegistered error ticket."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PATH = "/--/api/v2/push/send"


class ExpoStandIn:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.unregistered: set[str] = set()
        self.status = 200  # tests set e.g. 503 (Expo overloaded) to see the task retry
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body = stand_in.accept(self.path, dict(self.headers), raw)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accept(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        if self.status != 200:
            return self.status, {"errors": [{"code": "INTERNAL_SERVER_ERROR", "message": "try again"}]}
        if path != PATH or "application/json" not in headers.get("Content-Type", ""):
            return 400, {"errors": [{"code": "VALIDATION_ERROR", "message": "bad request"}]}
        messages = json.loads(raw)
        if not isinstance(messages, list) or len(messages) > 100:
            return 400, {"errors": [{"code": "VALIDATION_ERROR", "message": "array of up to 100"}]}
        tickets = []
        for message in messages:
            if not str(message.get("to", "")).startswith("ExponentPushToken["):
                return 400, {"errors": [{"code": "VALIDATION_ERROR", "message": "bad token"}]}
            self.received.append(message)
            if message["to"] in self.unregistered:
                tickets.append(
                    {
                        "status": "error",
                        "message": f"{message['to']} is not a registered push notification recipient",
                        "details": {"error": "DeviceNotRegistered"},
                    }
                )
            else:
                tickets.append({"status": "ok", "id": f"ticket-{len(self.received)}"})
        self.headers.append(headers)
        return 200, {"data": tickets}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
