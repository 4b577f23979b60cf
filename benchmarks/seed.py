"""Fill the benchmark database: ten categories and 1,000 products, from scratch."""

from __future__ import annotations

from decimal import Decimal


def seed() -> None:
    """Migrate, empty the tables and insert the fixed data set."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.core.management.color import no_style
    from django.db import connection

    from benchmarks.catalog.models import Category, Product

    # Empty the tables and restart their ids, so product 7 is always the same row.
    tables = [Product._meta.db_table, Category._meta.db_table]
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    )
    categories = Category.objects.bulk_create(Category(name=f"category {n}") for n in range(10))
    Product.objects.bulk_create(
        Product(
            name=f"product {n}",
            price=Decimal(n % 97) + Decimal("0.99"),
            stock=n % 13,
            category=categories[n % 10],
        )
        for n in range(1000)
    )
    if connection.vendor == "sqlite":
        # Readers and the writer do not block each other: SQLite's setting for concurrent
        # servers (it stays with the database file).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")


if __name__ == "__main__":
    seed()
