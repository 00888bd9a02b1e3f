"""Login lockouts: too many wrong passwords for one account pause logging in to it.

A school's pupils share one public address, so StudyHub never locks an address on its own:
- an account from one address (or device) is locked after AXES_FAILURE_LIMIT failures;
- an account from everywhere only after STUDYHUB_LOGIN_ACCOUNT_FAILURE_LIMIT failures.

django-axes records the failures. It compares the largest of its counts with a single limit, so
the account-wide lockout, with its higher limit, is added by `LoginLockoutHandler`.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.http import HttpRequest

from studyhub.addresses import client_ip_address


@dataclass(frozen=True)
class Lockout:
    everywhere: bool  # False: only from this address or device
    until: datetime


def recent_failures(request: HttpRequest, credentials: dict | None) -> list[AccessAttempt]:
    """The failed logins for the account being logged in to that still count, oldest first."""
    return list(
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            attempt_time__gte=get_cool_off_threshold(request),
        )
        .only("ip_address", "failures_since_start", "attempt_time")
        .order_by("attempt_time")
    )


def request_address(request: HttpRequest) -> str | None:
    return getattr(request, "axes_ip_address", None) or client_ip_address(request)


def lifted_at(failures: list[AccessAttempt], limit: int, request: HttpRequest) -> datetime | None:
    """When a lockout over these failures (oldest first) lifts: once enough of the oldest have
    aged past the cool-off that fewer than `limit` remain. None if it is not locked."""
    remaining = sum(attempt.failures_since_start for attempt in failures)
    if remaining < limit:
        return None
    for attempt in failures:
        remaining -= attempt.failures_since_start
        if remaining < limit:
            return attempt.attempt_time + get_cool_off(request)
    return None


def find_lockout(request: HttpRequest, credentials: dict | None = None) -> Lockout | None:
    """The lockout that stops this login, if any; when both apply, the one that lifts later."""
    failures = recent_failures(request, credentials)
    address = request_address(request)
    from_here = [attempt for attempt in failures if attempt.ip_address == address]
    here_until = lifted_at(from_here, get_failure_limit(request, credentials), request)
    everywhere_until = lifted_at(failures, settings.STUDYHUB_LOGIN_ACCOUNT_FAILURE_LIMIT, request)
    if here_until is None and everywhere_until is None:
        return None
    return Lockout(
        everywhere=everywhere_until is not None,
        until=max(until for until in (here_until, everywhere_until) if until is not None),
    )


def lift_lockouts(username: str) -> None:
    """Forget the account's failed logins, from every address: its password has been reset."""
    reset(username=username)


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with StudyHub's two lockouts (AXES_HANDLER)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Failures for this account from this address: what AXES_FAILURE_LIMIT limits, and
        what axes checks itself when it records a failure."""
        address = request_address(request)
        return sum(
            attempt.failures_since_start
            for attempt in recent_failures(request, credentials)
            if attempt.ip_address == address
        )

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return settings.AXES_LOCK_OUT_AT_FAILURE and find_lockout(request, credentials) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or self.is_allowed(request, credentials):
            return
        # Locked everywhere: axes' own check above counts only this address.
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
