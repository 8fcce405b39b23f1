"""An index of names that must be unique, so uniqueness checks do not scan every record."""

from __future__ import annotations


class UniqueNames:
    """Names that must be unique within a namespace (DisplayName of customers, vendors and employees;
    item names; account names under one parent; invoice numbers), compared without regard to case.

    An index rather than a scan, so a company with thousands of customers still writes quickly.
    """

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], tuple[str, str]] = {}

    @staticmethod
    def _key(namespace: str, name: str) -> tuple[str, str]:
        return namespace, name.strip().casefold()

    def owner(self, namespace: str, name: str) -> tuple[str, str] | None:
        """(kind, id) of the entity holding ``name``, if any."""
        return self._owners.get(self._key(namespace, name))

    def claim(
        self, namespace: str, name: str, kind: str, entity_id: str, *, previous: str | None = None
    ) -> None:
        if previous is not None:
            self.release(namespace, previous, kind, entity_id)
        self._owners[self._key(namespace, name)] = (kind, entity_id)

    def release(self, namespace: str, name: str, kind: str, entity_id: str) -> None:
        key = self._key(namespace, name)
        if self._owners.get(key) == (kind, entity_id):
            del self._owners[key]
