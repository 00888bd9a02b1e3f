"""The address a request came from, which login lockouts and password-reset limits count by.

Behind the proxies that STUDYHUB_TRUSTED_PROXIES names, it is the address the proxies were given
in X-Forwarded-For; otherwise REMOTE_ADDR, and a client's own X-Forwarded-For is ignored.
"""

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

CHAIN = "HTTP_X_FORWARDED_FOR"


@cache
def proxy_chain_reader(trusted: int | tuple[str, ...]) -> IpWare:
    if isinstance(trusted, int):
        return IpWare(precedence=(CHAIN,), proxy_count=trusted)
    return IpWare(precedence=(CHAIN,), proxy_list=list(trusted))


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address (django-axes' AXES_CLIENT_IP_CALLABLE).

    python-ipware reads the chain and picks the address in front of the trusted proxies. It
    checks only the hops listed inside X-Forwarded-For, while the proxy nearest StudyHub is the
    one that connects to it (REMOTE_ADDR), so that address closes the chain it is given. A
    request that did not come through the trusted proxies counts by REMOTE_ADDR.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or None
    trusted = settings.STUDYHUB_TRUSTED_PROXIES
    if not trusted or remote_addr is None:
        return remote_addr
    forwarded = request.META.get(CHAIN, "").strip()
    chain = f"{forwarded}, {remote_addr}" if forwarded else remote_addr
    reader = proxy_chain_reader(trusted if isinstance(trusted, int) else tuple(trusted))
    # Not strict: entries a client wrote in front of the real chain are passed over.
    client, _ = reader.get_client_ip({CHAIN: chain}, strict=False)
    return str(client) if client else remote_addr
