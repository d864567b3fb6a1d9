"""The address a login attempt came from, for django-axes' lockouts.

Not django-ipware: its proxy count expects proxies to list themselves in
X-Forwarded-For, while the usual load balancer appends only the address it
received the request from. Here the client is the Nth entry from the right of
the header, N being the number of proxies we run; anything further left was
written by the client and is never trusted.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def address_from_meta(meta: Mapping[str, Any], header: str, trusted_proxies: int) -> str | None:
    """The client address, from ``header`` behind ``trusted_proxies`` proxies, else REMOTE_ADDR."""
    remote = meta.get("REMOTE_ADDR")
    if trusted_proxies <= 0:
        return remote
    key = "HTTP_" + header.upper().replace("-", "_")
    hops = [hop.strip() for hop in str(meta.get(key, "")).split(",") if hop.strip()]
    if len(hops) < trusted_proxies:
        return remote  # Not through our proxies (a health check, say): the peer is the client.
    candidate = hops[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_ip(request: HttpRequest) -> str | None:
    return address_from_meta(request.META, settings.CLIENT_IP_HEADER, settings.TRUSTED_PROXY_COUNT)
