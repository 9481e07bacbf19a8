"""Behind a TLS-terminating proxy named in PHONEBANK_FORWARDED_ALLOW_IPS, every URL, cookie and
signature check is https; a client that is not that proxy cannot claim https for itself.

A real `phonebank serve` process sits behind a real TLS proxy (tests/security/tls_proxy.py)
that reaches it from 127.0.0.2, the one address the server is told to trust.
"""

import re
import ssl
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest
from twilio.request_validator import RequestValidator

from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD
from tests.security.tls_proxy import TlsProxy, self_signed_certificate
from tests.servers import Server, free_port

PROXY_ADDRESS = "127.0.0.2"
TWILIO_TOKEN = "twilio-auth-token-for-tests"


@pytest.fixture(scope="module")
def behind_proxy(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, TlsProxy, Path]]:
    """The server, the proxy in front of it, and the proxy's certificate."""
    directory = tmp_path_factory.mktemp("proxy")
    cert, key = self_signed_certificate(directory)
    port = free_port()
    proxy = TlsProxy(cert, key, backend_port=port, source=PROXY_ADDRESS)
    server = Server(
        database=directory / "proxy.db",
        log=directory / "server.log",
        port=port,
        env={
            "PHONEBANK_FORWARDED_ALLOW_IPS": PROXY_ADDRESS,
            "PHONEBANK_BASE_URL": proxy.base_url,
            "PHONEBANK_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "PHONEBANK_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "PHONEBANK_TWILIO_CALLER_NUMBER": "+14155550123",
        },
    )
    server.start()
    proxy.start()
    yield server, proxy, cert
    proxy.stop()
    server.stop()


def _https(proxy: TlsProxy, cert: Path, **kwargs: object) -> httpx.Client:
    trusted = ssl.create_default_context(cafile=str(cert))
    return httpx.Client(base_url=proxy.base_url, verify=trusted, timeout=15, **kwargs)  # type: ignore[arg-type]


def test_pages_load_their_assets_over_the_proxy(
    behind_proxy: tuple[Server, TlsProxy, Path],
) -> None:
    _, proxy, cert = behind_proxy
    with _https(proxy, cert) as client:
        page = client.get("/call")
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', page.text)
        assert assets, page.text
        # Relative to the page: whatever scheme and host the browser used, assets follow it.
        assert not [url for url in assets if "://" in url], assets
        for asset in assets:
            assert client.get(urljoin(f"{proxy.base_url}/call", asset)).status_code == 200


def test_cookies_are_secure_and_uris_https_behind_the_proxy(
    behind_proxy: tuple[Server, TlsProxy, Path],
) -> None:
    server, proxy, cert = behind_proxy
    with _https(proxy, cert) as client:
        login = client.post(
            "/api/v1/caller/login",
            json={"email": DEMO_CALLER_EMAIL, "password": DEMO_CALLER_PASSWORD},
        )
        assert login.status_code == 200, login.text
        cookies = login.headers.get_list("set-cookie")
        assert cookies and all("Secure" in cookie for cookie in cookies), cookies
        campaigns = client.get(
            "/api/v1/campaigns", headers={"Authorization": f"Bearer {server.api_key}"}
        )
        assert campaigns.status_code == 200
        uris = [item["uri"] for item in campaigns.json()["items"]]
        assert uris and all(uri.startswith(f"{proxy.base_url}/") for uri in uris), uris


def test_a_client_that_is_not_the_proxy_cannot_claim_https(
    behind_proxy: tuple[Server, TlsProxy, Path],
) -> None:
    server, _, _ = behind_proxy
    campaigns = httpx.get(
        f"{server.base_url}/api/v1/campaigns",
        headers={"Authorization": f"Bearer {server.api_key}", "X-Forwarded-Proto": "https"},
        timeout=15,
    )
    assert campaigns.status_code == 200
    assert all(item["uri"].startswith("http://") for item in campaigns.json()["items"])


def test_twilio_signatures_are_checked_against_the_public_https_url(
    behind_proxy: tuple[Server, TlsProxy, Path],
) -> None:
    _, proxy, cert = behind_proxy
    url = f"{proxy.base_url}/telephony/twilio/dial-in"
    params = {"CallSid": "CA" + "1" * 32, "From": "+14155550199"}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    with _https(proxy, cert) as client:
        signed = client.post(
            "/telephony/twilio/dial-in", data=params, headers={"X-Twilio-Signature": signature}
        )
        forged = client.post(
            "/telephony/twilio/dial-in", data=params, headers={"X-Twilio-Signature": "forged"}
        )
    assert signed.status_code == 200, signed.text
    assert forged.status_code == 403
