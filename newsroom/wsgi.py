from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from newsroom import collector
from newsroom.settings import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

# Fail at start, not at the first request that signs a cookie.
require_secret_key()

# After loading, before the first request: what is loaded now is frozen (collector.py).
collector.tune()
