"""The machinery behind restflow's serializers (`restflow_django.serializers`).

- `async_hooks`: finding a serializer's `async def` hooks, decided once per class where
  the class alone decides them, and refusing them where sync code would call them;
- `awaiting`: awaiting those hooks around DRF's sync validation and representation;
- `rows`: reading rows through a serializer class's fields, bound once per class.
"""
