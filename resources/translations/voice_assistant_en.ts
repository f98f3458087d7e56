<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>Banner</name>
    <message>
        <location filename="../../desktop/ui/banner.py" line="28" />
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="29" />
        <source>Open settings</source>
        <translation>Open settings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="30" />
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../desktop/ui/controller.py" line="105" />
        <source>Something went wrong; the details are in the log.</source>
        <translation>Something went wrong; the details are in the log.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="152" />
        <source>The conversation could not be prepared.</source>
        <translation>The conversation could not be prepared.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="231" />
        <source>That did not work; the details are in the log.</source>
        <translation>That did not work; the details are in the log.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="255" />
        <source>Start a conversation first; then the assistant can answer typed messages.</source>
        <translation>Start a conversation first; then the assistant can answer typed messages.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="317" />
        <source>The check could not run.</source>
        <translation>The check could not run.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="318" />
        <source>The connection works.</source>
        <translation>The connection works.</translation>
    </message>
</context>
<context>
    <name>EventTable</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61" />
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61" />
        <source>Direction</source>
        <translation>Direction</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61" />
        <source>Type</source>
        <translation>Type</translation>
    </message>
</context>
<context>
    <name>InspectorDock</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="96" />
        <source>Event inspector</source>
        <translation>Event inspector</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="107" />
        <source>Filter by type, e.g. response.</source>
        <translation>Filter by type, e.g. response.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="108" />
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="109" />
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="158" />
        <source>%1 events shown, %2 skipped while paused</source>
        <translation>%1 events shown, %2 skipped while paused</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../../desktop/ui/level_meter.py" line="21" />
        <location filename="../../desktop/ui/level_meter.py" line="22" />
        <source>Microphone level</source>
        <translation>Microphone level</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="50" />
        <source>Voice Assistant</source>
        <translation>Voice Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="57" />
        <source>Hands-free</source>
        <translation>Hands-free</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="60" />
        <source>Off: hold the button or Space to talk. On: the assistant listens by itself.</source>
        <translation>Off: hold the button or Space to talk. On: the assistant listens by itself.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="62" />
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="63" />
        <source>End</source>
        <translation>End</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="99" />
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="100" />
        <source>Save conversation as Markdown…</source>
        <translation>Save conversation as Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="102" />
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="105" />
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="108" />
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="110" />
        <source>Event inspector</source>
        <translation>Event inspector</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="157" />
        <source>Reconnected; the conversation goes on.</source>
        <translation>Reconnected; the conversation goes on.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="172" />
        <source>Something went wrong; the details are in the log.</source>
        <translation>Something went wrong; the details are in the log.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="178" />
        <source>No API key is set up yet, so you are talking to the built-in demo assistant. Add a key in the settings to talk to a real model.</source>
        <translation>No API key is set up yet, so you are talking to the built-in demo assistant. Add a key in the settings to talk to a real model.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="189" />
        <source>No system keychain is available: your API key is kept for this run only.</source>
        <translation>No system keychain is available: your API key is kept for this run only.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="217" />
        <source>Saved. The new settings apply from the next conversation.</source>
        <translation>Saved. The new settings apply from the next conversation.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="56" />
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="60" />
        <source>Connection</source>
        <translation>Connection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="61" />
        <source>Voice and turns</source>
        <translation>Voice and turns</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="62" />
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="80" />
        <source>Demo (built-in, no key needed)</source>
        <translation>Demo (built-in, no key needed)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="81" />
        <source>Azure OpenAI</source>
        <translation>Azure OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="82" />
        <source>Azure OpenAI (preview API)</source>
        <translation>Azure OpenAI (preview API)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="83" />
        <source>OpenAI</source>
        <translation>OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="96" />
        <source>No system keychain is available: the key will be kept for this run only and asked for again next time.</source>
        <translation>No system keychain is available: the key will be kept for this run only and asked for again next time.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="103" />
        <source>Test connection</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="107" />
        <source>Provider</source>
        <translation>Provider</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="108" />
        <source>Endpoint or resource URL</source>
        <translation>Endpoint or resource URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="109" />
        <source>Regional WebRTC URL</source>
        <translation>Regional WebRTC URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="110" />
        <source>Deployment or model</source>
        <translation>Deployment or model</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="111" />
        <source>API key</source>
        <translation>API key</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="120" />
        <source>%1 (not on the preview API)</source>
        <translation>%1 (not on the preview API)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="124" />
        <source>Reset to default</source>
        <translation>Reset to default</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="128" />
        <source>Server voice detection</source>
        <translation>Server voice detection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="129" />
        <source>Semantic voice detection</source>
        <translation>Semantic voice detection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="130" />
        <source>Push-to-talk</source>
        <translation>Push-to-talk</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="143" />
        <source>automatic, or e.g. zh, en</source>
        <translation>automatic, or e.g. zh, en</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="145" />
        <source>Voice</source>
        <translation>Voice</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="146" />
        <source>Instructions</source>
        <translation>Instructions</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="148" />
        <source>Turn detection</source>
        <translation>Turn detection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="149" />
        <source>Threshold</source>
        <translation>Threshold</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="150" />
        <source>Prefix padding</source>
        <translation>Prefix padding</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="151" />
        <source>Silence duration</source>
        <translation>Silence duration</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="152" />
        <source>Eagerness</source>
        <translation>Eagerness</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="153" />
        <source>Transcription model</source>
        <translation>Transcription model</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="154" />
        <source>Transcription language</source>
        <translation>Transcription language</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="171" />
        <source>I use a headset (no echo cancellation needed)</source>
        <translation>I use a headset (no echo cancellation needed)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="173" />
        <source>Suppress background noise</source>
        <translation>Suppress background noise</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="176" />
        <source>Microphone</source>
        <translation>Microphone</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="177" />
        <source>Speaker</source>
        <translation>Speaker</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="188" />
        <source>System default</source>
        <translation>System default</translation>
    </message>
