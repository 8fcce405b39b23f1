"""Every table of the shared schema. Import from here: `from espqb.db.models import SendJob`."""

from espqb.db.models.audit import AuditEntry
from espqb.db.models.companies import Company, Integration, IntegrationSettings
from espqb.db.models.jobs import ACTIVE_JOB_STATUSES, JobFlag, JobStatus, JobStep, SendJob, StepStatus
from espqb.db.models.mappings import Mapping, MappingKind
from espqb.db.models.notifications import Notification
from espqb.db.models.qbo import OAuthState, QboConnection, ReauthReminder
from espqb.db.models.qbwc import QbdListEntry, QbwcCredential, QbwcSession
from espqb.db.models.realm_leases import QboRealmLease
from espqb.db.models.webhook_notices import QboWebhookNotice

__all__ = [
    "ACTIVE_JOB_STATUSES",
    "AuditEntry",
    "Company",
    "Integration",
    "IntegrationSettings",
    "JobFlag",
    "JobStatus",
    "JobStep",
    "Mapping",
    "MappingKind",
    "Notification",
    "OAuthState",
    "QbdListEntry",
    "QboConnection",
    "QboRealmLease",
    "QboWebhookNotice",
    "QbwcCredential",
    "QbwcSession",
    "ReauthReminder",
    "SendJob",
    "StepStatus",
]
