"""The demo shop's ASGI application, for uvicorn; it serves its static files when `DEBUG`."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.shop.settings")

django_application = get_asgi_application()
# Swagger UI's files come from drf-spectacular-sidecar through staticfiles.
application = ASGIStaticFilesHandler(django_application) if settings.DEBUG else django_application
