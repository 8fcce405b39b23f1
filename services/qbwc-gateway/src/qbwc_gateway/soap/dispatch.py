"""Route a typed call to the matching ``WebConnectorHandler`` method."""

from __future__ import annotations

from typing import assert_never

from .messages import (
    AuthenticateCall,
    ClientVersionCall,
    CloseConnectionCall,
    ConnectionErrorCall,
    GetInteractiveURLCall,
    GetLastErrorCall,
    GetServerVersionCall,
    InteractiveDoneCall,
    InteractiveRejectedCall,
    ReceiveResponseXMLCall,
    SendRequestXMLCall,
    ServerVersionCall,
    SoapCall,
    SoapResult,
)
from .protocol import WebConnectorHandler


async def dispatch(call: SoapCall, handler: WebConnectorHandler) -> SoapResult:
    match call:
        case ServerVersionCall() | GetServerVersionCall():
            return await handler.server_version()
        case ClientVersionCall(str_version=version):
            return await handler.client_version(version)
        case AuthenticateCall(str_user_name=user, str_password=password):
            return await handler.authenticate(user, password)
        case SendRequestXMLCall():
            return await handler.send_request_xml(
                call.ticket,
                call.str_hcp_response,
                call.str_company_file_name,
                call.qbxml_country,
                call.qbxml_major_vers,
                call.qbxml_minor_vers,
            )
        case ReceiveResponseXMLCall():
            return await handler.receive_response_xml(call.ticket, call.response, call.hresult, call.message)
        case ConnectionErrorCall():
            return await handler.connection_error(call.ticket, call.hresult, call.message)
        case GetLastErrorCall():
            return await handler.get_last_error(call.ticket)
        case CloseConnectionCall():
            return await handler.close_connection(call.ticket)
        case GetInteractiveURLCall():
            return await handler.get_interactive_url(call.wc_ticket, call.session_id)
        case InteractiveDoneCall():
            return await handler.interactive_done(call.wc_ticket)
        case InteractiveRejectedCall():
            return await handler.interactive_rejected(call.wc_ticket, call.reason)
        case _:
            assert_never(call)
