"""The global shortcut on Wayland: the desktop's GlobalShortcuts portal
(org.freedesktop.portal.GlobalShortcuts: CreateSession, BindShortcuts, then Activated and Deactivated).

The desktop, not the app, owns the key: it may ask the person to confirm the shortcut or let them
choose another, so the answer comes later (`PENDING`, then `on_settled`). DBus through dbus-fast,
which the app already ships for its notifications (desktop-notifier), on the app's asyncio loop:
PySide6.QtDBus stays out of the bundle.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence

from desktop.ui.shortcut_backend import PENDING, Pending, Settled, failed

log = logging.getLogger(__name__)
translate = QCoreApplication.translate
PORTAL, PORTAL_PATH = "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
TALK = "talk"  # the one shortcut this app binds
_MISSING = frozenset({
    "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownInterface", "org.freedesktop.DBus.Error.UnknownObject",
})  # fmt: skip
_MODIFIER_NAMES = {
    Qt.KeyboardModifier.ControlModifier: "CTRL", Qt.KeyboardModifier.AltModifier: "ALT",
    Qt.KeyboardModifier.ShiftModifier: "SHIFT", Qt.KeyboardModifier.MetaModifier: "LOGO",
}  # fmt: skip
_KEY_NAMES = {
    Qt.Key.Key_Space: "space", Qt.Key.Key_Escape: "Escape", Qt.Key.Key_Backspace: "BackSpace",
    Qt.Key.Key_Delete: "Delete", Qt.Key.Key_Insert: "Insert", Qt.Key.Key_PageUp: "Prior",
    Qt.Key.Key_PageDown: "Next",
}  # fmt: skip
_tokens = itertools.count(1)


class PortalMissing(Exception):
    pass


def xdg_trigger(key: Qt.Key, modifiers: Qt.KeyboardModifier) -> str:
    """The shortcut in the XDG shortcuts format the portal takes as `preferred_trigger`: CTRL+ALT+space."""
    name = _KEY_NAMES.get(key) or QKeySequence(key.value).toString(QKeySequence.SequenceFormat.PortableText)
    name = name.lower() if len(name) == 1 else name  # keysym names: "a", "F9"
    return "+".join([*(n for flag, n in _MODIFIER_NAMES.items() if modifiers & flag), name])


async def _session_bus() -> MessageBus:
    return await MessageBus().connect()


class PortalShortcut:
    def __init__(self, connect: Callable[[], Awaitable[MessageBus]] = _session_bus) -> None:
        self._connect = connect
        self._bus: MessageBus | None = None
        self._session = ""
        self._binding: asyncio.Future[None] | None = None
        self._responses: dict[str, asyncio.Future[list[Any]]] = {}
        self._on_press: Callable[[], None] = lambda: None
        self._on_release: Callable[[], None] = lambda: None

    def grab(
        self, key: Qt.Key, modifiers: Qt.KeyboardModifier, on_press: Callable[[], None],
        on_release: Callable[[], None], on_settled: Settled,
    ) -> str | Pending | None:
        self.ungrab()
        self._on_press, self._on_release = on_press, on_release
        self._binding = asyncio.ensure_future(self._bind(xdg_trigger(key, modifiers), on_settled))
        return PENDING

    def ungrab(self) -> None:
        if self._binding is not None:
            self._binding.cancel()
            self._binding = None
        if self._bus is not None and self._session:  # the desktop lets the shortcut go with the session
            session = "org.freedesktop.portal.Session"
            self._bus.send(Message(destination=PORTAL, path=self._session, interface=session, member="Close"))
        self._session = ""

    def stop(self) -> None:
        self.ungrab()
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None

    async def _bind(self, trigger: str, on_settled: Settled) -> None:
        try:
            self._session = await self._create_session()
            shortcut = [TALK, {"description": Variant("s", _description()),
                               "preferred_trigger": Variant("s", trigger)}]  # fmt: skip
            body = [self._session, [shortcut], ""]  # no parent window
            results = await self._request("BindShortcuts", "oa(sa{sv})sa{sv}", body)
        except PortalMissing:
            on_settled(_no_portal(), None)
        except _Declined:
            on_settled(translate("GlobalShortcut", "The desktop did not give the app this shortcut."), None)
        except Exception:
            log.exception("The GlobalShortcuts portal failed")
            on_settled(failed(), None)
        else:
            on_settled(None, _trigger_described(results))

    async def _create_session(self) -> str:
        token = f"va_{secrets.token_hex(4)}"
        results = await self._request("CreateSession", "a{sv}", [], session_handle_token=token)
        return str(results["session_handle"].value)

    async def _request(self, member: str, signature: str, body: list[Any], **options: str) -> dict[str, Any]:
        """One portal call and its Response (on the Request object the call names by our token)."""
        bus = await self._connected()
        token = f"va{next(_tokens)}_{secrets.token_hex(4)}"
        sender = (bus.unique_name or "").lstrip(":").replace(".", "_")
        path = f"{PORTAL_PATH}/request/{sender}/{token}"
        answer = self._responses[path] = asyncio.get_running_loop().create_future()
        await _add_match(bus, f"type='signal',interface='org.freedesktop.portal.Request',path='{path}'")
        opts = {"handle_token": Variant("s", token), **{k: Variant("s", v) for k, v in options.items()}}
        try:
            call = Message(destination=PORTAL, path=PORTAL_PATH, interface=SHORTCUTS, member=member,
                           signature=signature, body=[*body, opts])  # fmt: skip
            reply = await bus.call(call)
            _check(reply)
            response, results = await answer
        finally:
            self._responses.pop(path, None)
        if response != 0:
            raise _Declined(response)
        return dict(results)

    async def _connected(self) -> MessageBus:
        if self._bus is None:
            try:
                self._bus = await self._connect()
            except Exception as exc:  # no session bus: no portal either
                raise PortalMissing() from exc
            self._bus.add_message_handler(self._received)
            await _add_match(self._bus, f"type='signal',interface='{SHORTCUTS}',path='{PORTAL_PATH}'")
        return self._bus

    def _received(self, message: Message) -> None:
        if message.message_type is not MessageType.SIGNAL:
            return
        if message.member == "Response" and message.path in self._responses:
            answer = self._responses[message.path]
            if not answer.done():
                answer.set_result(list(message.body))
        elif message.interface == SHORTCUTS and message.body[:2] == [self._session, TALK]:
            if message.member == "Activated":
                self._on_press()
            elif message.member == "Deactivated":
                self._on_release()


class _Declined(Exception):
    pass


async def _add_match(bus: MessageBus, rule: str) -> None:
    reply = await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                                   interface="org.freedesktop.DBus", member="AddMatch", signature="s",
                                   body=[rule]))  # fmt: skip
    _check(reply)


def _check(reply: Message | None) -> None:
    if reply is not None and reply.message_type is MessageType.ERROR:
        if reply.error_name in _MISSING:
            raise PortalMissing(reply.error_name)
        raise RuntimeError(f"{reply.error_name}: {reply.body}")


def _trigger_described(results: dict[str, Any]) -> str | None:
    """What the desktop says the shortcut now is (it may differ from the one asked for)."""
    shortcuts = results.get("shortcuts")
    for shortcut_id, properties in shortcuts.value if shortcuts is not None else []:
        if shortcut_id == TALK and "trigger_description" in properties:
            return str(properties["trigger_description"].value) or None
    return None


def _description() -> str:
    return translate("GlobalShortcut", "Hold to talk to the voice assistant")


def _no_portal() -> str:
    return translate(
        "GlobalShortcut",
        "Not available here: this Wayland desktop offers no GlobalShortcuts portal, the only way an "
        "application may have a shortcut in every application there. Space talks while this window "
        "is in front.",
    )
