"""Why a plan could not be made: every problem found, each with where it is and what to do."""

from __future__ import annotations

from dataclasses import dataclass

from espqb.errors import EspqbError

__all__ = ["PlanError", "Problem", "Problems"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a send.

    ``path`` names the field, rooted at the send request (``order.total``,
    ``order.lines[2].product_number``, ``choices.suppliers.S1.cogs_account``) or at the company's
    settings (``settings.default_accounts.income``). ``message`` is a sentence for a bookkeeper.
    """

    path: str
    message: str


class PlanError(EspqbError):
    """The order cannot be planned; ``problems`` lists everything found, not just the first. Each
    gateway turns it into a failed step; it is never answered over HTTP as such."""

    slug, title = "order-not-plannable", "The order cannot be planned"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"- {p.path}: {p.message}" for p in self.problems)
        super().__init__(
            f"the order cannot be sent to QuickBooks ({len(self.problems)} problem(s)):\n{lines}"
        )


class Problems:
    """Collects problems while planning so that all of them are reported together."""

    def __init__(self) -> None:
        self._found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self._found.append(Problem(path, message))

    def __bool__(self) -> bool:
        return bool(self._found)

    def raise_if_any(self) -> None:
        if self._found:
            raise PlanError(self._found)
