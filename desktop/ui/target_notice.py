"""What the window's notice says about the next call, from the one answer to "what will it connect to"
(`desktop.settings.target.Target`): the demo and why, a setting that stops the call before it starts, or the
environment deciding instead of the settings; nothing when the settings simply apply.

Kept apart from the window so that the window stays a renderer. The window imports it before it is
shown, so what it needs beyond Qt is imported when a notice is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QCoreApplication

from desktop.realtime import ProviderKind
from desktop.session import ErrorRaised
from desktop.ui.banner import Banner, Kind
from desktop.ui.error_text import localized

if TYPE_CHECKING:
    from desktop.realtime import SessionError
    from desktop.settings import Target


class TargetNotice(NamedTuple):
    text: str
    kind: Kind
    settings: bool  # the settings can change what it says


def target_notice(target: Target) -> TargetNotice | None:
    from desktop.realtime import provider_name  # after the window is shown: asyncio

    problem = target.problem()
    if problem is not None:
        return _set_by_environment(problem, target) or TargetNotice(
            localized(ErrorRaised(problem.message, problem.code)), "error", True
        )
    if target.connects_to is ProviderKind.DEMO:
        demo = QCoreApplication.translate(
            "TargetNotice",
            "No API key is set up yet, so you are talking to the built-in demo assistant. "
            "Add a key in the settings to talk to a real model.",
        )
        return TargetNotice(demo, "info", True)
    if target.environment:
        told = QCoreApplication.translate(
            "TargetNotice",
            "The connection to %1 is set by environment variables (%2); the settings do not change it.",
        )
        told = told.replace("%1", provider_name(target.provider)).replace("%2", ", ".join(target.environment))
        return TargetNotice(told, "info", False)
    return None


# The variables that carry a URL: when one of them holds the malformed one, Settings cannot mend it.
_URL_VARIABLES = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_WEBRTC_URL", "OPENAI_BASE_URL")


def _set_by_environment(problem: SessionError, target: Target) -> TargetNotice | None:
    """A malformed URL that an environment variable gave: name the variable, not the settings."""
    given = ", ".join(name for name in _URL_VARIABLES if name in target.environment)
    if problem.code != "bad_endpoint" or not given:
        return None
    sentence = localized(ErrorRaised(problem.message, problem.code))
    if sentence == problem.message:  # the engine's own words, which quote what was given
        told = QCoreApplication.translate(
            "TargetNotice",
            "It is set by the environment variable %1: change or unset it and start the app again (the "
            "settings do not change it).",
        )
        return TargetNotice(f"{sentence} {told.replace('%1', given)}", "error", False)
    told = QCoreApplication.translate(  # a translation, whose short sentence would point at the settings
        "TargetNotice",
        "The URL set by the environment variable %1 is not valid: change or unset it and start the app "
        "again (the settings do not change it).",
    )
    return TargetNotice(told.replace("%1", given), "error", False)


def show_target_notice(notice: Banner, target: Target) -> None:
    """The window's notice line says what the next call connects to, or hides when nothing needs saying."""
    said = target_notice(target)
    if said is None:
        notice.hide()
    else:
        notice.show_message(said.text, kind=said.kind, settings=said.settings)


def show_keychain_missing(notice: Banner) -> None:
    notice.show_message(
        QCoreApplication.translate(
            "MainWindow", "No system keychain is available: your API key is kept for this run only."
        ),
        kind="info",
        settings=True,
    )
