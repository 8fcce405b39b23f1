"""Sending one order to QuickBooks Online: the queue handler (``QboSender``) and its parts.

``loading`` reads what a send needs, ``espqb.plan`` decides what to write, ``execution`` writes it in
waves of batch calls and handles Intuit's refusals, ``verify`` compares what QBO stored with the
plan, ``store`` saves mappings, steps and audit entries, ``outcome`` sums the attempt up.
"""

from qbo_gateway.sender.execution import SenderSettings, SendRun
from qbo_gateway.sender.results import AttemptInterrupted, StepResult
from qbo_gateway.sender.service import QboSender

__all__ = ["AttemptInterrupted", "QboSender", "SendRun", "SenderSettings", "StepResult"]
