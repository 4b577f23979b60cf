"""ASGI applications and URLconfs the system checks are tried on."""
