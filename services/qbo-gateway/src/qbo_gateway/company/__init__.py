"""The QuickBooks Online company at the other end: its country, tax model, currencies and tax codes.

``profile.company_from_qbo`` turns what QBO answers (CompanyInfo, Preferences, TaxCode, TaxRate,
CompanyCurrency; docs/quickbooks-online.md §6) into the plan's ``QuickBooksCompany``;
``reading.read_company`` asks QBO for those (four queries, five with multi-currency on);
``service.CompanyProfiles`` reads and stores it with the integration (``espqb.integration.
quickbooks_company``): right after connecting, daily, on a Preferences/TaxCode/Currency webhook, and
before the first send when none is stored.
"""

from qbo_gateway.company.profile import company_from_qbo
from qbo_gateway.company.reading import PROFILE_QUERIES, read_company
from qbo_gateway.company.service import CompanyProfiles

__all__ = ["PROFILE_QUERIES", "CompanyProfiles", "company_from_qbo", "read_company"]
