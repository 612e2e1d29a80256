"""A local stand-in for SendGrid's v3 mail API: the one copy used by the email tests and by
`make prod-local` (which keeps every mail under var/prod-local/mail/).

`POST /v3/mail/send` with `Authorization: Bearer <key>` and SendGrid's JSON body answers 202 and an
`X-Message-Id`, as SendGrid does; a missing key is a 401 with SendGrid's error shape. Each accepted
mail is recorded and, with a mail directory, written there as `<message id>.json`:
{"id", "received_at", "to", "from", "subject", "text", "html", "body"} (`body`: the raw request).

    python -m tests.support.sendgrid_standin --port 12112 --mail-dir var/prod-local/mail
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.stripe_standin import serve_until_signalled


def _content(body: dict[str, Any], mime: str) -> str | None:
    for part in body.get("content") or []:
        if part.get("type") == mime:
            return str(part.get("value", ""))
    return None


class SendGridStandIn:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, mail_dir: Path | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 202  # tests set e.g. 503 to see a failed delivery
        self.mail_dir = mail_dir
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, message_id, error = stand_in.accept(
                    self.path, self.headers.get("Authorization", ""), raw
                )
                payload = json.dumps({"errors": [{"message": error}]}).encode() if error else b""
                self.send_response(status)
                if message_id:
                    self.send_header("X-Message-Id", message_id)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> SendGridStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def accept(self, path: str, auth: str, raw: bytes) -> tuple[int, str | None, str | None]:
        if path != "/v3/mail/send":
            return 404, None, f"unknown path {path}"
        if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
            return 401, None, "The provided authorization grant is invalid, expired, or revoked"
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return 400, None, "Invalid JSON"
        if self.status >= 300:
            with self.lock:
                self.received.append({"path": path, "auth": auth, "body": body})
            return self.status, None, "stand-in told to fail"
        message_id = uuid.uuid4().hex
        mail = {
            "id": message_id,
            "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "to": [to["email"] for p in body.get("personalizations", []) for to in p.get("to", [])],
            "from": (body.get("from") or {}).get("email"),
            "subject": body.get("subject")
            or next((p.get("subject") for p in body.get("personalizations", []) if p.get("subject")), None),
            "text": _content(body, "text/plain"),
            "html": _content(body, "text/html"),
            "body": body,
        }
        with self.lock:
            self.received.append({"path": path, "auth": auth, "body": body, "mail": mail})
        if self.mail_dir is not None:
            self.mail_dir.mkdir(parents=True, exist_ok=True)
            tmp = self.mail_dir / f".{message_id}.tmp"
            tmp.write_text(json.dumps(mail, indent=1))
            tmp.replace(self.mail_dir / f"{time.time_ns()}-{message_id}.json")
        return 202, message_id, None

    def mails(self, to: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            found = [r["mail"] for r in self.received if "mail" in r]
        return [m for m in found if to is None or to in m["to"]]


def read_mail_dir(mail_dir: Path, to: str | None = None) -> list[dict[str, Any]]:
    """Mails the stand-in wrote to `mail_dir`, oldest first."""
    if not mail_dir.is_dir():
        return []
    mails = [json.loads(p.read_text()) for p in sorted(mail_dir.glob("*.json"))]
    return [m for m in mails if to is None or to in m["to"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.sendgrid_standin")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mail-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    stand_in = SendGridStandIn(host=args.host, port=args.port, mail_dir=args.mail_dir)
    print(f"sendgrid stand-in on {stand_in.url}", flush=True)
    serve_until_signalled(stand_in.start().stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
