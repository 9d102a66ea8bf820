"""Start `binlint lsp`, open a file, wait for its diagnostics, shut down: the server works as installed.

Usage: python lsp_smoke.py BINLINT FILE CODE... (standard library only, so it runs in any venv).
Exits 0 when the server answers `initialize`, publishes diagnostics for FILE holding every
CODE, and exits cleanly after `shutdown` and `exit`.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

TIMEOUT = 120.0


def send(pipe: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    pipe.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    pipe.flush()


def reader(pipe: IO[bytes], inbox: queue.Queue[dict[str, Any] | None]) -> None:
    while True:
        length = None
        while True:
            line = pipe.readline()
            if not line:
                inbox.put(None)
                return
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            inbox.put(None)
            return
        inbox.put(json.loads(pipe.read(length)))


def main(binlint: str, path: str, codes: list[str]) -> int:
    file = Path(path).resolve()
    server = subprocess.Popen([binlint, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert server.stdin is not None and server.stdout is not None
    inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
    threading.Thread(target=reader, args=(server.stdout, inbox), daemon=True).start()

    def wait(accept: Any, what: str) -> dict[str, Any]:
        while True:
            try:
                message = inbox.get(timeout=TIMEOUT)
            except queue.Empty:
                raise SystemExit(f"lsp smoke: timed out waiting for {what}") from None
            if message is None:
                raise SystemExit(f"lsp smoke: the server closed its output before {what}")
            if accept(message):
                return message

    send(server.stdin, {"id": 1, "method": "initialize", "params": {
        "processId": None, "rootUri": file.parent.as_uri(), "capabilities": {}}})
    answer = wait(lambda m: m.get("id") == 1, "the initialize answer")
    capabilities = answer["result"]["capabilities"]
    assert capabilities.get("codeActionProvider"), capabilities
    send(server.stdin, {"method": "initialized", "params": {}})
    send(server.stdin, {"method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": file.as_uri(), "languageId": "python", "version": 1, "text": file.read_text(encoding="utf-8")}}})
    published = wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                     and m["params"]["uri"] == file.as_uri() and m["params"]["diagnostics"], "diagnostics")
    found = {d["code"] for d in published["params"]["diagnostics"]}
    missing = set(codes) - found
    if missing:
        raise SystemExit(f"lsp smoke: diagnostics lack {sorted(missing)} (got {sorted(found)})")
    send(server.stdin, {"id": 2, "method": "shutdown"})
    wait(lambda m: m.get("id") == 2, "the shutdown answer")
    send(server.stdin, {"method": "exit"})
    status = server.wait(timeout=TIMEOUT)
    if status != 0:
        raise SystemExit(f"lsp smoke: the server exited with {status}")
    print(f"lsp smoke: {answer['result'].get('serverInfo', {}).get('name', '?')} published "
          f"{len(published['params']['diagnostics'])} diagnostics ({', '.join(sorted(found))}) and shut down")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
