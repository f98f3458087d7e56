"""One model response: spoken (audio on the track, transcript deltas in step with it), text-only, or a
function call; always closed by `response.done`, whatever the outcome."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from desktop.demo import dialect as d
from desktop.demo.brain import CallTool, Reply, Say
from desktop.demo.ids import new_id
from desktop.demo.track import Playback

if TYPE_CHECKING:
    from desktop.demo.call import ServerCall

CHARS_PER_DELTA = 4  # text deltas of a few characters, like the real services'
DELTA_MS = 250  # a spoken transcript delta about every quarter second of audio
AUDIO_TOKENS_PER_SECOND = 10


def chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class ResponseRun:
    def __init__(self, call: ServerCall, reply: Reply, *, audio: bool) -> None:
        self.call = call
        self.reply = reply
        self.audio = audio
        self.id = new_id("resp_")
        self.output: list[dict[str, Any]] = []
        self.spoken_seconds = 0.0
        self.spoken_text = ""
        self.done = False
        self.playback: Playback | None = None
        self.task: asyncio.Task[None] | None = None

    def header(self, status: str) -> dict[str, Any]:
        return {
            "object": "realtime.response",
            "id": self.id,
            "status": status,
            "status_details": None,
            "output": self.output,
            "conversation_id": self.call.conversation_id,
            "usage": None,
        }

    async def run(self) -> None:
        self.call.send({"type": "response.created", "response": self.header("in_progress")})
        self.call.flush_late_transcriptions()
        if self.call.owner.faults.response_failed:
            error = {
                "type": "server_error",
                "code": "server_error",
                "message": "The model failed to respond.",
            }
            self.finish("failed", {"type": "failed", "error": error})
            return
        if self.reply.say is not None:
            await self.say(self.reply.say)
        if self.reply.call is not None:
            self.call_tool(self.reply.call)
        self.finish("completed", None)

    def cancel(self, reason: str) -> None:
        """Ends the response now: audio cut, items incomplete, `response.done` cancelled."""
        if self.done:
            return
        if self.call.track.clear():
            self.call.send({"type": "output_audio_buffer.cleared", "response_id": self.id})
        if self.playback is not None and self.playback.item_id not in self.call.truncated_items:
            self.call.audio_ms[self.playback.item_id] = self.playback.sent_ms  # what it holds: what went out
        for item in self.output:
            if item["status"] == "in_progress":
                item["status"] = "incomplete"
        self.finish("cancelled", {"type": "cancelled", "reason": reason})

    def finish(self, status: str, details: dict[str, Any] | None) -> None:
        self.done = True
        response = self.header(status) | {"status_details": details, "usage": self.usage()}
        self.call.send({"type": "response.done", "response": response})
        self.call.response_finished(self)

    def usage(self) -> dict[str, Any]:
        instructions = str(self.call.session_config.get("instructions", ""))
        input_text = len(instructions) // 4 + sum(len(json.dumps(i)) // 8 for i in self.call.items)
        output_text = len(self.spoken_text) + sum(len(i.get("arguments", "")) for i in self.output)
        output_audio = int(self.spoken_seconds * AUDIO_TOKENS_PER_SECOND)
        return {
            "total_tokens": input_text + output_text + output_audio,
            "input_tokens": input_text,
            "output_tokens": output_text + output_audio,
            "input_token_details": {"text_tokens": input_text, "audio_tokens": 0, "cached_tokens": 0},
            "output_token_details": {"text_tokens": output_text, "audio_tokens": output_audio},
        }

    def add_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """Announces a new output item: `response.output_item.added` + `conversation.item.created`."""
        output_index = len(self.output)
        self.output.append(item)
        self.call.send(
            {
                "type": "response.output_item.added",
                "response_id": self.id,
                "output_index": output_index,
                "item": item,
            }
        )
        self.call.add_conversation_item(item)
        return {"response_id": self.id, "item_id": item["id"], "output_index": output_index}

    def end_item(self, item: dict[str, Any], where: dict[str, Any]) -> None:
        item["status"] = "completed"
        self.call.send(
            {
                "type": "response.output_item.done",
                "response_id": self.id,
                "output_index": where["output_index"],
                "item": item,
            }
        )

    async def say(self, say: Say) -> None:
        dialect = self.call.dialect
        part_type = d.AUDIO_PART[dialect] if self.audio else d.TEXT_PART[dialect]
        item: dict[str, Any] = {
            "id": new_id("item_"),
            "object": "realtime.item",
            "type": "message",
            "status": "in_progress",
            "role": "assistant",
            "content": [],
        }
        where = self.add_item(item)
        part: dict[str, Any] = (
            {"type": part_type, "transcript": ""} if self.audio else {"type": part_type, "text": ""}
        )
        self.call.send({"type": "response.content_part.added", **where, "content_index": 0, "part": part})
        item["content"] = [part]  # a cancelled item keeps what was said of it
        if self.audio:
            await self.speak(say, where, part)
            if item["id"] not in self.call.truncated_items:
                part["transcript"] = say.text
        else:
            for delta in chunks(say.text, CHARS_PER_DELTA):
                self.send_part(d.Ev.TEXT_DELTA, where, delta=delta)
            self.send_part(d.Ev.TEXT_DONE, where, text=say.text)
            part["text"] = say.text
        self.spoken_text = say.text
        self.call.send({"type": "response.content_part.done", **where, "content_index": 0, "part": part})
        self.end_item(item, where)

    async def speak(self, say: Say, where: dict[str, Any], part: dict[str, Any]) -> None:
        """Audio on the track (or in a WebSocket's deltas); transcript deltas in step with it, or all at
        once with early_response_done."""
        pcm = await self.call.owner.voice.render(say.text, say.phrase)
        playback = self.playback = self.call.track.play(pcm, where)
        self.call.audio_ms[where["item_id"]] = playback.length_ms
        self.spoken_seconds = playback.duration_ms / 1000
        await playback.started.wait()
        self.call.send({"type": "output_audio_buffer.started", "response_id": self.id})
        early = self.call.owner.faults.early_response_done
        pieces = chunks(say.text, -(-len(say.text) * DELTA_MS // max(playback.duration_ms, 1)))
        for index, delta in enumerate(pieces):
            if not early:
                await playback.reach(index / len(pieces))
            self.send_part(d.Ev.TRANSCRIPT_DELTA, where, delta=delta)
            if where["item_id"] not in self.call.truncated_items:
                part["transcript"] += delta
            if index == 0 and self.call.owner.faults.close_mid_response:
                self.call.close_soon()
                await asyncio.Event().wait()  # the call's closing cancels this task
        if early:
            self.call.spawn(self.announce_stop(playback))
        else:
            await playback.finished.wait()
        self.send_part(d.Ev.AUDIO_DONE, where)
        self.send_part(d.Ev.TRANSCRIPT_DONE, where, transcript=say.text)
        if not early:
            await self.announce_stop(playback)

    async def announce_stop(self, playback: Playback) -> None:
        """`output_audio_buffer.stopped` once the audio has played out (not when it was cleared)."""
        await playback.finished.wait()
        if not playback.cleared:
            self.call.send({"type": "output_audio_buffer.stopped", "response_id": self.id})

    def send_part(self, event: d.Ev, where: dict[str, Any], **fields: Any) -> None:
        """An event about the message's first content part, named for the call's dialect."""
        self.call.send(
            {"type": d.event_name(event, self.call.dialect), **where, "content_index": 0, **fields}
        )

    def call_tool(self, call: CallTool) -> None:
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        call_id = new_id("call_")
        item: dict[str, Any] = {
            "id": new_id("item_"),
            "object": "realtime.item",
            "type": "function_call",
            "status": "in_progress",
            "name": call.name,
            "call_id": call_id,
            "arguments": "",
        }
        where = self.add_item(item)
        for delta in chunks(arguments, max(1, len(arguments) // 3 + 1)):
            self.call.send(
                {
                    "type": "response.function_call_arguments.delta",
                    **where,
                    "call_id": call_id,
                    "delta": delta,
                }
            )
        self.call.send(
            {
                "type": "response.function_call_arguments.done",
                **where,
                "call_id": call_id,
                "name": call.name,
                "arguments": arguments,
            }
        )
        item["arguments"] = arguments
        self.end_item(item, where)
