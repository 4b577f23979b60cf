"""Sample data for the demo shop."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token

from examples.shop.catalog.models import Category, Product, Review

PASSWORD = "restflow"
SHELVES = {
    "Tools": ["Hammer", "Saw", "Chisel", "Drill", "Plane", "Level", "Clamp", "Rasp"],
    "Garden": ["Rake", "Hoe", "Spade", "Shears", "Trowel", "Hose", "Watering can"],
    "Kitchen": ["Kettle", "Whisk", "Ladle", "Colander", "Grater", "Skillet", "Teapot"],
    "Books": ["Dune", "Emma", "Ulysses", "Middlemarch", "Beloved", "Persuasion"],
}


def demo_token(username: str) -> str:
    """The API token the sample data gives `username`."""
    return f"{username}-demo-token".ljust(40, "0")


@transaction.atomic
def seed() -> bool:
    """Create users, categories, products and reviews; do nothing if products exist."""
    if Product.objects.exists():
        return False
    ada = User.objects.create_user("ada", password=PASSWORD)
    bob = User.objects.create_user("bob", password=PASSWORD)
    User.objects.create_user("admin", password=PASSWORD, is_staff=True, is_superuser=True)
    for user in (ada, bob):
        Token.objects.create(user=user, key=demo_token(user.username))
    number = 0
    for shelf, names in SHELVES.items():
        category = Category.objects.create(name=shelf)
        for name in names:
            number += 1
            owner = ada if number % 2 else bob
            product = Product.objects.create(
                name=name,
                description=f"A fine {name.lower()} from the {shelf.lower()} shelf.",
                price=Decimal(number * 3) + Decimal("0.99"),
                stock=number % 7,
                category=category,
                created_by=owner,
            )
            reviewer = bob if owner == ada else ada
            Review.objects.create(
                product=product, author=reviewer, rating=1 + number % 5, body="Does the job."
            )
    return True
