"""A GlobalShortcuts portal of the test's own on a private session bus, answering as
xdg-desktop-portal does: each call returns a Request object's path, then that object's Response
signal carries the result; the bound shortcut's Activated and Deactivated signals go out when the
test says the person pressed or released it."""

from __future__ import annotations

from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"


class FakePortal:
    def __init__(self, *, declines: bool = False, trigger_description: str = "Ctrl+Alt+Space") -> None:
        self.declines = declines
        self.trigger_description = trigger_description
        self.bound: list[tuple[str, dict[str, Any]]] = []  # (shortcut id, properties)
        self.closed: list[str] = []
        self.session = ""
        self._bus: MessageBus | None = None

    async def serve(self, address: str) -> None:
        self._bus = await MessageBus(bus_address=address).connect()
        self._bus.add_message_handler(self._called)
        await self._bus.request_name("org.freedesktop.portal.Desktop")

    def stop(self) -> None:
        if self._bus is not None:
            self._bus.disconnect()

    def press(self) -> None:
        self._signal("Activated")

    def release(self) -> None:
        self._signal("Deactivated")

    def _signal(self, member: str) -> None:
        assert self._bus is not None
        body = [self.session, "talk", 0, {}]
        self._bus.send(Message.new_signal(PORTAL_PATH, SHORTCUTS, member, "osta{sv}", body))

    def _called(self, message: Message) -> bool | None:
        if message.message_type is not MessageType.METHOD_CALL:
            return None
        if message.interface == "org.freedesktop.portal.Session" and message.member == "Close":
            self.closed.append(message.path or "")
            self._reply(message, "", [])
            return True
        if message.interface != SHORTCUTS or message.member not in ("CreateSession", "BindShortcuts"):
            return None
        options = message.body[-1]
        sender = message.sender.lstrip(":").replace(".", "_")
        request = f"{PORTAL_PATH}/request/{sender}/{options['handle_token'].value}"
        self._reply(message, "o", [request])
        if message.member == "CreateSession":
            token = options["session_handle_token"].value
            self.session = f"{PORTAL_PATH}/session/{sender}/{token}"
            self._respond(request, 0, {"session_handle": Variant("s", self.session)})
        else:
            self.bound = [(name, {k: v.value for k, v in props.items()}) for name, props in message.body[1]]
            described = [["talk", {"trigger_description": Variant("s", self.trigger_description)}]]
            results = {} if self.declines else {"shortcuts": Variant("a(sa{sv})", described)}
            self._respond(request, 1 if self.declines else 0, results)
        return True

    def _reply(self, message: Message, signature: str, body: list[Any]) -> None:
        assert self._bus is not None
        self._bus.send(Message.new_method_return(message, signature, body))

    def _respond(self, request: str, response: int, results: dict[str, Variant]) -> None:
        assert self._bus is not None
        signal = Message.new_signal(request, "org.freedesktop.portal.Request", "Response", "ua{sv}",
                                    [response, results])  # fmt: skip
        self._bus.send(signal)
