"""Prepare and serve the demo shop: `python -m examples.shop.serve [--port 8000] [--db PATH]`.

Creates the SQLite database, applies migrations, loads the sample data once, prints the
URLs to try, and serves the API with uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os

URLS = """
restflow demo shop on http://{host}:{port}/

  browsable API  http://{host}:{port}/api/
  products       http://{host}:{port}/api/products/?search=saw&ordering=-price
  one product    http://{host}:{port}/api/products/1/
  its reviews    http://{host}:{port}/api/products/1/reviews/
  NDJSON export  http://{host}:{port}/api/products/export/
  OpenAPI schema http://{host}:{port}/api/schema/
  Swagger UI     http://{host}:{port}/api/docs/
  log in         http://{host}:{port}/api-auth/login/   (ada, bob or admin; password "restflow")

  curl -H "Authorization: Token {token}" \\
       -H "Content-Type: application/json" \\
       -d '{{"name": "Mallet", "price": "9.50", "category": 1}}' \\
       http://{host}:{port}/api/products/
"""


def prepare() -> None:
    """Create or update the database and load the sample data if it is empty."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from examples.shop.catalog.seed import seed

    seed()


def main() -> None:
    """Parse the arguments, prepare the database and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", help="SQLite file (default: examples/shop/shop.sqlite3)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.shop.settings")
    if args.db:
        os.environ["RESTFLOW_SHOP_DB"] = args.db
    prepare()
    from examples.shop.catalog.seed import demo_token

    print(URLS.format(host=args.host, port=args.port, token=demo_token("ada")), flush=True)

    import uvicorn

    uvicorn.run("examples.shop.asgi:application", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
