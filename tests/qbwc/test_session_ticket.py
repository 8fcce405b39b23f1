"""A session's ticket never looks like the ticket of a poll that started no session."""

from __future__ import annotations

import pytest

from qbwc_gateway.session import login


def test_a_random_ticket_that_starts_like_an_unstored_one_is_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # secrets.token_urlsafe starts with "x-" once in 4,096 draws: that session was answered as
    # though it had none ("" to sendRequestXML), so the update ended with nothing sent.
    draws = iter(["x-" + "a" * 41, "x-" + "b" * 41, "Qx" + "c" * 41])
    monkeypatch.setattr(login.secrets, "token_urlsafe", lambda _n: next(draws))

    ticket = login.new_ticket()

    assert ticket == "Qx" + "c" * 41
    assert not login.is_unstored(ticket)
    assert login.is_unstored(login.unstored_ticket(login.NONE))


def test_tickets_are_long_and_different() -> None:
    tickets = {login.new_ticket() for _ in range(50)}
    assert len(tickets) == 50
    assert all(len(t) >= 43 and not login.is_unstored(t) for t in tickets)
