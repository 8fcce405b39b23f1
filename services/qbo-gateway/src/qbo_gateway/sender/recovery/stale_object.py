"""5010 stale object: someone changed the record since ESP read it; take its current SyncToken and
update again (``SenderSettings.stale_retries`` times)."""

from __future__ import annotations

from qbo_gateway.client import QboFault, StaleObject
from qbo_gateway.sender.attempt import Attempt
from qbo_gateway.sender.recovery.policy import Policy
from qbo_gateway.sender.writes import Write

__all__ = ["POLICY", "update_again"]


async def update_again(attempt: Attempt, write: Write, fault: QboFault) -> None:
    assert write.body is not None and write.existing_id is not None
    for _ in range(attempt.settings.stale_retries):
        current = await attempt.guard(attempt.api.read(write.entity, write.existing_id))
        fresh = Write(
            write.op,
            write.entity,
            "update",
            {**write.body, "SyncToken": str(current.get("SyncToken"))},
            existing_id=write.existing_id,
            note=write.note,
        )
        try:
            entity = await attempt.write_alone(fresh)
        except StaleObject as again:
            fault = again
            continue
        except QboFault as other:
            attempt.fail(write.op, "update", other.plain)
            return
        attempt.accept(fresh, entity)
        return
    attempt.fail(write.op, "update", fault.plain)


POLICY = Policy(StaleObject, lambda write: write.action == "update", update_again)
