from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self) -> None:
        from annotations.interop_export import check_site_url

        checks.register(check_site_url, "sourcemark", deploy=True)
