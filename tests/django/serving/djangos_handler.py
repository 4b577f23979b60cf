"""The project served as `startproject` leaves it: Django's own ASGI handler."""

from django.core.asgi import get_asgi_application

application = get_asgi_application()
