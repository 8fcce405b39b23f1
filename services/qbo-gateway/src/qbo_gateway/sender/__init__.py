"""Sending one order to QuickBooks Online: the queue handler (``QboSender``) and its parts.

``loading`` reads what a send needs (``espqb.sending.inputs``), ``espqb.plan`` decides what to write,
``execution`` runs the attempt's sequence: ``waves`` of batch calls (``writes``) on an ``attempt``,
``recovery`` for Intuit's refusals (one policy per error); ``verify`` compares what QBO stored with
the plan, ``store`` saves mappings, steps and audit entries (``espqb.sending.recording``, worded by
``espqb.sending.wording``), ``drift`` flags the job, ``outcome`` sums the attempt up.
"""

from qbo_gateway.sender.attempt import SenderSettings
from qbo_gateway.sender.execution import SendRun
from qbo_gateway.sender.results import AttemptInterrupted, StepResult
from qbo_gateway.sender.service import QboSender

__all__ = ["AttemptInterrupted", "QboSender", "SendRun", "SenderSettings", "StepResult"]
