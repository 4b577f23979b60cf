"""Check an installed restflow: `python installed_modules.py PACKAGE... -- MODULE...`.

Run by `dev.py test` with the built wheel's virtualenv, from a folder holding no source
package. Exits non-zero, naming them, when a module does not import from the installed
copy or a package lacks its `py.typed` marker.
"""

from __future__ import annotations

import importlib
import sys
import sysconfig
from pathlib import Path

import django
from django.conf import settings


def problems(packages: list[str], modules: list[str]) -> list[str]:
    """What is wrong with the installed `packages` and `modules`, one line each."""
    installed = Path(sysconfig.get_paths()["purelib"]).resolve()
    found = []
    for name in packages:
        folder = Path(importlib.import_module(name).__file__ or "").resolve().parent
        if not (folder / "py.typed").is_file():
            found.append(f"{name}: no py.typed in {folder}")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            found.append(f"{name}: {error}")
            continue
        origin = Path(module.__file__ or "").resolve()
        if not origin.is_relative_to(installed):
            found.append(f"{name}: imported from {origin}, not from {installed}")
    return found


def main() -> int:
    """Configure a minimal Django, check every module, and print what is wrong."""
    separator = sys.argv.index("--")
    packages, modules = sys.argv[1:separator], sys.argv[separator + 1 :]
    settings.configure(
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
        # Some modules read it when imported (simplejwt signs with it: 32 bytes or more).
        SECRET_KEY="restflow-installed-modules-check-0123456789",
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    )
    django.setup()
    found = problems(packages, modules)
    for line in found:
        print(line, file=sys.stderr)
    print(f"{len(modules) - len(found)} of {len(modules)} modules import from the installed wheel")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
