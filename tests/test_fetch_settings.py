"""The allow-list for fetching an intranet CMS, read strictly from the environment
(newsroom/settings.py), and the bound on uploaded files (newsroom/uploads.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from annotations.page_import import fetch_policy
from newsroom.settings import env_host_names, env_networks
from newsroom.uploads import was_too_large


def test_host_names_and_networks_are_read_as_written(monkeypatch):
    monkeypatch.setenv("HOSTS", " CMS.Intranet , .corp.example,")
    monkeypatch.setenv("NETS", "10.20.0.0/16, 192.168.1.7, fd00::/8")
    assert env_host_names("HOSTS") == ["cms.intranet", ".corp.example"]
    assert env_networks("NETS") == ["10.20.0.0/16", "192.168.1.7", "fd00::/8"]
    monkeypatch.delenv("HOSTS")
    assert env_host_names("HOSTS") == []


@pytest.mark.parametrize(
    "value",
    ["http://cms.intranet", "cms.intranet:8080", "cms.intranet/news", "cms intranet", "*.corp"],
)
def test_a_host_name_that_is_not_one_stops_the_app(monkeypatch, value):
    monkeypatch.setenv("HOSTS", value)
    with pytest.raises(ImproperlyConfigured, match="is not a host name"):
        env_host_names("HOSTS")


@pytest.mark.parametrize(
    "value", ["10.20.1.0/16", "10.20.0.0/33", "intranet", "10.20.0.0-10.20.0.9"]
)
def test_a_network_that_is_not_one_stops_the_app(monkeypatch, value):
    monkeypatch.setenv("NETS", value)
    with pytest.raises(ImproperlyConfigured, match="is not a network"):
        env_networks("NETS")


def test_the_fetch_policy_follows_the_settings(settings):
    settings.WEB_FETCH_ALLOWED_HOSTS = [".intranet"]
    settings.WEB_FETCH_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    policy = fetch_policy()
    assert policy.allows_host("cms.intranet") and not policy.allows_host("intranet.example")
    assert (policy.max_bytes, policy.timeout, policy.max_redirects) == (5_000_000, 10.0, 5)
    settings.WEB_FETCH_ALLOWED_NETWORKS = []
    assert fetch_policy().allowed_networks == ()


def test_the_readme_documents_both_settings():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in ("WEB_FETCH_ALLOWED_HOSTS", "WEB_FETCH_ALLOWED_NETWORKS"):
        assert re.search(rf"^\| `{name}` \|", readme, re.MULTILINE), name


def test_an_upload_over_the_limit_is_skipped_and_named(settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1000
    small = SimpleUploadedFile("small.html", b"x" * 1000)
    large = SimpleUploadedFile("large.html", b"x" * 1001)
    request = RequestFactory().post("/", {"small": small, "large": large, "title": "kept"})
    assert set(request.FILES) == {"small"}
    assert request.POST["title"] == "kept"
    assert was_too_large(request, "large") and not was_too_large(request, "small")


def test_the_tests_look_up_no_host_names():
    import socket

    with pytest.raises(socket.gaierror, match="tests look up no host names"):
        socket.getaddrinfo("example.com", 443)
    assert socket.getaddrinfo("127.1", 80)[0][4][0] == "127.0.0.1"
