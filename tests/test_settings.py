"""The strict environment helpers of newsroom/settings.py added for interop: a wrong
value stops the app with a sentence, it never becomes a default."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom.settings import env_label_names, env_site_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://sourcemark.example.org", "https://sourcemark.example.org"),
        ("https://sourcemark.example.org/", "https://sourcemark.example.org"),
        (" http://127.0.0.1:9000 ", "http://127.0.0.1:9000"),
        ("", ""),
    ],
)
def test_site_url_is_an_origin(monkeypatch, raw, expected):
    monkeypatch.setenv("SITE_URL", raw)
    assert env_site_url("SITE_URL", "http://default") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "sourcemark.example.org",
        "ftp://sourcemark.example.org",
        "https://sourcemark.example.org/app",
        "https://sourcemark.example.org?x=1",
        "https://user@sourcemark.example.org",
        "https://sourcemark.example.org:port",
        "https://",
    ],
)
def test_anything_else_stops_the_app(monkeypatch, raw):
    monkeypatch.setenv("SITE_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="SITE_URL must be the address"):
        env_site_url("SITE_URL", "")


def test_site_url_unset_is_the_default(monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    assert env_site_url("SITE_URL", "http://127.0.0.1:8000") == "http://127.0.0.1:8000"


def test_label_names_map_to_kinds(monkeypatch):
    monkeypatch.setenv(
        "IMPORT_LABEL_NAMES", '{"checked": "verified_fact", "Gerücht": "unsourced_speculation"}'
    )
    assert env_label_names("IMPORT_LABEL_NAMES") == {
        "checked": "verified_fact",
        "Gerücht": "unsourced_speculation",
    }
    monkeypatch.delenv("IMPORT_LABEL_NAMES")
    assert env_label_names("IMPORT_LABEL_NAMES") == {}


@pytest.mark.parametrize(
    "raw", ["not json", '["checked"]', '{"checked": "true"}', '{"": "verified_fact"}', '{"a": 1}']
)
def test_label_names_that_map_to_no_kind_stop_the_app(monkeypatch, raw):
    monkeypatch.setenv("IMPORT_LABEL_NAMES", raw)
    with pytest.raises(ImproperlyConfigured, match="IMPORT_LABEL_NAMES must be a JSON object"):
        env_label_names("IMPORT_LABEL_NAMES")
