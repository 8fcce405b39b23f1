"""Repairs for the writes QuickBooks Online refused: one small policy per error.

=====  ==================  ==========================  ===========================================
code   fault               applies to                  policy
=====  ==================  ==========================  ===========================================
6240   ``DuplicateName``   a customer/vendor/item      ``duplicate_name``: link the record of that
                           create                      name when it is free to link, else create
                                                       under a suffixed name
6240   ``DuplicateName``   a term/class/location       ``duplicate_name``: link the entry of that
                           create                      name
5010   ``StaleObject``     an update                   ``stale_object``: read the current
                                                       SyncToken, update again
610    ``ObjectNotFound``  any write                   ``object_gone``: the record updated was
                                                       deleted → create it again; a record it
                                                       refers to is gone → create that, remap,
                                                       write again
=====  ==================  ==========================  ===========================================

Any other refusal (or one no policy applies to) fails the step with Intuit's words.
"""

from __future__ import annotations

from qbo_gateway.client import QboFault
from qbo_gateway.sender.attempt import Attempt
from qbo_gateway.sender.recovery import duplicate_name, object_gone, stale_object
from qbo_gateway.sender.recovery.policy import Policy
from qbo_gateway.sender.writes import Write

__all__ = ["POLICIES", "Policy", "follow_up"]

POLICIES: tuple[Policy, ...] = (
    duplicate_name.POLICY,
    duplicate_name.LIST_ENTRY_POLICY,
    stale_object.POLICY,
    object_gone.POLICY,
)


async def follow_up(attempt: Attempt, write: Write, fault: QboFault) -> None:
    """Repair ``write`` with the policy for ``fault``; without one, the step fails."""
    for policy in POLICIES:
        if isinstance(fault, policy.fault) and policy.applies(write):
            await policy.repair(attempt, write, fault)
            return
    attempt.fail(write.op, write.action, fault.plain)
