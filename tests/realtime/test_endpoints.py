"""A malformed endpoint is one sentence naming it, before anything is sent; good ones pass untouched."""

from __future__ import annotations

import pytest

from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.endpoints import malformed_field, url_problem
from desktop.realtime.errors import SessionError
from desktop.realtime.providers import provider_for

KEY = "sk-secret-key-0123456789"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not a url", "must begin with https://"),
        ("http:/x", "must begin with https://"),
        ("res.openai.azure.com", "must begin with https://"),
        ("ftp://x", "begins with ftp://"),
        ("https://", "names no host"),
        ("https://my resource.openai.azure.com", "contains spaces"),
        ("https://res.openai.azure.com:port", "port"),
        ("https://res.openai.azure.com/?api-version=1", "query"),
        ("https://res.openai.azure.com/#top", "fragment"),
        ("https://me:pw@res.openai.azure.com", "password"),
        ("http://[::1", "cannot be read"),
    ],
)
def test_malformed_urls_are_named_with_the_reason(value: str, reason: str) -> None:
    assert reason in url_problem(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://res.openai.azure.com",
        "https://res.openai.azure.com/",
        "http://127.0.0.1:8080",
        "http://[::1]:80/v1",
    ],
)
def test_good_urls_pass(value: str) -> None:
    assert url_problem(value) == ""


@pytest.mark.parametrize("kind", [ProviderKind.AZURE, ProviderKind.OPENAI, ProviderKind.AZURE_PREVIEW])
def test_the_call_refuses_a_malformed_endpoint_without_showing_the_key(kind: ProviderKind) -> None:
    config = SessionConfig(
        provider=kind,
        endpoint=f"https://x.example.com/?key={KEY}",
        webrtc_url="https://eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc",
        deployment="d",
        api_key=KEY,
    )
    with pytest.raises(SessionError) as caught:
        provider_for(config)
    error = caught.value
    quoted = "'https://x.example.com/?key=***' (a query (?…) does not belong in it)."
    assert error.message == f"The endpoint is not a valid URL: {quoted}"
    assert (error.code, error.retryable) == ("bad_endpoint", False)


def _preview(endpoint: str, webrtc_url: str) -> SessionConfig:
    return SessionConfig(
        provider=ProviderKind.AZURE_PREVIEW,
        endpoint=endpoint,
        webrtc_url=webrtc_url,
        deployment="d",
        api_key=KEY,
    )


def test_where_a_query_belongs_it_is_accepted() -> None:
    sessions = "https://res.openai.azure.com/openai/realtimeapi/sessions?api-version=2025-04-01-preview"
    regional = "eastus2.realtimeapi-preview.ai.azure.com/v1/realtimertc"
    pasted = provider_for(_preview(sessions, f"https://{regional}?model=d"))
    assert pasted.mint_url.endswith("?api-version=2025-04-01-preview") and pasted.sdp_url.endswith("?model=d")
    with pytest.raises(SessionError, match="The regional WebRTC URL is not a valid URL: 'eastus2"):
        provider_for(_preview("https://res.openai.azure.com", regional))


def test_a_blank_openai_base_url_is_the_default_and_a_blank_azure_one_is_said_plainly() -> None:
    blank = SessionConfig(provider=ProviderKind.OPENAI, endpoint="  ", deployment="m", api_key=KEY)
    openai = provider_for(blank)
    assert openai.mint_url == "https://api.openai.com/v1/realtime/client_secrets"
    with pytest.raises(SessionError, match=r"^No Azure OpenAI endpoint is configured\.$"):
        provider_for(SessionConfig(provider=ProviderKind.AZURE, endpoint=" ", deployment="d", api_key=KEY))


def test_the_dialog_is_told_which_field() -> None:
    preview = ProviderKind.AZURE_PREVIEW
    assert malformed_field(ProviderKind.AZURE, "not a url", "") == "endpoint"
    assert malformed_field(preview, "https://res.openai.azure.com", "eastus2/v1/realtimertc") == "webrtc_url"
    assert malformed_field(ProviderKind.AZURE, "https://res.openai.azure.com", "not a url") == ""  # unused
    assert malformed_field(ProviderKind.DEMO, "not a url", "") == ""  # the demo uses neither
    assert malformed_field(ProviderKind.AZURE, "", "") == ""  # empty: for the connection test to name
