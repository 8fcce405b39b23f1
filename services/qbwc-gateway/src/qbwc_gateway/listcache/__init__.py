"""The QuickBooks Desktop list cache: built and refreshed by the Web Connector sessions with
iterator-paged queries, read by the ``/v1/quickbooks/...`` lookups and by the planner (names taken).

``CacheRefresh`` (pure) drives one pass over the lists; ``repository`` stores the records;
``DesktopLookups`` answers the lookups.
"""

from .lists import CLOCK_SKEW, LIST_SPECS, PAGE_SIZE, ListSpec, list_query, lists_to_read, watermark
from .lookups import DesktopLookups
from .records import ITEM_TYPES, NAME_LIST_TYPES, CachedEntry, cached_entry
from .refresh import CacheRefresh, list_name_of

__all__ = [
    "CLOCK_SKEW",
    "ITEM_TYPES",
    "LIST_SPECS",
    "NAME_LIST_TYPES",
    "PAGE_SIZE",
    "CacheRefresh",
    "CachedEntry",
    "DesktopLookups",
    "ListSpec",
    "cached_entry",
    "list_name_of",
    "list_query",
    "lists_to_read",
    "watermark",
]
