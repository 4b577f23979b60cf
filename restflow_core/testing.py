"""Conformance scenarios adapter authors run: the same HTTP-level promises on any adapter.

An adapter under test serves a notes API and is reached through a `Driver`:

- `/notes/` and `/notes/<id>/` serve the five actions on notes with `id` (read only),
  `title` (required, at most 40 characters), `pages` (an integer of at least 0, default 0)
  and `owner` (read only: the create hook stores the user's name);
- anybody reads; writing needs a signed-in user (401 otherwise); only a note's owner changes
  or deletes it (403, checked before the payload is validated);
- lists come two notes a page, `?page=N`, as `{"count": ..., "results": [...]}`, and a page
  past the end is a 404;
- writes run in a unit of work; the create, update and destroy hooks append
  `("create", title)`, `("update", id)` and `("destroy", id)` to `driver.journal`;
- `/failing-notes/` is the same API whose write hooks write and then refuse with a
  validation error on `title` ("Refused after saving." or "Refused after deleting."): 400,
  and nothing they wrote may stay;
- bodies are JSON: a body that is not JSON is a 400 whose `detail` starts with
  "JSON parse error - ", and a body of another media type a 415;
- `Authorization: Token <key>` authenticates (the first authentication scheme, so a 401
  names `Token` in `WWW-Authenticate`); a key nobody holds is a 401 "Invalid token.";
- `?search=` keeps the notes whose title or owner contains every term, case ignored, with
  DRF's rules for terms (whitespace and commas separate them; a quoted phrase is one term);
- a 405 names the URL's methods in `Allow`.

Each scenario is an `async` function taking the driver; it raises `AssertionError` naming
the broken promise. `SCENARIOS` lists them all, for a test runner to parametrize over:
every adapter must pass them.

`SERIALIZER_SCENARIOS` are optional: they hold an adapter whose serializers await
`async def` hooks to their contract, for adapters that offer such hooks. They need one
more route:

- `/checked-notes/` is the notes API whose serializer has three async hooks: the field hook
  of `title` collapses its runs of whitespace and refuses a title another note has
  ("A note with this title exists.", asked of the store); the object hook refuses 13
  pages ("Thirteen pages are refused."); and a method field `words` answers the number of
  words in the title.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

__all__ = [
    "SCENARIOS",
    "SERIALIZER_SCENARIOS",
    "TAKEN",
    "TOO_LONG",
    "Driver",
    "Journal",
    "Scenario",
    "a_method_without_an_action_is_405",
    "anonymous_create_is_401",
    "anonymous_patch_is_401_and_missing_is_404",
    "another_user_is_403_before_validation",
    "async_field_hook_refuses_with_400_and_writes_nothing",
    "async_field_hook_value_is_stored",
    "async_method_field_is_in_every_answer",
    "async_object_hook_refuses_with_non_field_errors",
    "async_object_hook_waits_for_valid_fields",
    "concurrent_units_keep_only_their_own_writes",
    "create_stores_and_answers_201",
    "expect",
    "failing_create_leaves_nothing",
    "failing_delete_keeps_the_note",
    "failing_update_changes_nothing",
    "invalid_fields_are_one_400",
    "list_pages_two_with_the_count",
    "malformed_json_is_400_and_writes_nothing",
    "method_not_allowed_names_the_allowed",
    "missing_note_is_404",
    "other_delete_is_403_and_missing_is_404",
    "other_media_type_is_415",
    "owner_deletes_with_204",
    "page_past_the_end_is_404",
    "patch_changes_only_what_is_sent",
    "put_without_a_required_field_is_400",
    "refusals_of_sync_and_async_hooks_are_one_400",
    "retrieve_answers_200",
    "search_keeps_notes_matching_every_term",
    "unknown_token_is_401",
]

Journal = list[tuple[Any, ...]]
Scenario = Callable[["Driver"], Awaitable[None]]
TOO_LONG = "x" * 41


class Driver(Protocol):
    """Sends requests to one adapter's notes API and reads what it stored."""

    journal: Journal

    async def send(
        self, method: str, path: str, body: Any = None, *, user: str | None = None
    ) -> tuple[int, Any]:
        """Send `method` on `path` as `user` (anonymous when `None`): the status and body."""
        ...

    async def seed(self, title: str, owner: str, pages: int = 0) -> int:
        """Store a note directly; return its id."""
        ...

    async def stored(self) -> list[tuple[str, int, str]]:
        """Every stored note as `(title, pages, owner)`, in id order."""
        ...

    async def exchange(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        headers: Mapping[str, str] | None = None,
        user: str | None = None,
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Send the raw `body` with `headers` (names in lower case), as `user`: the status,
        the JSON body (`None` when empty), and the answer's headers (names in lower case)."""
        ...


def expect(actual: Any, expected: Any, promise: str) -> None:
    """Raise `AssertionError` naming `promise` unless `actual == expected`."""
    if actual != expected:
        raise AssertionError(f"{promise}: expected {expected!r}, got {actual!r}")


async def create_stores_and_answers_201(api: Driver) -> None:
    """A valid note is stored with its owner, the hook runs once, the answer is 201."""
    status, body = await api.send("POST", "/notes/", {"title": "Dune"}, user="ada")

    expect(status, 201, "a create answers 201")
    expect((body["title"], body["pages"], body["owner"]), ("Dune", 0, "ada"), "the answer")
    expect(isinstance(body["id"], int), True, "the answer carries the saved id")
    expect(api.journal, [("create", "Dune")], "the create hook runs once")
    expect(await api.stored(), [("Dune", 0, "ada")], "the stored note")


async def invalid_fields_are_one_400(api: Driver) -> None:
    """Every invalid field is named in one 400, and the hook never runs."""
    status, body = await api.send("POST", "/notes/", {"title": TOO_LONG, "pages": -1}, user="ada")

    expect(status, 400, "invalid fields answer 400")
    expect(set(body), {"title", "pages"}, "the 400 names every invalid field")
    expect(api.journal, [], "no hook runs for an invalid payload")
    expect(await api.stored(), [], "nothing is stored")


async def anonymous_create_is_401(api: Driver) -> None:
    """Writing needs a signed-in user."""
    status, _ = await api.send("POST", "/notes/", {"title": "Dune"})

    expect(status, 401, "an anonymous write answers 401")
    expect(await api.stored(), [], "nothing is stored")


async def failing_create_leaves_nothing(api: Driver) -> None:
    """A create hook that saves and then refuses is rolled back."""
    status, body = await api.send("POST", "/failing-notes/", {"title": "Dune"}, user="ada")

    expect(status, 400, "a refusing hook answers 400")
    expect(body, {"title": ["Refused after saving."]}, "the hook's error")
    expect(await api.stored(), [], "the hook's save is rolled back")


async def list_pages_two_with_the_count(api: Driver) -> None:
    """Anybody lists; each page holds two notes and the total count."""
    for title in ("a", "b", "c"):
        await api.seed(title, "ada")

    first_status, first = await api.send("GET", "/notes/")
    second_status, second = await api.send("GET", "/notes/?page=2")

    expect((first_status, second_status), (200, 200), "pages answer 200")
    expect((first["count"], second["count"]), (3, 3), "each page counts every note")
    expect([note["title"] for note in first["results"]], ["a", "b"], "page 1")
    expect([note["title"] for note in second["results"]], ["c"], "page 2")


async def page_past_the_end_is_404(api: Driver) -> None:
    """Asking for a page that does not exist is a 404."""
    await api.seed("a", "ada")

    status, _ = await api.send("GET", "/notes/?page=9")

    expect(status, 404, "a page past the end answers 404")


async def retrieve_answers_200(api: Driver) -> None:
    """Anybody reads one note."""
    pk = await api.seed("Dune", "ada", pages=3)

    status, body = await api.send("GET", f"/notes/{pk}/")

    expect(status, 200, "a retrieve answers 200")
    expect((body["id"], body["title"], body["pages"]), (pk, "Dune", 3), "the note")


async def missing_note_is_404(api: Driver) -> None:
    """An id that names no note is a 404."""
    status, _ = await api.send("GET", "/notes/999/")

    expect(status, 404, "a missing note answers 404")


async def patch_changes_only_what_is_sent(api: Driver) -> None:
    """PATCH changes `pages`, keeps `title`, and calls the hook once."""
    pk = await api.seed("Dune", "ada")

    status, body = await api.send("PATCH", f"/notes/{pk}/", {"pages": 7}, user="ada")

    expect(status, 200, "a PATCH answers 200")
    expect((body["title"], body["pages"]), ("Dune", 7), "the answer")
    expect(api.journal, [("update", pk)], "the update hook runs once")
    expect(await api.stored(), [("Dune", 7, "ada")], "the stored note")


async def put_without_a_required_field_is_400(api: Driver) -> None:
    """PUT replaces the whole note, so a missing title is an error."""
    pk = await api.seed("Dune", "ada")

    status, body = await api.send("PUT", f"/notes/{pk}/", {"pages": 7}, user="ada")

    expect(status, 400, "a PUT missing a required field answers 400")
    expect(set(body), {"title"}, "the 400 names the missing field")
    expect(api.journal, [], "no hook runs")
    expect(await api.stored(), [("Dune", 0, "ada")], "the note is unchanged")


async def another_user_is_403_before_validation(api: Driver) -> None:
    """The object permission refuses before the payload is even looked at."""
    pk = await api.seed("Dune", "ada")

    status, _ = await api.send("PATCH", f"/notes/{pk}/", {"pages": -1}, user="bob")

    expect(status, 403, "another user's write answers 403, before validation")
    expect(api.journal, [], "no hook runs")
    expect(await api.stored(), [("Dune", 0, "ada")], "the note is unchanged")


async def anonymous_patch_is_401_and_missing_is_404(api: Driver) -> None:
    """No user is a 401; a signed-in user asking for no note is a 404."""
    pk = await api.seed("Dune", "ada")

    anonymous, _ = await api.send("PATCH", f"/notes/{pk}/", {"pages": 1})
    missing, _ = await api.send("PATCH", "/notes/999/", {"pages": 1}, user="ada")

    expect((anonymous, missing), (401, 404), "anonymous and missing")
    expect(await api.stored(), [("Dune", 0, "ada")], "the note is unchanged")


async def failing_update_changes_nothing(api: Driver) -> None:
    """An update hook that saves and then refuses is rolled back."""
    pk = await api.seed("Dune", "ada")

    status, _ = await api.send("PATCH", f"/failing-notes/{pk}/", {"pages": 7}, user="ada")

    expect(status, 400, "a refusing hook answers 400")
    expect(api.journal, [("update", pk)], "the hook ran")
    expect(await api.stored(), [("Dune", 0, "ada")], "the hook's save is rolled back")


async def owner_deletes_with_204(api: Driver) -> None:
    """The hook gets the note; the answer has no body; the note is gone."""
    pk = await api.seed("Dune", "ada")

    status, body = await api.send("DELETE", f"/notes/{pk}/", user="ada")

    expect((status, body), (204, None), "a delete answers 204 with no body")
    expect(api.journal, [("destroy", pk)], "the destroy hook runs once")
    expect(await api.stored(), [], "the note is gone")


async def other_delete_is_403_and_missing_is_404(api: Driver) -> None:
    """Only the owner deletes; a note that is not there is a 404."""
    pk = await api.seed("Dune", "ada")

    refused, _ = await api.send("DELETE", f"/notes/{pk}/", user="bob")
    missing, _ = await api.send("DELETE", "/notes/999/", user="ada")

    expect((refused, missing), (403, 404), "another user's and a missing delete")
    expect(api.journal, [], "no hook runs")
    expect(await api.stored(), [("Dune", 0, "ada")], "the note stays")


async def failing_delete_keeps_the_note(api: Driver) -> None:
    """A destroy hook that deletes and then refuses is rolled back."""
    pk = await api.seed("Dune", "ada")

    status, _ = await api.send("DELETE", f"/failing-notes/{pk}/", user="ada")

    expect(status, 400, "a refusing hook answers 400")
    expect(await api.stored(), [("Dune", 0, "ada")], "the delete is rolled back")


async def a_method_without_an_action_is_405(api: Driver) -> None:
    """POST on a note and PUT on the collection have no action."""
    pk = await api.seed("Dune", "ada")

    on_note, _ = await api.send("POST", f"/notes/{pk}/", {"title": "x"}, user="ada")
    on_collection, _ = await api.send("PUT", "/notes/", {"title": "x"}, user="ada")

    expect((on_note, on_collection), (405, 405), "methods without an action answer 405")
    expect(await api.stored(), [("Dune", 0, "ada")], "nothing is written")


async def concurrent_units_keep_only_their_own_writes(api: Driver) -> None:
    """Writes running at once, half refused after saving: exactly the others' rows stay.

    A store that cannot take them all at once may answer 503 to some; none is half-written.
    """
    sends = [
        api.send("POST", "/failing-notes/" if n % 2 else "/notes/", {"title": f"n{n}"}, user="ada")
        for n in range(6)
    ]
    answers = await asyncio.gather(*sends)

    created = set()
    for n, (status, body) in enumerate(answers):
        allowed = {400, 503} if n % 2 else {201, 503}
        expect(status in allowed, True, f"request {n} answers one of {sorted(allowed)}")
        if status == 201:
            created.add(body["title"])
    expect({title for title, _, _ in await api.stored()}, created, "only created notes stay")


async def malformed_json_is_400_and_writes_nothing(api: Driver) -> None:
    """A body that is not JSON is a 400 naming the parse error; no hook runs."""
    status, body, _ = await api.exchange(
        "POST", "/notes/", b'{"title": ', headers={"content-type": "application/json"}, user="ada"
    )

    expect(status, 400, "malformed JSON answers 400")
    expect(str(body["detail"]).startswith("JSON parse error - "), True, "the detail says why")
    expect((api.journal, await api.stored()), ([], []), "nothing runs, nothing is written")


async def other_media_type_is_415(api: Driver) -> None:
    """A body of a media type the API does not read is a 415 naming the type."""
    status, body, _ = await api.exchange(
        "POST", "/notes/", b"title=Dune", headers={"content-type": "text/plain"}, user="ada"
    )

    expect(status, 415, "an unread media type answers 415")
    expect(body, {"detail": 'Unsupported media type "text/plain" in request.'}, "the detail")
    expect(await api.stored(), [], "nothing is written")


async def unknown_token_is_401(api: Driver) -> None:
    """A token nobody holds is a 401 that names the scheme, even where reading is open."""
    status, body, headers = await api.exchange(
        "GET", "/notes/", headers={"authorization": "Token not-a-token"}
    )

    expect(status, 401, "an unknown token answers 401")
    expect(body, {"detail": "Invalid token."}, "the detail")
    expect(headers.get("www-authenticate"), "Token", "WWW-Authenticate names the scheme")


async def search_keeps_notes_matching_every_term(api: Driver) -> None:
    """`?search=` with DRF's rules: every term, in the title or the owner, case ignored."""
    await api.seed("Alpha beta", "ada")
    await api.seed("alpha gamma", "bob")
    await api.seed("Gamma ray", "cy")

    async def titles(query: str) -> list[str]:
        status, body = await api.send("GET", f"/notes/?search={query}")
        expect(status, 200, f"search {query!r} answers 200")
        return [note["title"] for note in body["results"]]

    expect(await titles("ALPHA"), ["Alpha beta", "alpha gamma"], "a term, case ignored")
    expect(await titles("alpha,gamma"), ["alpha gamma"], "every term must match")
    expect(await titles("%22a%20g%22"), ["alpha gamma"], "a quoted phrase is one term")
    expect(await titles("bob"), ["alpha gamma"], "the owner is searched too")
    expect(await titles("zzz"), [], "no match, no notes")


async def method_not_allowed_names_the_allowed(api: Driver) -> None:
    """A 405 lists the methods the URL answers in `Allow`."""
    status, _, headers = await api.exchange("PUT", "/notes/", b"{}", user="ada")

    allowed = {method.strip() for method in headers.get("allow", "").split(",")}
    expect(status, 405, "PUT on the list URL answers 405")
    expect({"GET", "POST"} <= allowed, True, f"Allow lists GET and POST (got {allowed})")


SCENARIOS: tuple[Scenario, ...] = (
    create_stores_and_answers_201,
    invalid_fields_are_one_400,
    anonymous_create_is_401,
    failing_create_leaves_nothing,
    list_pages_two_with_the_count,
    page_past_the_end_is_404,
    retrieve_answers_200,
    missing_note_is_404,
    patch_changes_only_what_is_sent,
    put_without_a_required_field_is_400,
    another_user_is_403_before_validation,
    anonymous_patch_is_401_and_missing_is_404,
    failing_update_changes_nothing,
    owner_deletes_with_204,
    other_delete_is_403_and_missing_is_404,
    failing_delete_keeps_the_note,
    a_method_without_an_action_is_405,
    concurrent_units_keep_only_their_own_writes,
    malformed_json_is_400_and_writes_nothing,
    other_media_type_is_415,
    unknown_token_is_401,
    search_keeps_notes_matching_every_term,
    method_not_allowed_names_the_allowed,
)


# Serializers with async hooks, at `/checked-notes/`.

TAKEN = "A note with this title exists."


async def async_field_hook_value_is_stored(api: Driver) -> None:
    """What the async field hook returns is what is answered and stored."""
    status, body = await api.send("POST", "/checked-notes/", {"title": " two   words "}, user="ada")

    expect(status, 201, "a create through async hooks answers 201")
    expect(body["title"], "two words", "the field hook's value is answered")
    expect(await api.stored(), [("two words", 0, "ada")], "the field hook's value is stored")


async def async_field_hook_refuses_with_400_and_writes_nothing(api: Driver) -> None:
    """A refusal of the async field hook is the field's error, and nothing is written."""
    await api.seed("Dune", "bob")

    status, body = await api.send("POST", "/checked-notes/", {"title": "Dune"}, user="ada")

    expect(status, 400, "the field hook's refusal answers 400")
    expect(body, {"title": [TAKEN]}, "the refusal is keyed by the field")
    expect(api.journal, [], "no write hook runs")
    expect(await api.stored(), [("Dune", 0, "bob")], "nothing is written")


async def async_object_hook_refuses_with_non_field_errors(api: Driver) -> None:
    """A refusal of the async object hook is a non-field error."""
    status, body = await api.send(
        "POST", "/checked-notes/", {"title": "Dune", "pages": 13}, user="ada"
    )

    expect(status, 400, "the object hook's refusal answers 400")
    expect(body, {"non_field_errors": ["Thirteen pages are refused."]}, "the refusal")
    expect(await api.stored(), [], "nothing is written")


async def async_object_hook_waits_for_valid_fields(api: Driver) -> None:
    """The object hook does not run when a field failed."""
    await api.seed("Dune", "bob")

    status, body = await api.send(
        "POST", "/checked-notes/", {"title": "Dune", "pages": 13}, user="ada"
    )

    expect((status, body), (400, {"title": [TAKEN]}), "only the field's refusal")


async def refusals_of_sync_and_async_hooks_are_one_400(api: Driver) -> None:
    """A sync field rule and an async field hook refuse together, in one 400."""
    await api.seed("Dune", "bob")

    status, body = await api.send(
        "POST", "/checked-notes/", {"title": "Dune", "pages": -1}, user="ada"
    )

    expect(status, 400, "the refusals answer 400")
    expect(
        body,
        {"title": [TAKEN], "pages": ["Ensure this value is greater than or equal to 0."]},
        "both fields' refusals",
    )


async def async_method_field_is_in_every_answer(api: Driver) -> None:
    """Create, retrieve, list and update answer with the awaited method field."""
    await api.seed("a b c", "ada")
    _, created = await api.send("POST", "/checked-notes/", {"title": "one two"}, user="ada")
    _, retrieved = await api.send("GET", f"/checked-notes/{created['id']}/")
    _, updated = await api.send(
        "PATCH", f"/checked-notes/{created['id']}/", {"title": "one"}, user="ada"
    )
    _, listed = await api.send("GET", "/checked-notes/")

    expect(created["words"], 2, "the create's answer")
    expect(retrieved["words"], 2, "the retrieve's answer")
    expect(updated["words"], 1, "the update's answer")
    expect([note["words"] for note in listed["results"]], [3, 1], "the list's answer")


SERIALIZER_SCENARIOS: tuple[Scenario, ...] = (
    async_field_hook_value_is_stored,
    async_field_hook_refuses_with_400_and_writes_nothing,
    async_object_hook_refuses_with_non_field_errors,
    async_object_hook_waits_for_valid_fields,
    refusals_of_sync_and_async_hooks_are_one_400,
    async_method_field_is_in_every_answer,
)
