"""A local HTTP server speaking the Supabase Storage endpoints supabase-py calls for kicks.

POST /storage/v1/object/{bucket}/{path}    multipart upload ("file" part) → {"Key": ...};
                                           409 Duplicate when x-upsert isn't "true"
GET  /storage/v1/object/{bucket}/{path}    authenticated download
GET  /storage/v1/object/public/{bucket}/{path}   public download
DELETE /storage/v1/object/{bucket}         JSON {"prefixes": [...]} → list of removed objects
Errors use Storage's JSON shape {"statusCode", "error", "message"}. `fail_next` injects one.
"""

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/storage/v1/object/"


class StorageState:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.fail_next: dict[str, int] = {}
        self.lock = threading.Lock()


def _handler(state: StorageState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes, content_type: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, error: str, message: str) -> None:
            body = {"statusCode": str(status), "error": error, "message": message}
            self._reply(status, json.dumps(body).encode())

        def _injected(self) -> bool:
            with state.lock:
                status = state.fail_next.pop(self.command, None)
            if status:
                self._error(status, "InternalError", "injected failure")
                return True
            return False

        def _record(self) -> None:
            state.requests.append((self.command, self.path, dict(self.headers)))

        def _authorised(self) -> bool:
            if not self.headers.get("Authorization", "").startswith("Bearer "):
                self._error(401, "Unauthorized", "missing bearer token")
                return False
            return True

        def do_POST(self) -> None:
            self._record()
            if self._injected() or not self._authorised():
                return
            bucket, _, path = self.path[len(PREFIX) :].partition("/")
            length = int(self.headers["Content-Length"])
            raw = self.rfile.read(length)
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + raw
            )
            parts = {
                p.get_param("name", header="content-disposition"): p for p in message.iter_parts()
            }
            file_part = parts["file"]
            with state.lock:
                if (bucket, path) in state.objects and self.headers.get("x-upsert") != "true":
                    self._error(409, "Duplicate", "The resource already exists")
                    return
                state.objects[(bucket, path)] = (
                    file_part.get_payload(decode=True),
                    file_part.get_content_type(),
                )
            self._reply(200, json.dumps({"Key": f"{bucket}/{path}", "Id": path}).encode())

        def do_GET(self) -> None:
            self._record()
            if self._injected():
                return
            rest = self.path[len(PREFIX) :]
            public = rest.startswith("public/")
            if public:
                rest = rest[len("public/") :]
            elif not self._authorised():
                return
            bucket, _, path = rest.partition("/")
            stored = state.objects.get((bucket, path))
            if stored is None:
                self._error(400, "not_found", "Object not found")
                return
            self._reply(200, stored[0], stored[1])

        def do_DELETE(self) -> None:
            self._record()
            if self._injected() or not self._authorised():
                return
            bucket = self.path[len(PREFIX) :].strip("/")
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            removed = []
            with state.lock:
                for path in body["prefixes"]:
                    if state.objects.pop((bucket, path), None) is not None:
                        removed.append({"name": path, "bucket_id": bucket})
            self._reply(200, json.dumps(removed).encode())

    return Handler


class LocalStorageServer:
    def __init__(self) -> None:
        self.state = StorageState()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "LocalStorageServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
