"""The engine's error sentences in the person's language, chosen by `ErrorRaised.code`.

The engine speaks English and puts specifics in its sentences (a host, an HTTP status). Where the
interface is translated, the common errors are shown as a translated sentence of the same meaning
(the English original stays available as a tooltip); in English, the engine's own sentence is kept.
Sentences about sound devices carry their template and the device's name (desktop/audio/notices.py)
and are translated whole, name included.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from desktop.audio import CONTEXT as NOTICE_CONTEXT
from desktop.audio import Notice
from desktop.session import ErrorRaised

_CONTEXT = "ErrorText"
_BY_CODE: dict[str, object] = {  # QT_TRANSLATE_NOOP is typed as returning object
    "unauthorized": QT_TRANSLATE_NOOP(
        "ErrorText", "The service rejected the API key; check it in the settings."
    ),
    "not_found": QT_TRANSLATE_NOOP(
        "ErrorText", "The service does not know this deployment or model; check the endpoint and its name."
    ),
    "insufficient_quota": QT_TRANSLATE_NOOP("ErrorText", "The account has no quota left for this model."),
    "rate_limited": QT_TRANSLATE_NOOP(
        "ErrorText", "The service is limiting requests right now; try again shortly."
    ),
    "server_error": QT_TRANSLATE_NOOP("ErrorText", "The service had an internal error; try again shortly."),
    "retry_after_too_long": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The service asks to wait longer than the app waits by itself; start the conversation again later.",
    ),
    "unreachable": QT_TRANSLATE_NOOP(
        "ErrorText", "Could not reach the service; check the endpoint and the network connection."
    ),
    "mint_timeout": QT_TRANSLATE_NOOP("ErrorText", "The service did not answer in time; try again shortly."),
    "sdp_timeout": QT_TRANSLATE_NOOP("ErrorText", "The service did not answer in time; try again shortly."),
    "session_update_timeout": QT_TRANSLATE_NOOP(
        "ErrorText", "The service did not answer in time; try again shortly."
    ),
    "ice_failed": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The media connection to the service failed. On a network that blocks it, choose Automatic or "
        "WebSocket as the transport in the settings (Network (advanced)), or set a TURN server there.",
    ),
    "connection_lost": QT_TRANSLATE_NOOP("ErrorText", "The connection to the service was lost."),
    "reconnect_failed": QT_TRANSLATE_NOOP("ErrorText", "The connection could not be restored."),
    "bad_endpoint": QT_TRANSLATE_NOOP(
        "ErrorText", "The endpoint is not a valid URL; correct it in the settings."
    ),
    "not_configured": QT_TRANSLATE_NOOP(
        "ErrorText", "The connection is not fully set up yet; complete it in the settings."
    ),
    "transcription_failed": QT_TRANSLATE_NOOP("ErrorText", "Your words could not be transcribed."),
    "response_failed": QT_TRANSLATE_NOOP("ErrorText", "The assistant could not answer."),
    "event_too_large": QT_TRANSLATE_NOOP("ErrorText", "That message is too long to send."),
    "embeddings_timeout": QT_TRANSLATE_NOOP("ErrorText", "The embeddings service did not answer in time."),
    "embeddings_no_dimensions": QT_TRANSLATE_NOOP(
        "ErrorText", "The embeddings model does not take dimensions: use text-embedding-3-small or -large."
    ),
    "embeddings_malformed": QT_TRANSLATE_NOOP(
        "ErrorText", "The embeddings service's answer did not hold the vectors asked for."
    ),
    # The token-service mode (desktop/realtime/token_service.py): the organisation's service, not the model's.
    "token_unreachable": QT_TRANSLATE_NOOP(
        "ErrorText",
        "Could not reach your organisation's token service; check its URL in the settings and the network "
        "connection.",
    ),
    "token_unauthorized": QT_TRANSLATE_NOOP(
        "ErrorText", "The token service refused the bearer token; check it in the settings."
    ),
    "token_rate_limited": QT_TRANSLATE_NOOP(
        "ErrorText", "The token service is limiting requests right now; try again shortly."
    ),
    "token_server_error": QT_TRANSLATE_NOOP(
        "ErrorText", "The token service had an error and handed out no session key; try again shortly."
    ),
    "token_timeout": QT_TRANSLATE_NOOP(
        "ErrorText", "The token service did not answer in time; try again shortly."
    ),
    "token_malformed": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The token service's answer held no session key; check that it passes its mint's answer through.",
    ),
    "token_redirect": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The token service answered with a redirect, which is not followed so that the bearer token goes "
        "nowhere else; enter the URL it redirects to.",
    ),
    "token_expired": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The token service handed out a session key that has expired or is about to; check the service's "
        "clock and key cache.",
    ),
    "token_refused": QT_TRANSLATE_NOOP("ErrorText", "The token service refused to hand out a session key."),
    "bad_token_url": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The token service URL is not a valid https:// URL (http:// only for this computer); correct it in "
        "the settings.",
    ),
    "websocket_refused": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The service or a proxy on this network refused the WebSocket connection; ask the network's "
        "administrator to allow it, or choose another transport in the settings (Network (advanced)).",
    ),
    "proxy_auth_required": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The network's proxy asks for a user name and password; give them in the proxy's address "
        "(http://user:password@host:port) or ask the network's administrator.",
    ),
    "proxy_refused": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The network's proxy refused the connection to the service; ask the network's administrator to "
        "allow it.",
    ),
    "proxy_gateway": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The network's proxy could not reach the service; check the endpoint, or try again later.",
    ),
    "proxy_unreachable": QT_TRANSLATE_NOOP(
        "ErrorText",
        "Could not reach the network's proxy; check the proxy setting (HTTPS_PROXY) and the network "
        "connection.",
    ),
    "redirected": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The service's address answered with a redirect, which is not followed; check the endpoint.",
    ),
    "token_key_refused": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The service refused the session key from your token service; check that it mints for the "
        "endpoint and deployment in the settings.",
    ),
    "replay_incomplete": QT_TRANSLATE_NOOP(
        "ErrorText",
        "The connection was renewed, but part of the conversation could not be restored: the assistant "
        "may not remember everything said before.",
    ),
}

# While reconnecting, the banner's countdown to the attempt the service asked to wait for (%1: seconds).
_COUNTDOWN: dict[str, object] = {
    "rate_limited": QT_TRANSLATE_NOOP("ErrorText", "Rate limited; trying again in %1 s"),
    "token_rate_limited": QT_TRANSLATE_NOOP(
        "ErrorText", "The token service is limiting requests; trying again in %1 s"
    ),
}
_BUSY_COUNTDOWN = QT_TRANSLATE_NOOP("ErrorText", "The service is busy; trying again in %1 s")


def retry_countdown(code: str) -> str:
    """The countdown's sentence for the failure that asked to wait, in the person's language; %1 is
    the seconds left."""
    return QCoreApplication.translate(_CONTEXT, str(_COUNTDOWN.get(code, _BUSY_COUNTDOWN)))


def localized(error: ErrorRaised) -> str:
    """The sentence to show: the translation for the error's code when the interface has one,
    else the engine's own sentence."""
    marked = _BY_CODE.get(error.code)
    if marked is None:
        return localized_notice(error.message)
    source = str(marked)
    translated = QCoreApplication.translate(_CONTEXT, source)
    return translated if translated != source else error.message


def localized_notice(sentence: str) -> str:
    """A sound device's sentence in the interface's language (the English one where there is no
    translation, or for any other sentence)."""
    if not isinstance(sentence, Notice):
        return sentence
    translated = QCoreApplication.translate(NOTICE_CONTEXT, sentence.template)
    if translated == sentence.template:
        return sentence
    return translated.replace("{device}", sentence.device)
