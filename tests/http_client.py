"""A student as seen from the network: logs in, autosaves and submits over real HTTP.

Used by the concurrency test (tests/writing/test_concurrency.py) and by bench/load_submit.py.
Standard library only; cookies are handled here (not by a cookie jar) so that the Secure
cookies of a production setup are still sent when the load runs over plain HTTP behind
`X-Forwarded-Proto: https`.
"""

import http.client
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Result:
    status: int
    seconds: float
    body: bytes
    headers: dict


@dataclass
class StudentClient:
    base_url: str
    forwarded_https: bool = False
    cookies: dict = field(default_factory=dict)
    log: list = field(default_factory=list)  # (what, status, seconds)
    timeout: float = 30.0

    def request(self, what, method, path, body=None, headers=None) -> Result:
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        origin = f"{'https' if self.forwarded_https else 'http'}://{parts.netloc}"
        sent = {"Host": parts.netloc, "Origin": origin, "Referer": origin + path}
        if self.forwarded_https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        start = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            status = response.status
            received = response.getheaders()
        except OSError:
            status, data, received = 0, b"", []
        finally:
            connection.close()
        seconds = time.perf_counter() - start
        for name, value in received:
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        self.log.append((what, status, seconds))
        return Result(status, seconds, data, dict(received))

    def csrf_from(self, result: Result) -> str:
        found = CSRF_INPUT.search(result.body.decode("utf-8", "replace"))
        return found.group(1) if found else self.cookies.get("csrftoken", "")

    def log_in(self, username: str, password: str) -> bool:
        page = self.request("login page", "GET", "/accounts/login/")
        form = urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.csrf_from(page),
            }
        )
        result = self.request(
            "login",
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        return result.status == 302

    def autosave(self, slug: str, body: str, attempt: int, version: int) -> tuple[Result, dict]:
        result = self.request(
            "autosave",
            "POST",
            f"/essays/{slug}/respond/autosave/",
            json.dumps({"body": body, "attempt": attempt, "version": version}),
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
            },
        )
        try:
            data = json.loads(result.body)
        except ValueError:
            data = {}
        return result, data

    def submit(self, slug: str, response_id: int, version: int) -> Result:
        form = urlencode(
            {
                "response": response_id,
                "version": version,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            }
        )
        return self.request(
            "submit",
            "POST",
            f"/essays/{slug}/respond/submit/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
