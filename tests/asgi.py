"""The test project as an ASGI application, for servers started by tests."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

from restflow_django.asgi import get_asgi_application

application = get_asgi_application()
