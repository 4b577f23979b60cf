"""Each action's promises, run on the memory adapter and on the Django adapter alike.

Both adapters run the core's pipelines, so a client sees the same status codes, the same
hooks called in the same order, and the same stored rows, whichever adapter serves it.
"""

from __future__ import annotations

from tests.contract.drivers import Driver

TOO_LONG = "x" * 41


class TestCreate:
    async def test_a_valid_note_is_stored_and_answered_201(self, api: Driver) -> None:
        """The hook gets the validated note, stamps its owner, and the answer shows it."""
        status, body = await api.send("POST", "/notes/", {"title": "Dune"}, user="ada")

        assert status == 201
        assert (body["title"], body["pages"], body["owner"]) == ("Dune", 0, "ada")
        assert isinstance(body["id"], int)
        assert api.journal == [("create", "Dune")]
        assert await api.stored() == [("Dune", 0, "ada")]

    async def test_invalid_fields_are_400_together_and_nothing_runs(self, api: Driver) -> None:
        """Every invalid field is named in one 400; the hook never runs."""
        status, body = await api.send(
            "POST", "/notes/", {"title": TOO_LONG, "pages": -1}, user="ada"
        )

        assert status == 400
        assert set(body) == {"title", "pages"}
        assert api.journal == []
        assert await api.stored() == []

    async def test_an_anonymous_write_is_401(self, api: Driver) -> None:
        """Writing needs a signed-in user."""
        status, _ = await api.send("POST", "/notes/", {"title": "Dune"})

        assert status == 401
        assert await api.stored() == []

    async def test_a_hook_that_refuses_after_saving_leaves_nothing(self, api: Driver) -> None:
        """The unit of work rolls the hook's save back: 400 and no row."""
        status, body = await api.send("POST", "/failing-notes/", {"title": "Dune"}, user="ada")

        assert status == 400
        assert body == {"title": ["Refused after saving."]}
        assert await api.stored() == []


class TestList:
    async def test_pages_of_two_with_the_count(self, api: Driver) -> None:
        """Anybody lists; each page holds two notes and the total count."""
        for title in ("a", "b", "c"):
            await api.seed(title, "ada")

        first_status, first = await api.send("GET", "/notes/")
        second_status, second = await api.send("GET", "/notes/?page=2")

        assert (first_status, second_status) == (200, 200)
        assert first["count"] == second["count"] == 3
        assert [note["title"] for note in first["results"]] == ["a", "b"]
        assert [note["title"] for note in second["results"]] == ["c"]

    async def test_a_page_past_the_end_is_404(self, api: Driver) -> None:
        """Asking for a page that does not exist is a 404."""
        await api.seed("a", "ada")

        status, _ = await api.send("GET", "/notes/?page=9")

        assert status == 404


class TestRetrieve:
    async def test_a_note_is_answered_200(self, api: Driver) -> None:
        """Anybody reads one note."""
        pk = await api.seed("Dune", "ada", pages=3)

        status, body = await api.send("GET", f"/notes/{pk}/")

        assert status == 200
        assert (body["id"], body["title"], body["pages"]) == (pk, "Dune", 3)

    async def test_a_missing_note_is_404(self, api: Driver) -> None:
        """An id that names no note is a 404."""
        status, _ = await api.send("GET", "/notes/999/")

        assert status == 404


class TestUpdate:
    async def test_the_owner_patches_only_the_fields_sent(self, api: Driver) -> None:
        """PATCH changes `pages`, keeps `title`, and calls the hook once."""
        pk = await api.seed("Dune", "ada")

        status, body = await api.send("PATCH", f"/notes/{pk}/", {"pages": 7}, user="ada")

        assert status == 200
        assert (body["title"], body["pages"]) == ("Dune", 7)
        assert api.journal == [("update", pk)]
        assert await api.stored() == [("Dune", 7, "ada")]

    async def test_put_without_a_required_field_is_400(self, api: Driver) -> None:
        """PUT replaces the whole note, so a missing title is an error."""
        pk = await api.seed("Dune", "ada")

        status, body = await api.send("PUT", f"/notes/{pk}/", {"pages": 7}, user="ada")

        assert status == 400
        assert set(body) == {"title"}
        assert api.journal == []
        assert await api.stored() == [("Dune", 0, "ada")]

    async def test_another_user_is_403_before_validation(self, api: Driver) -> None:
        """The object permission refuses before the payload is even looked at."""
        pk = await api.seed("Dune", "ada")

        status, _ = await api.send("PATCH", f"/notes/{pk}/", {"pages": -1}, user="bob")

        assert status == 403
        assert api.journal == []
        assert await api.stored() == [("Dune", 0, "ada")]

    async def test_anonymous_is_401_and_missing_is_404(self, api: Driver) -> None:
        """No user is a 401; a signed-in user asking for no note is a 404."""
        pk = await api.seed("Dune", "ada")

        anonymous, _ = await api.send("PATCH", f"/notes/{pk}/", {"pages": 1})
        missing, _ = await api.send("PATCH", "/notes/999/", {"pages": 1}, user="ada")

        assert (anonymous, missing) == (401, 404)
        assert await api.stored() == [("Dune", 0, "ada")]

    async def test_a_hook_that_refuses_after_saving_changes_nothing(self, api: Driver) -> None:
        """The hook saved, then refused: the stored note is as it was."""
        pk = await api.seed("Dune", "ada")

        status, _ = await api.send("PATCH", f"/failing-notes/{pk}/", {"pages": 7}, user="ada")

        assert status == 400
        assert api.journal == [("update", pk)]
        assert await api.stored() == [("Dune", 0, "ada")]


class TestDestroy:
    async def test_the_owner_deletes_with_204(self, api: Driver) -> None:
        """The hook gets the note; the answer has no body; the row is gone."""
        pk = await api.seed("Dune", "ada")

        status, body = await api.send("DELETE", f"/notes/{pk}/", user="ada")

        assert (status, body) == (204, None)
        assert api.journal == [("destroy", pk)]
        assert await api.stored() == []

    async def test_another_user_is_403_and_missing_is_404(self, api: Driver) -> None:
        """Only the owner deletes; a note that is not there is a 404."""
        pk = await api.seed("Dune", "ada")

        refused, _ = await api.send("DELETE", f"/notes/{pk}/", user="bob")
        missing, _ = await api.send("DELETE", "/notes/999/", user="ada")

        assert (refused, missing) == (403, 404)
        assert api.journal == []
        assert await api.stored() == [("Dune", 0, "ada")]

    async def test_a_hook_that_refuses_after_deleting_keeps_the_row(self, api: Driver) -> None:
        """The hook deleted, then refused: the note is still stored."""
        pk = await api.seed("Dune", "ada")

        status, _ = await api.send("DELETE", f"/failing-notes/{pk}/", user="ada")

        assert status == 400
        assert await api.stored() == [("Dune", 0, "ada")]
