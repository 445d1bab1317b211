"""Start real servers on 127.0.0.1 for tests: llama.cpp's OpenAI-compatible server, Chroma, stubs."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    """Poll `url` until it answers, failing early if the process died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read()[-2000:]!r}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def running(command: list[str], url: str, log: Path, cwd: Path | None = None, env: dict | None = None):
    """Run a server process until the block ends; its output goes to `log`."""
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=cwd, env=env)
        proc.stderr = log.open()  # for wait_for's error message
        try:
            wait_for(url, proc)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def llama_server(gguf: Path, port: int, log: Path):
    """llama-cpp-python's OpenAI-compatible server with one GGUF, named 'smollm2'."""
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "smollm2",
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    return running(command, f"http://127.0.0.1:{port}/v1/models", log)


def chroma_server(path: Path, port: int, log: Path):
    """`chroma run` on a fresh data folder."""
    chroma = Path(sys.executable).with_name("chroma")
    command = [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    return running(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", log)


@contextlib.contextmanager
def stub_openai(status: int = 404, delay: float = 0.0):
    """A tiny OpenAI-style HTTP server that answers every request with an error (or too late)."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server naming)
            time.sleep(delay)
            body = json.dumps({"error": {"message": "The model does not exist", "type": "invalid_request_error",
                                         "code": "model_not_found"}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args):  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