</context>
<context>
    <name>TalkButton</name>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="66" />
        <source>Not connected — click to start</source>
        <translation>Not connected — click to start</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="68" />
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="70" />
        <source>Reconnecting…</source>
        <translation>Reconnecting…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="72" />
        <source>Error — click to try again</source>
        <translation>Error — click to try again</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="74" />
        <source>Hold to talk (Space)</source>
        <translation>Hold to talk (Space)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="74" />
        <source>Click to listen</source>
        <translation>Click to listen</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="76" />
        <source>Listening — release to send</source>
        <translation>Listening — release to send</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="77" />
        <source>Listening — click to stop</source>
        <translation>Listening — click to stop</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="80" />
        <source>You are speaking</source>
        <translation>You are speaking</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="82" />
        <source>Assistant is thinking — press to interrupt</source>
        <translation>Assistant is thinking — press to interrupt</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="83" />
        <source>Assistant is speaking — press to interrupt</source>
        <translation>Assistant is speaking — press to interrupt</translation>
    </message>
</context>
<context>
    <name>TranscriptPane</name>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="106" />
        <source>Type a message and press Enter</source>
        <translation>Type a message and press Enter</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="107" />
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="108" />
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="109" />
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="110" />
        <source>Save as Markdown…</source>
        <translation>Save as Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="193" />
        <source>asked</source>
        <translation>asked</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="194" />
        <source>waiting for your confirmation</source>
        <translation>waiting for your confirmation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="195" />
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="196" />
        <source>declined by you</source>
        <translation>declined by you</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="197" />
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="204" />
        <source>Documents used: %1</source>
        <translation>Documents used: %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="221" />
        <source>You</source>
        <translation>You</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="222" />
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="223" />
        <source>Tool</source>
        <translation>Tool</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="225" />
        <source>interrupted</source>
        <translation>interrupted</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="239" />
        <source>Save conversation</source>
        <translation>Save conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="239" />
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="247" />
        <source>The conversation could not be saved: %1</source>
        <translation>The conversation could not be saved: %1</translation>
    </message>
</context>
</TS>