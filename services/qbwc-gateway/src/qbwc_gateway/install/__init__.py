"""Installing the QuickBooks Web Connector app: the .qwc file, the Web Connector password, the
status page, and the support page the Web Connector opens.

``router`` holds ``/v1/qbwc/...``; ``support_router`` the public ``/qbwc/support`` page.
"""

from .endpoints import router, support_router
from .identity import APP_NAME, OWNER_ID, SERVER_VERSION
from .qwc import QwcConfigError, QwcSpec, check_app_url, render_qwc

__all__ = [
    "APP_NAME",
    "OWNER_ID",
    "SERVER_VERSION",
    "QwcConfigError",
    "QwcSpec",
    "check_app_url",
    "render_qwc",
    "router",
    "support_router",
]
