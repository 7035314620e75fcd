"""Who is on the other end of a request: IP address and a short device description."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from user_agents import parse as parse_user_agent

from okpay.identity.crypto import sha256_hex

MAX_USER_AGENT = 512


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str
    browser: str
    os: str

    @property
    def summary(self) -> str:
        """A short description such as "Chrome 126 on Linux" for logs and e-mails."""
        return f"{self.browser} / {self.os}"[:160]

    @property
    def ip_prefix(self) -> str:
        """The network the address belongs to: /24 for IPv4, /48 for IPv6."""
        if not self.ip:
            return "-"
        try:
            address = ipaddress.ip_address(self.ip)
        except ValueError:
            return "-"
        bits = 24 if address.version == 4 else 48
        return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))

    @property
    def device_fingerprint(self) -> str:
        """Browser family + OS family + network prefix: what makes a "new device"."""
        browser_family = self.browser.rsplit(" ", 1)[0] if " " in self.browser else self.browser
        return sha256_hex(f"{browser_family}|{self.os}|{self.ip_prefix}")


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def request_ip(request: HttpRequest) -> str | None:
    """The client's address. ``X-Forwarded-For`` is believed only behind trusted proxies."""
    proxies = int(getattr(settings, "OKPAY_TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [p for p in request.headers.get("X-Forwarded-For", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            found = _valid_ip(forwarded[-proxies])
            if found:
                return found
    return _valid_ip(request.META.get("REMOTE_ADDR", ""))


def describe_user_agent(user_agent: str) -> tuple[str, str]:
    """(browser, operating system) such as ("Chrome 126", "Linux"); "Unknown" when unsure."""
    if not user_agent:
        return "Unknown", "Unknown"
    parsed = parse_user_agent(user_agent)
    browser = parsed.browser.family or "Unknown"
    major = parsed.browser.version_string.split(".", 1)[0] if parsed.browser.version_string else ""
    if browser == "Other":
        browser = "Unknown"
    elif major:
        browser = f"{browser} {major}"
    os_name = parsed.os.family or "Unknown"
    if os_name == "Other":
        os_name = "Unknown"
    return browser[:64], os_name[:64]


def client_info(request: HttpRequest) -> ClientInfo:
    user_agent = request.headers.get("User-Agent", "")[:MAX_USER_AGENT]
    browser, os_name = describe_user_agent(user_agent)
    return ClientInfo(ip=request_ip(request), user_agent=user_agent, browser=browser, os=os_name)


NO_CLIENT = ClientInfo(ip=None, user_agent="", browser="Unknown", os="Unknown")
