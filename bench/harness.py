"""What the benchmark scripts share: a production environment, manage.py, gunicorn and HTTP.

Everything runs with DJANGO_SETTINGS_MODULE=bench.settings (the project's settings, plus the
bare view at /bench/bare) and with the repository on PYTHONPATH, so that manage.py, gunicorn
and its workers can all import `bench`.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = "bench.settings"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def production_env(database_url: str) -> dict[str, str]:
    """The environment for StudyHub as production runs it (debug off, HTTPS redirect and secure
    cookies on), on `database_url`, with a fresh secret key and login throttling out of the way."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DJANGO_LOG_LEVEL": "WARNING",
        "STUDYHUB_LOGIN_FAILURE_LIMIT": "100000",
        "EMAIL_HOST": "",
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run `manage.py *args` and return what it printed; exit with its errors if it fails."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, text=True, capture_output=True,
        timeout=3600,
    )  # fmt: skip
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def call(env: dict[str, str], function: str, *args):
    """Call `bench.fixtures.<function>(*args)` inside Django (manage.py shell) and return its
    result, which must be JSON-serialisable. Arguments are passed as Python literals."""
    code = (
        "import json; from bench import fixtures; "
        f"print(json.dumps(fixtures.{function}(*{args!r})))"
    )
    output = manage(env, "shell", "--no-imports", "-c", code)
    return json.loads(output.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log_path: Path, workers: int = 2) -> Iterator[int]:
    """Serve StudyHub under gunicorn on a free port, behind a simulated TLS-terminating proxy;
    yield the port once it answers /healthz, and stop it afterwards. Its output goes to
    `log_path`."""
    port = free_port()
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "studyhub.wsgi", "--chdir", str(ROOT),
             "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
             "--forwarded-allow-ips", "127.0.0.1", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until_answering(server, port, log_path)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_answering(server: subprocess.Popen, port: int, log_path: Path) -> None:
    probe = Session(port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(
                f"gunicorn stopped (exit {server.returncode}):\n{log_path.read_text()[-3000:]}"
            )
        if probe.send("GET", "/healthz")[0] == 200:
            return
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer /healthz in time:\n{log_path.read_text()[-3000:]}")


class Session:
    """One keep-alive connection with cookies, speaking to gunicorn as the proxy would."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method, path, body=None, headers=None) -> tuple[int, bytes, dict]:
        """Send a request; return (status, body, headers), status 0 if no answer came."""
        sent = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Origin": "https://127.0.0.1",
            "Referer": "https://127.0.0.1" + path,
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        for _ in range(2):
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        else:
            return 0, b"", {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())

    def log_in(self, username: str, password: str, admin: bool = False) -> None:
        """Sign in through the login form (the admin's with admin=True); exit if it fails."""
        path = "/admin/login/" if admin else "/accounts/login/"
        _, page, _ = self.send("GET", path)
        token = CSRF_INPUT.search(page).group(1).decode()
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
        if admin:
            form["next"] = "/admin/"
        status, _, _ = self.send(
            "POST", path, urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            sys.exit(f"could not log in as {username} ({status})")


def with_own_static_files(env: dict[str, str], workdir: Path) -> dict[str, str]:
    """`env` with static files collected into `workdir/static` (DJANGO_STATIC_ROOT) rather
    than the project's staticfiles/, which other runs and the tests read."""
    env = {**env, "DJANGO_STATIC_ROOT": str(workdir / "static")}
    manage(env, "collectstatic", "--no-input", "-v", "0")
    return env


@contextlib.contextmanager
def task_worker(env: dict[str, str], log_path: Path, worker_id: str) -> Iterator[str]:
    """Run the background task worker (`manage.py db_worker`) as production does, named
    `worker_id`; stop it afterwards as systemd would (SIGTERM: it finishes its task first).
    Its output goes to `log_path`."""
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--no-reload", "--worker-id", worker_id],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        time.sleep(0.5)
        if worker.poll() is not None:
            sys.exit(f"db_worker stopped (exit {worker.returncode}):\n{log_path.read_text()}")
        yield worker_id
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
