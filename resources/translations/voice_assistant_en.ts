<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AudioPage</name>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="39"/>
        <source>I use a headset (no echo cancellation needed)</source>
        <translation>I use a headset (no echo cancellation needed)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="41"/>
        <source>Suppress background noise</source>
        <translation>Suppress background noise</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="50"/>
        <source>Battery saver: send the microphone in 40 ms packets (slightly more delay)</source>
        <translation>Battery saver: send the microphone in 40 ms packets (slightly more delay)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="49"/>
        <source>Echo cancellation is not installed, so on speakers your microphone is muted while the assistant speaks: interrupt it with the talk button, or use a headset. The optional “echo” extra adds echo cancellation and noise suppression.</source>
        <translation>Echo cancellation is not installed, so on speakers your microphone is muted while the assistant speaks: interrupt it with the talk button, or use a headset. The optional “echo” extra adds echo cancellation and noise suppression.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="57"/>
        <source>Microphone</source>
        <translation>Microphone</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="58"/>
        <source>Speaker</source>
        <translation>Speaker</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="80"/>
        <source>System default</source>
        <translation>System default</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../desktop/ui/banner.py" line="29"/>
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="30"/>
        <source>Open settings</source>
        <translation>Open settings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="31"/>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="32"/>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
</context>
<context>
    <name>CalendarFiles</name>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="33"/>
        <source>Export meetings</source>
        <translation>Export meetings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="40"/>
        <source>Import meetings</source>
        <translation>Import meetings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="46"/>
        <source>Exported %1 meeting(s) to %2.</source>
        <translation>Exported %1 meeting(s) to %2.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="48"/>
        <source>Could not write %1</source>
        <translation>Could not write %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="52"/>
        <source>Could not import %1</source>
        <translation>Could not import %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="55"/>
        <source>iCalendar files (*.ics)</source>
        <translation>iCalendar files (*.ics)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="68"/>
        <source>“%1” (%2)</source>
        <translation>“%1” (%2)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="70"/>
        <source>; </source>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="73"/>
        <source>; and %1 more</source>
        <translation>; and %1 more</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="74"/>
        <source>%1 Not imported: %2.</source>
        <translation>%1 Not imported: %2.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="80"/>
        <source>it has no start time</source>
        <translation>it has no start time</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="81"/>
        <source>it has no end time or length</source>
        <translation>it has no end time or length</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="82"/>
        <source>it ends before it starts</source>
        <translation>it ends before it starts</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="83"/>
        <source>it lasts longer than 24 hours</source>
        <translation>it lasts longer than 24 hours</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="84"/>
        <source>it lasts longer than a year</source>
        <translation>it lasts longer than a year</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="85"/>
        <source>it is too far from today</source>
        <translation>it is too far from today</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="86"/>
        <source>its repeat rule is not supported</source>
        <translation>its repeat rule is not supported</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="87"/>
        <source>its repeat rule leaves no meeting</source>
        <translation>its repeat rule leaves no meeting</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="88"/>
        <source>it was cancelled</source>
        <translation>it was cancelled</translation>
    </message>
</context>
<context>
    <name>CalendarPane</name>
    <message>
        <location filename="../../desktop/ui/calendar_saves.py" line="65"/>
        <source>The start time is too far from today.</source>
        <translation>The start time is too far from today.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="94"/>
        <source>New</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="94"/>
        <source>Edit</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="95"/>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="96"/>
        <source>Import…</source>
        <translation>Import…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="97"/>
        <source>Export…</source>
        <translation>Export…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="140"/>
        <source>Could not read the calendar</source>
        <translation>Could not read the calendar</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="161"/>
        <source>%1 meeting(s)</source>
        <translation>%1 meeting(s)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="161"/>
        <source>no meetings</source>
        <translation>no meetings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="174"/>
        <source>all day</source>
        <translation>all day</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="200"/>
        <location filename="../../desktop/ui/calendar_pane.py" line="212"/>
        <source>Choose a meeting in the list first.</source>
        <translation>Choose a meeting in the list first.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="216"/>
        <source>Deleted “%1”.</source>
        <translation>Deleted “%1”.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="217"/>
        <source>Could not delete the meeting</source>
        <translation>Could not delete the meeting</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="257"/>
        <source>Added “%1”.</source>
        <translation>Added “%1”.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="259"/>
        <location filename="../../desktop/ui/calendar_pane.py" line="266"/>
        <source>Could not save the meeting</source>
        <translation>Could not save the meeting</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="266"/>
        <source>Saved “%1”.</source>
        <translation>Saved “%1”.</translation>
    </message>
    <message>
        <source>Export meetings</source>
        <translation type="vanished">Export meetings</translation>
    </message>
    <message>
        <source>Import meetings</source>
        <translation type="vanished">Import meetings</translation>
    </message>
    <message>
        <source>Exported %1 meeting(s) to %2.</source>
        <translation type="vanished">Exported %1 meeting(s) to %2.</translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation type="vanished">Could not write %1</translation>
    </message>
    <message>
        <source>Could not import %1</source>
        <translation type="vanished">Could not import %1</translation>
    </message>
    <message>
        <source>iCalendar files (*.ics)</source>
        <translation type="vanished">iCalendar files (*.ics)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="61"/>
        <source>Imported %1 meeting(s)</source>
        <translation>Imported %1 meeting(s)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="63"/>
        <source>%1 already in the calendar</source>
        <translation>%1 already in the calendar</translation>
    </message>
    <message>
        <source>%1 without a usable time skipped</source>
        <translation type="vanished">%1 without a usable time skipped</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="65"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="65"/>
        <source>.</source>
        <translation>.</translation>
    </message>
</context>
<context>
    <name>CancelScope</name>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="160"/>
        <source>Only this one (%1)</source>
        <translation>Only this one (%1)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="161"/>
        <source>The whole series (%1)</source>
        <translation>The whole series (%1)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="165"/>
        <source>This meeting is part of a series. Cancel:</source>
        <translation>This meeting is part of a series. Cancel:</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../desktop/ui/settings_actions.py" line="62"/>
        <source>Something went wrong; the details are in the log.</source>
        <translation>Something went wrong; the details are in the log.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="134"/>
        <source>The conversation could not be prepared.</source>
        <translation>The conversation could not be prepared.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="199"/>
        <source>That did not work; the details are in the log.</source>
        <translation>That did not work; the details are in the log.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="231"/>
        <source>Start a conversation first; then the assistant can answer typed messages.</source>
        <translation>Start a conversation first; then the assistant can answer typed messages.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_actions.py" line="173"/>
        <source>The check could not run.</source>
        <translation>The check could not run.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_actions.py" line="175"/>
        <source>The connection works.</source>
        <translation>The connection works.</translation>
    </message>
</context>
<context>
    <name>DeviceNotice</name>
    <message>
        <location filename="../../desktop/audio/notices.py" line="23"/>
        <source>The microphone was disconnected; the call goes on and will resume when it is back.</source>
        <translation>The microphone was disconnected; the call goes on and will resume when it is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="26"/>
        <source>The microphone “{device}” was disconnected; the call goes on, but you are not heard until it is back.</source>
        <translation>The microphone “{device}” was disconnected; the call goes on, but you are not heard until it is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="31"/>
        <source>The microphone “{device}” was disconnected; the system&apos;s default microphone is used until it is back.</source>
        <translation>The microphone “{device}” was disconnected; the system&apos;s default microphone is used until it is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="36"/>
        <source>The microphone is back.</source>
        <translation>The microphone is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="37"/>
        <source>The microphone “{device}” is back.</source>
        <translation>The microphone “{device}” is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="38"/>
        <source>No microphone was found.</source>
        <translation>No microphone was found.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="39"/>
        <source>The microphone “{device}” is not connected.</source>
        <translation>The microphone “{device}” is not connected.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="42"/>
        <source>The speaker was disconnected; the call goes on and will resume when it is back.</source>
        <translation>The speaker was disconnected; the call goes on and will resume when it is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="45"/>
        <source>The speaker “{device}” was disconnected; the call goes on, and you hear the assistant when it is back.</source>
        <translation>The speaker “{device}” was disconnected; the call goes on, and you hear the assistant when it is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="50"/>
        <source>The speaker “{device}” was disconnected; the system&apos;s default speaker is used until it is back.</source>
        <translation>The speaker “{device}” was disconnected; the system&apos;s default speaker is used until it is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="54"/>
        <source>The speaker is back.</source>
        <translation>The speaker is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="55"/>
        <source>The speaker “{device}” is back.</source>
        <translation>The speaker “{device}” is back.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="56"/>
        <source>No speaker was found.</source>
        <translation>No speaker was found.</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="57"/>
        <source>The speaker “{device}” is not connected.</source>
        <translation>The speaker “{device}” is not connected.</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The service&apos;s address answered with a redirect, which is not followed; check the endpoint.</source>
        <translation>The service&apos;s address answered with a redirect, which is not followed; check the endpoint.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The network&apos;s proxy asks for a user name and password; give them in the proxy&apos;s address (http://user:password@host:port) or ask the network&apos;s administrator.</source>
        <translation>The network&apos;s proxy asks for a user name and password; give them in the proxy&apos;s address (http://user:password@host:port) or ask the network&apos;s administrator.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The network&apos;s proxy refused the connection to the service; ask the network&apos;s administrator to allow it.</source>
        <translation>The network&apos;s proxy refused the connection to the service; ask the network&apos;s administrator to allow it.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The network&apos;s proxy could not reach the service; check the endpoint, or try again later.</source>
        <translation>The network&apos;s proxy could not reach the service; check the endpoint, or try again later.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>Could not reach the network&apos;s proxy; check the proxy setting (HTTPS_PROXY) and the network connection.</source>
        <translation>Could not reach the network&apos;s proxy; check the proxy setting (HTTPS_PROXY) and the network connection.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The service or a proxy on this network refused the WebSocket connection; ask the network&apos;s administrator to allow it, or choose another transport in the settings (Network (advanced)).</source>
        <translation>The service or a proxy on this network refused the WebSocket connection; ask the network&apos;s administrator to allow it, or choose another transport in the settings (Network (advanced)).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The service refused the session key from your token service; check that it mints for the endpoint and deployment in the settings.</source>
        <translation>The service refused the session key from your token service; check that it mints for the endpoint and deployment in the settings.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>Could not reach your organisation&apos;s token service; check its URL in the settings and the network connection.</source>
        <translation>Could not reach your organisation&apos;s token service; check its URL in the settings and the network connection.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service refused the bearer token; check it in the settings.</source>
        <translation>The token service refused the bearer token; check it in the settings.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service is limiting requests right now; try again shortly.</source>
        <translation>The token service is limiting requests right now; try again shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service had an error and handed out no session key; try again shortly.</source>
        <translation>The token service had an error and handed out no session key; try again shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service did not answer in time; try again shortly.</source>
        <translation>The token service did not answer in time; try again shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service&apos;s answer held no session key; check that it passes its mint&apos;s answer through.</source>
        <translation>The token service&apos;s answer held no session key; check that it passes its mint&apos;s answer through.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service answered with a redirect, which is not followed so that the bearer token goes nowhere else; enter the URL it redirects to.</source>
        <translation>The token service answered with a redirect, which is not followed so that the bearer token goes nowhere else; enter the URL it redirects to.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service handed out a session key that has expired or is about to; check the service&apos;s clock and key cache.</source>
        <translation>The token service handed out a session key that has expired or is about to; check the service&apos;s clock and key cache.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service refused to hand out a session key.</source>
        <translation>The token service refused to hand out a session key.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service URL is not a valid https:// URL (http:// only for this computer); correct it in the settings.</source>
        <translation>The token service URL is not a valid https:// URL (http:// only for this computer); correct it in the settings.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service is limiting requests; trying again in %1 s</source>
        <translation>The token service is limiting requests; trying again in %1 s</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="56"/>
        <source>The connection was renewed, but part of the conversation could not be restored: the assistant may not remember everything said before.</source>
        <translation>The connection was renewed, but part of the conversation could not be restored: the assistant may not remember everything said before.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="20"/>
        <source>The service rejected the API key; check it in the settings.</source>
        <translation>The service rejected the API key; check it in the settings.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="23"/>
        <source>The service does not know this deployment or model; check the endpoint and its name.</source>
        <translation>The service does not know this deployment or model; check the endpoint and its name.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="26"/>
        <source>The account has no quota left for this model.</source>
        <translation>The account has no quota left for this model.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="27"/>
        <source>The service is limiting requests right now; try again shortly.</source>
        <translation>The service is limiting requests right now; try again shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="30"/>
        <source>The service had an internal error; try again shortly.</source>
        <translation>The service had an internal error; try again shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="31"/>
        <source>Could not reach the service; check the endpoint and the network connection.</source>
        <translation>Could not reach the service; check the endpoint and the network connection.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="34"/>
        <location filename="../../desktop/ui/error_text.py" line="35"/>
        <location filename="../../desktop/ui/error_text.py" line="36"/>
        <source>The service did not answer in time; try again shortly.</source>
        <translation>The service did not answer in time; try again shortly.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="39"/>
        <source>The media connection to the service failed. On a network that blocks it, choose Automatic or WebSocket as the transport in the settings (Network (advanced)), or set a TURN server there.</source>
        <translation>The media connection to the service failed. On a network that blocks it, choose Automatic or WebSocket as the transport in the settings (Network (advanced)), or set a TURN server there.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="44"/>
        <source>The connection to the service was lost.</source>
        <translation>The connection to the service was lost.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="45"/>
        <source>The connection could not be restored.</source>
        <translation>The connection could not be restored.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="46"/>
        <source>The endpoint is not a valid URL; correct it in the settings.</source>
        <translation>The endpoint is not a valid URL; correct it in the settings.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="49"/>
        <source>The connection is not fully set up yet; complete it in the settings.</source>
        <translation>The connection is not fully set up yet; complete it in the settings.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="52"/>
        <source>Your words could not be transcribed.</source>
        <translation>Your words could not be transcribed.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="53"/>
        <source>The assistant could not answer.</source>
        <translation>The assistant could not answer.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="54"/>
        <source>That message is too long to send.</source>
        <translation>That message is too long to send.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="31"/>
        <source>The service asks to wait longer than the app waits by itself; start the conversation again later.</source>
        <translation>The service asks to wait longer than the app waits by itself; start the conversation again later.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="59"/>
        <source>Rate limited; trying again in %1 s</source>
        <translation>Rate limited; trying again in %1 s</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="61"/>
        <source>The service is busy; trying again in %1 s</source>
        <translation>The service is busy; trying again in %1 s</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The embeddings service did not answer in time.</source>
        <translation>The embeddings service did not answer in time.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The embeddings service&apos;s answer did not hold the vectors asked for.</source>
        <translation>The embeddings service&apos;s answer did not hold the vectors asked for.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The embeddings model does not take dimensions: use text-embedding-3-small or -large.</source>
        <translation>The embeddings model does not take dimensions: use text-embedding-3-small or -large.</translation>
    </message>
</context>
<context>
    <name>EventTable</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61"/>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61"/>
        <source>Direction</source>
        <translation>Direction</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61"/>
        <source>Type</source>
        <translation>Type</translation>
    </message>
</context>
<context>
    <name>FolderPicker</name>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="15"/>
        <source>Choose the knowledge folder</source>
        <translation>Choose the knowledge folder</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="25"/>
        <source>Knowledge: sample documents</source>
        <translation>Knowledge: sample documents</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="27"/>
        <source>Knowledge: %1</source>
        <translation>Knowledge: %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="39"/>
        <source>The bundled sample documents</source>
        <translation>The bundled sample documents</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="40"/>
        <source>Choose…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="41"/>
        <source>Use the sample documents</source>
        <translation>Use the sample documents</translation>
    </message>
</context>
<context>
    <name>IndexingProgress</name>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="57"/>
        <source>Indexing: %1</source>
        <translation>Indexing: %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="59"/>
        <source>Reading the knowledge folder: %1 of %2 files done; now %3</source>
        <translation>Reading the knowledge folder: %1 of %2 files done; now %3</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="68"/>
        <source>Embedding passages for search: %1 of %2</source>
        <translation>Embedding passages for search: %1 of %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="72"/>
        <source>The knowledge folder's passages are embedded once, so the search finds what a question means, not only its words: %1 of %2 done.</source>
        <translation>The knowledge folder's passages are embedded once, so the search finds what a question means, not only its words: %1 of %2 done.</translation>
    </message>
</context>
<context>
    <name>InspectorDock</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="96"/>
        <source>Event inspector</source>
        <translation>Event inspector</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="107"/>
        <source>Filter by type, e.g. response.</source>
        <translation>Filter by type, e.g. response.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="108"/>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="109"/>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="166"/>
        <source>%1 events shown, %2 skipped while paused</source>
        <translation>%1 events shown, %2 skipped while paused</translation>
    </message>
</context>
<context>
    <name>KnowledgePage</name>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="60"/>
        <source>The assistant answers questions from the documents in this folder (Markdown, text, PDF, Word, HTML), and says which ones it used, with the page and heading. Changes in the folder are picked up by themselves; a big folder is read in the background, with its progress in the status bar.</source>
        <translation>The assistant answers questions from the documents in this folder (Markdown, text, PDF, Word, HTML), and says which ones it used, with the page and heading. Changes in the folder are picked up by themselves; a big folder is read in the background, with its progress in the status bar.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="85"/>
        <source>Folder</source>
        <translation>Folder</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="86"/>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="73"/>
        <source>Embed now</source>
        <translation>Embed now</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="115"/>
        <source>Keyword search for now: %1 passages wait for your go-ahead to be embedded with %2.</source>
        <translation>Keyword search for now: %1 passages wait for your go-ahead to be embedded with %2.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="120"/>
        <source>Keyword search only: the demo provider has no embeddings service. With Azure OpenAI or OpenAI the search also finds what a question means.</source>
        <translation>Keyword search only: the demo provider has no embeddings service. With Azure OpenAI or OpenAI the search also finds what a question means.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="125"/>
        <source>Keyword search only: no embeddings deployment is set. On the Connection tab, name a deployment of an embeddings model (for example %1) on the same Azure resource as the realtime deployment.</source>
        <translation>Keyword search only: no embeddings deployment is set. On the Connection tab, name a deployment of an embeddings model (for example %1) on the same Azure resource as the realtime deployment.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="132"/>
        <source>Keyword search only: the embeddings service failed; it is tried again after a wait (from 30 seconds, up to 10 minutes after repeated failures).</source>
        <translation>Keyword search only: the embeddings service failed; it is tried again after a wait (from 30 seconds, up to 10 minutes after repeated failures).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="135"/>
        <source>Keyword search only: the embeddings service is not set up (no API key, or the endpoint is not a valid address); see the Connection tab.</source>
        <translation>Keyword search only: the embeddings service is not set up (no API key, or the endpoint is not a valid address); see the Connection tab.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="141"/>
        <source>Hybrid search (words and meaning) with %1: %2 of %3 passages embedded, the rest in the background.</source>
        <translation>Hybrid search (words and meaning) with %1: %2 of %3 passages embedded, the rest in the background.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="144"/>
        <source>Hybrid search (words and meaning) with %1: %2 passages embedded.</source>
        <translation>Hybrid search (words and meaning) with %1: %2 passages embedded.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="149"/>
        <source>Embedding them sends their text to your embeddings service once: about %1 tokens, roughly %2 at text-embedding-3-small&apos;s $0.02 per million tokens (text-embedding-3-large costs $0.13). This is an estimate.</source>
        <translation>Embedding them sends their text to your embeddings service once: about %1 tokens, roughly %2 at text-embedding-3-small&apos;s $0.02 per million tokens (text-embedding-3-large costs $0.13). This is an estimate.</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../../desktop/ui/level_meter.py" line="21"/>
        <location filename="../../desktop/ui/level_meter.py" line="22"/>
        <source>Microphone level</source>
        <translation>Microphone level</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1"/>
        <source>&amp;About Voice Assistant</source>
        <translation>&amp;About Voice Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1"/>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="50"/>
        <source>Voice Assistant</source>
        <translation>Voice Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="57"/>
        <source>Hands-free</source>
        <translation>Hands-free</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="60"/>
        <source>Off: hold the button or Space to talk. On: the assistant listens by itself.</source>
        <translation>Off: hold the button or Space to talk. On: the assistant listens by itself.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="62"/>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="63"/>
        <source>End</source>
        <translation>End</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="105"/>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="106"/>
        <source>Save conversation as Markdown…</source>
        <translation>Save conversation as Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="108"/>
        <source>&amp;Knowledge folder…</source>
        <translation>&amp;Knowledge folder…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="110"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="113"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="116"/>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="118"/>
        <source>Event inspector</source>
        <translation>Event inspector</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="198"/>
        <source>Reconnected; the conversation goes on.</source>
        <translation>Reconnected; the conversation goes on.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="202"/>
        <source>The sample documents that come with the app</source>
        <translation>The sample documents that come with the app</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="205"/>
        <source>The knowledge folder %1 is not there; the sample documents are used instead.</source>
        <translation>The knowledge folder %1 is not there; the sample documents are used instead.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="232"/>
        <source>The calendar could not be opened, so meetings cannot be booked in this run; the details are in the log.</source>
        <translation>The calendar could not be opened, so meetings cannot be booked in this run; the details are in the log.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="238"/>
        <source>Something went wrong; the details are in the log.</source>
        <translation>Something went wrong; the details are in the log.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="249"/>
        <source>No system keychain is available: your API key is kept for this run only.</source>
        <translation>No system keychain is available: your API key is kept for this run only.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="279"/>
        <source>Saved. The new settings apply from the next conversation.</source>
        <translation>Saved. The new settings apply from the next conversation.</translation>
    </message>
</context>
<context>
    <name>MeetingDialog</name>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="49"/>
        <source>Reminder</source>
        <translation>Reminder</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="90"/>
        <source>Confirm meeting</source>
        <translation>Confirm meeting</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="91"/>
        <source>The assistant wants to book this meeting. Check or change it, then confirm.</source>
        <translation>The assistant wants to book this meeting. Check or change it, then confirm.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="94"/>
        <source>Cancel meeting?</source>
        <translation>Cancel meeting?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="95"/>
        <source>This meeting will be removed from your calendar.</source>
        <translation>This meeting will be removed from your calendar.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="97"/>
        <source>New meeting</source>
        <translation>New meeting</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="98"/>
        <source>Edit meeting</source>
        <translation>Edit meeting</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="107"/>
        <source>All day</source>
        <translation>All day</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="110"/>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="113"/>
        <source> day(s)</source>
        <translation> day(s)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="119"/>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="120"/>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="122"/>
        <source>Duration</source>
        <translation>Duration</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="123"/>
        <source>Days</source>
        <translation>Days</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="124"/>
        <source>Repeats</source>
        <translation>Repeats</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="149"/>
        <source>Confirm</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="150"/>
        <source>Decline</source>
        <translation>Decline</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="234"/>
        <source>Overlaps with “%1” (%2, %3 min).</source>
        <translation>Overlaps with “%1” (%2, %3 min).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="242"/>
        <source>And %1 more overlaps.</source>
        <translation>And %1 more overlaps.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="246"/>
        <source>The start time %1 is in the past.</source>
        <translation>The start time %1 is in the past.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="272"/>
        <source>The start time %1 is too far from today.</source>
        <translation>The start time %1 is too far from today.</translation>
    </message>
</context>
<context>
    <name>NetworkPage</name>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="132"/>
        <source>Automatic</source>
        <translation>Automatic</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="132"/>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="132"/>
        <source>Automatic uses WebRTC and switches to a WebSocket where the network lets no media through.</source>
        <translation>Automatic uses WebRTC and switches to a WebSocket where the network lets no media through.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="128"/>
        <source>Only needed on networks that block direct connections: one STUN or TURN server URL a line. Leave empty otherwise (connecting is quicker without). The credential is kept in the system keychain, like the API key.</source>
        <translation>Only needed on networks that block direct connections: one STUN or TURN server URL a line. Leave empty otherwise (connecting is quicker without). The credential is kept in the system keychain, like the API key.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="136"/>
        <source>ICE servers</source>
        <translation>ICE servers</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="137"/>
        <source>User name</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="138"/>
        <source>Credential</source>
        <translation>Credential</translation>
    </message>
</context>
<context>
    <name>RecurrenceEditor</name>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="43"/>
        <source>Does not repeat</source>
        <translation>Does not repeat</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="43"/>
        <source>Daily</source>
        <translation>Daily</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="44"/>
        <source>Weekly</source>
        <translation>Weekly</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="44"/>
        <source>Monthly</source>
        <translation>Monthly</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="45"/>
        <source>Yearly</source>
        <translation>Yearly</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="48"/>
        <source>No end</source>
        <translation>No end</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="48"/>
        <source>After</source>
        <translation>After</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="49"/>
        <source>Until</source>
        <translation>Until</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="54"/>
        <source> times</source>
        <translation> times</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="85"/>
        <source>Custom</source>
        <translation>Custom</translation>
    </message>
</context>
<context>
    <name>RecurrenceWords</name>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="28"/>
        <location filename="../../desktop/ui/recurrence_words.py" line="31"/>
        <source>Repeats: %1</source>
        <translation>Repeats: %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="33"/>
        <source>%1, %2 times</source>
        <translation>%1, %2 times</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="36"/>
        <source>%1, until %2</source>
        <translation>%1, until %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="51"/>
        <source>Every day</source>
        <translation>Every day</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="52"/>
        <source>Every %1 days</source>
        <translation>Every %1 days</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="56"/>
        <source>Every weekday</source>
        <translation>Every weekday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="57"/>
        <source>Every %1</source>
        <translation>Every %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="61"/>
        <source>Every %1 weeks on %2</source>
        <translation>Every %1 weeks on %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="68"/>
        <source>Every year</source>
        <translation>Every year</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="69"/>
        <source>Every %1 years</source>
        <translation>Every %1 years</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="82"/>
        <source>Every month on the %1 %2</source>
        <translation>Every month on the %1 %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="83"/>
        <source>Every %1 months on the %2 %3</source>
        <translation>Every %1 months on the %2 %3</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="88"/>
        <source>Every month on the last day</source>
        <translation>Every month on the last day</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="89"/>
        <source>Every %1 months on the last day</source>
        <translation>Every %1 months on the last day</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="93"/>
        <source>Every month on day %1</source>
        <translation>Every month on day %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="94"/>
        <source>Every %1 months on day %2</source>
        <translation>Every %1 months on day %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="99"/>
        <source>first</source>
        <translation>first</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="100"/>
        <source>second</source>
        <translation>second</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="101"/>
        <source>third</source>
        <translation>third</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="102"/>
        <source>fourth</source>
        <translation>fourth</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="103"/>
        <source>fifth</source>
        <translation>fifth</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="104"/>
        <source>last</source>
        <translation>last</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="111"/>
        <source>Monday</source>
        <translation>Monday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="112"/>
        <source>Tuesday</source>
        <translation>Tuesday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="113"/>
        <source>Wednesday</source>
        <translation>Wednesday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="114"/>
        <source>Thursday</source>
        <translation>Thursday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="115"/>
        <source>Friday</source>
        <translation>Friday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="116"/>
        <source>Saturday</source>
        <translation>Saturday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="117"/>
        <source>Sunday</source>
        <translation>Sunday</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="124"/>
        <source>, </source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="125"/>
        <source>%1 and %2</source>
        <translation>%1 and %2</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="1"/>
        <source>Usage</source>
        <translation>Usage</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="29"/>
        <source>Calendar</source>
        <translation>Calendar</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="1"/>
        <source>Talk from any application</source>
        <translation>Talk from any application</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="71"/>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="75"/>
        <source>Connection</source>
        <translation>Connection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="76"/>
        <source>Voice and turns</source>
        <translation>Voice and turns</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="79"/>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="81"/>
        <source>Knowledge</source>
        <translation>Knowledge</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="83"/>
        <source>Network (advanced)</source>
        <translation>Network (advanced)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="104"/>
        <source>Demo (built-in, no key needed)</source>
        <translation>Demo (built-in, no key needed)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="105"/>
        <source>Azure OpenAI</source>
        <translation>Azure OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="106"/>
        <source>Azure OpenAI (preview API)</source>
        <translation>Azure OpenAI (preview API)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="107"/>
        <source>OpenAI</source>
        <translation>OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="120"/>
        <source>No system keychain is available: the key will be kept for this run only and asked for again next time.</source>
        <translation>No system keychain is available: the key will be kept for this run only and asked for again next time.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="126"/>
        <source>In this run, environment variables override these settings: %1.</source>
        <translation>In this run, environment variables override these settings: %1.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="130"/>
        <source>Test connection</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="135"/>
        <source>Provider</source>
        <translation>Provider</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="136"/>
        <source>Endpoint or resource URL</source>
        <translation>Endpoint or resource URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="137"/>
        <source>Regional WebRTC URL</source>
        <translation>Regional WebRTC URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="139"/>
        <source>Deployment or model</source>
        <translation>Deployment or model</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="140"/>
        <source>API key</source>
        <translation>API key</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="149"/>
        <source>%1 (not on the preview API)</source>
        <translation>%1 (not on the preview API)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="153"/>
        <source>Reset to default</source>
        <translation>Reset to default</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="157"/>
        <source>Server voice detection</source>
        <translation>Server voice detection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="158"/>
        <source>Semantic voice detection</source>
        <translation>Semantic voice detection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="159"/>
        <source>Push-to-talk</source>
        <translation>Push-to-talk</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="172"/>
        <source>automatic, or e.g. zh, en</source>
        <translation>automatic, or e.g. zh, en</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="174"/>
        <source>Voice</source>
        <translation>Voice</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="175"/>
        <source>Instructions</source>
        <translation>Instructions</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="177"/>
        <source>Turn detection</source>
        <translation>Turn detection</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="178"/>
        <source>Threshold</source>
        <translation>Threshold</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="179"/>
        <source>Prefix padding</source>
        <translation>Prefix padding</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="180"/>
        <source>Silence duration</source>
        <translation>Silence duration</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="181"/>
        <source>Eagerness</source>
        <translation>Eagerness</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="182"/>
        <source>Transcription model</source>
        <translation>Transcription model</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="183"/>
        <source>Transcription language</source>
        <translation>Transcription language</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="119"/>
        <source>e.g. text-embedding-3-small or -large; empty: keyword search only</source>
        <translation>e.g. text-embedding-3-small or -large; empty: keyword search only</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="122"/>
        <source>OpenAI: the knowledge search uses the model text-embedding-3-small (the environment variable OPENAI_EMBEDDINGS_MODEL names another).</source>
        <translation>OpenAI: the knowledge search uses the model text-embedding-3-small (the environment variable OPENAI_EMBEDDINGS_MODEL names another).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="148"/>
        <source>Embeddings deployment</source>
        <translation>Embeddings deployment</translation>
    </message>
</context>
<context>
    <name>SingleInstance</name>
    <message>
        <location filename="../../desktop/ui/single_instance.py" line="51"/>
        <source>Voice Assistant is already running (process {pid}) but does not answer; close it, or end that process, and start it again.</source>
        <translation>Voice Assistant is already running (process {pid}) but does not answer; close it, or end that process, and start it again.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/single_instance.py" line="245"/>
        <source>Voice Assistant</source>
        <translation>Voice Assistant</translation>
    </message>
</context>
<context>
    <name>TalkButton</name>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="97"/>
        <source>Not connected — click to start</source>
        <translation>Not connected — click to start</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="99"/>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="103"/>
        <source>Reconnecting…</source>
        <translation>Reconnecting…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="104"/>
        <source>Reconnecting… (attempt %1 of %2)</source>
        <translation>Reconnecting… (attempt %1 of %2)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="107"/>
        <source>Error — click to try again</source>
        <translation>Error — click to try again</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="109"/>
        <source>Hold to talk (Space)</source>
        <translation>Hold to talk (Space)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="109"/>
        <source>Click to listen</source>
        <translation>Click to listen</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="111"/>
        <source>Listening — release to send</source>
        <translation>Listening — release to send</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="112"/>
        <source>Listening — click to stop</source>
        <translation>Listening — click to stop</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="115"/>
        <source>You are speaking</source>
        <translation>You are speaking</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="117"/>
        <source>Waiting for your answer in the meeting dialog</source>
        <translation>Waiting for your answer in the meeting dialog</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="119"/>
        <source>Assistant is thinking — press to interrupt</source>
        <translation>Assistant is thinking — press to interrupt</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="120"/>
        <source>Assistant is speaking — press to interrupt</source>
        <translation>Assistant is speaking — press to interrupt</translation>
    </message>
</context>
<context>
    <name>TargetNotice</name>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="40"/>
        <source>No API key is set up yet, so you are talking to the built-in demo assistant. Add a key in the settings to talk to a real model.</source>
        <translation>No API key is set up yet, so you are talking to the built-in demo assistant. Add a key in the settings to talk to a real model.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="47"/>
        <source>The connection to %1 is set by environment variables (%2); the settings do not change it.</source>
        <translation>The connection to %1 is set by environment variables (%2); the settings do not change it.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="67"/>
        <source>It is set by the environment variable %1: change or unset it and start the app again (the settings do not change it).</source>
        <translation>It is set by the environment variable %1: change or unset it and start the app again (the settings do not change it).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="73"/>
        <source>The URL set by the environment variable %1 is not valid: change or unset it and start the app again (the settings do not change it).</source>
        <translation>The URL set by the environment variable %1 is not valid: change or unset it and start the app again (the settings do not change it).</translation>
    </message>
</context>
<context>
    <name>TranscriptPane</name>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="1"/>
        <source>Usage of this transcript</source>
        <translation>Usage of this transcript</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="1"/>
        <source>Usage</source>
        <translation>Usage</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="113"/>
        <source>Type a message and press Enter</source>
        <translation>Type a message and press Enter</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="114"/>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="115"/>
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="116"/>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="117"/>
        <source>Save as Markdown…</source>
        <translation>Save as Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="222"/>
        <source>asked</source>
        <translation>asked</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="223"/>
        <source>waiting for your confirmation</source>
        <translation>waiting for your confirmation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="224"/>
        <source>done</source>
        <translation>done</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="225"/>
        <source>declined by you</source>
        <translation>declined by you</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="226"/>
        <source>failed</source>
        <translation>failed</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="217"/>
        <location filename="../../desktop/ui/transcript.py" line="253"/>
        <source>Documents used: %1</source>
        <translation>Documents used: %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="247"/>
        <source>You</source>
        <translation>You</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="248"/>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="249"/>
        <source>Tool</source>
        <translation>Tool</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="250"/>
        <source>connection renewed</source>
        <translation>connection renewed</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="253"/>
        <source>interrupted</source>
        <translation>interrupted</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="271"/>
        <source>Save conversation</source>
        <translation>Save conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="271"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="285"/>
        <source>The conversation could not be saved: %1</source>
        <translation>The conversation could not be saved: %1</translation>
    </message>
</context>
<context>
    <name>UrlWarning</name>
    <message>
        <location filename="../../desktop/ui/url_warning.py" line="28"/>
        <source>The endpoint is not a valid URL; it looks like %1.</source>
        <translation>The endpoint is not a valid URL; it looks like %1.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/url_warning.py" line="32"/>
        <source>The regional WebRTC URL is not a valid URL; it looks like %1.</source>
        <translation>The regional WebRTC URL is not a valid URL; it looks like %1.</translation>
    </message>
</context>
<context>
    <name>CalendarPage</name>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="126"/>
        <source>A notification reminds you of each meeting, while the window is hidden too. A meeting can have its own reminder (in its dialog); the others use this one.</source>
        <translation>A notification reminds you of each meeting, while the window is hidden too. A meeting can have its own reminder (in its dialog); the others use this one.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="133"/>
        <source>Remind me</source>
        <translation>Remind me</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="1"/>
        <source>Keep running in the tray when the window is closed</source>
        <translation>Keep running in the tray when the window is closed</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="1"/>
        <source>This desktop has no system tray, so closing the window quits the app.</source>
        <translation>This desktop has no system tray, so closing the window quits the app.</translation>
    </message>
</context>
<context>
    <name>GlobalShortcut</name>
    <message>
        <location filename="../../desktop/ui/shortcut_backend.py" line="1"/>
        <source>Could not listen for the shortcut here; the details are in the log.</source>
        <translation>Could not listen for the shortcut here; the details are in the log.</translation>
    </message>
    <message>
        <source>Not available on macOS yet: a shortcut that works in every application needs the Accessibility permission (System Settings, Privacy &amp; Security), which this app does not ask for yet. Space talks while this window is in front.</source>
        <translation type="vanished">Not available on macOS yet: a shortcut that works in every application needs the Accessibility permission (System Settings, Privacy &amp; Security), which this app does not ask for yet. Space talks while this window is in front.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_portal.py" line="1"/>
        <source>Not available here: this Wayland desktop offers no GlobalShortcuts portal, the only way an application may have a shortcut in every application there. Space talks while this window is in front.</source>
        <translation>Not available here: this Wayland desktop offers no GlobalShortcuts portal, the only way an application may have a shortcut in every application there. Space talks while this window is in front.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Asking the desktop for this shortcut…</source>
        <translation>Asking the desktop for this shortcut…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_portal.py" line="1"/>
        <source>The desktop did not give the app this shortcut.</source>
        <translation>The desktop did not give the app this shortcut.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_portal.py" line="1"/>
        <source>Hold to talk to the voice assistant</source>
        <translation>Hold to talk to the voice assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Not available on this display (%1): it has no keyboard of its own.</source>
        <translation>Not available on this display (%1): it has no keyboard of its own.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Off: Space talks while this window is in front.</source>
        <translation>Off: Space talks while this window is in front.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Choose one key with Ctrl, Alt or Meta (or a function key alone), so that typing in other applications is left alone.</source>
        <translation>Choose one key with Ctrl, Alt or Meta (or a function key alone), so that typing in other applications is left alone.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Works in every application: hold %1 to talk.</source>
        <translation>Works in every application: hold %1 to talk.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_backend.py" line="1"/>
        <source>This keyboard has no such key here.</source>
        <translation>This keyboard has no such key here.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_x11.py" line="1"/>
        <source>Another application already uses this shortcut.</source>
        <translation>Another application already uses this shortcut.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_x11.py" line="1"/>
        <source>The display refused this shortcut (X11 error %1).</source>
        <translation>The display refused this shortcut (X11 error %1).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_windows.py" line="1"/>
        <source>Windows refused this shortcut.</source>
        <translation>Windows refused this shortcut.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_macos.py" line="1"/>
        <source>macOS keeps Option and Shift for typing: add ⌘ or Control.</source>
        <translation>macOS keeps Option and Shift for typing: add ⌘ or Control.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_macos.py" line="1"/>
        <source>macOS refused this shortcut (error %1).</source>
        <translation>macOS refused this shortcut (error %1).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_macos.py" line="1"/>
        <source>macOS itself uses this shortcut: choose another, or turn it off in System Settings → Keyboard → Keyboard Shortcuts and choose it again here.</source>
        <translation>macOS itself uses this shortcut: choose another, or turn it off in System Settings → Keyboard → Keyboard Shortcuts and choose it again here.</translation>
    </message>
</context>
<context>
    <name>ReminderPicker</name>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="24"/>
        <source>Default (%1)</source>
        <translation>Default (%1)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="25"/>
        <source>No reminder</source>
        <translation>No reminder</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="30"/>
        <source>At the start</source>
        <translation>At the start</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="37"/>
        <source>1 day before</source>
        <translation>1 day before</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="37"/>
        <source>%1 days before</source>
        <translation>%1 days before</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="30"/>
        <source>1 hour before</source>
        <translation>1 hour before</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="39"/>
        <source>%1 hours before</source>
        <translation>%1 hours before</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="40"/>
        <source>1 minute before</source>
        <translation>1 minute before</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="40"/>
        <source>%1 minutes before</source>
        <translation>%1 minutes before</translation>
    </message>
</context>
<context>
    <name>ReminderPopup</name>
    <message>
        <location filename="../../desktop/ui/reminder_popup.py" line="29"/>
        <source>Meeting reminder</source>
        <translation>Meeting reminder</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_popup.py" line="2"/>
        <source>Show</source>
        <translation>Show</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_popup.py" line="2"/>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
</context>
<context>
    <name>ReminderPresenter</name>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="1"/>
        <source>Show</source>
        <translation>Show</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="3"/>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="90"/>
        <source>All-day event</source>
        <translation>All-day event</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="88"/>
        <source>Starting now</source>
        <translation>Starting now</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="95"/>
        <source>Starts in 1 minute</source>
        <translation>Starts in 1 minute</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="96"/>
        <source>Starts in %1 minutes</source>
        <translation>Starts in %1 minutes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="105"/>
        <source>%1–%2 (%3 min)</source>
        <translation>%1–%2 (%3 min)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="110"/>
        <source>Missed while the app was closed: “%1” at %2.</source>
        <translation>Missed while the app was closed: “%1” at %2.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="114"/>
        <source>And %1 more.</source>
        <translation>And %1 more.</translation>
    </message>
</context>
<context>
    <name>ShortcutField</name>
    <message>
        <location filename="../../desktop/ui/shortcut_field.py" line="1"/>
        <source>Off once saved: Space still talks while this window is in front.</source>
        <translation>Off once saved: Space still talks while this window is in front.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_field.py" line="1"/>
        <source>Tried when you press OK; if it cannot work here, the status bar says why.</source>
        <translation>Tried when you press OK; if it cannot work here, the status bar says why.</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Show window</source>
        <translation>Show window</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Start conversation</source>
        <translation>Start conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>End conversation</source>
        <translation>End conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Hands-free</source>
        <translation>Hands-free</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Voice Assistant: %1</source>
        <translation>Voice Assistant: %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>No meetings coming up</source>
        <translation>No meetings coming up</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Next: %1, %2</source>
        <translation>Next: %1, %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Missed while closed: %1, %2</source>
        <translation>Missed while closed: %1, %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>%1 (and %2 more)</source>
        <translation>%1 (and %2 more)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Could not read the calendar</source>
        <translation>Could not read the calendar</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Voice Assistant is still running</source>
        <translation>Voice Assistant is still running</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>It stays in the tray, and meeting reminders keep coming. To quit, choose Quit in the tray's menu or File → Quit.</source>
        <translation>It stays in the tray, and meeting reminders keep coming. To quit, choose Quit in the tray's menu or File → Quit.</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>In a conversation</source>
        <translation>In a conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Not in a conversation</source>
        <translation>Not in a conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Listening</source>
        <translation>Listening</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>The assistant is speaking</source>
        <translation>The assistant is speaking</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Waiting for your confirmation</source>
        <translation>Waiting for your confirmation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>The conversation stopped with an error</source>
        <translation>The conversation stopped with an error</translation>
    </message>
</context>
<context>
    <name>UsageLabel</name>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Enter prices in Settings (Usage) to see an estimate of the cost.</source>
        <translation>Enter prices in Settings (Usage) to see an estimate of the cost.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Estimated cost: %1 at the prices in Settings (the service's bill is what counts)</source>
        <translation>Estimated cost: %1 at the prices in Settings (the service's bill is what counts)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Output: %1 text, %2 audio</source>
        <translation>Output: %1 text, %2 audio</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Input: %1 text, %2 audio, %3 cached</source>
        <translation>Input: %1 text, %2 audio, %3 cached</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Tokens: %1 in · %2 out</source>
        <translation>Tokens: %1 in · %2 out</translation>
    </message>
</context>
<context>
    <name>UsagePage</name>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source> per 1M tokens</source>
        <translation> per 1M tokens</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Audio output</source>
        <translation>Audio output</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Text output</source>
        <translation>Text output</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Cached input</source>
        <translation>Cached input</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Audio input</source>
        <translation>Audio input</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Text input</source>
        <translation>Text input</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>The status bar counts the tokens of each conversation. Enter what your model costs, in US dollars per million tokens (see your provider's price list), and it shows an estimate of the cost too. Leave a price at 0 to leave that kind out.</source>
        <translation>The status bar counts the tokens of each conversation. Enter what your model costs, in US dollars per million tokens (see your provider's price list), and it shows an estimate of the cost too. Leave a price at 0 to leave that kind out.</translation>
    </message>
</context>
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Voice Assistant is built with the open-source software below, under these licences:</source>
        <translation>Voice Assistant is built with the open-source software below, under these licences:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>The licence notices could not be read.</source>
        <translation>The licence notices could not be read.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Log</source>
        <translation>Log</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Data</source>
        <translation>Data</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>chosen by the service</source>
        <translation>chosen by the service</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Voice Assistant</source>
        <translation>Voice Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>About Voice Assistant</source>
        <translation>About Voice Assistant</translation>
    </message>
</context>
<context>
    <name>TokenServiceFields</name>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Minted with the API key</source>
        <translation>Minted with the API key</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>From my organisation&apos;s token service</source>
        <translation>From my organisation&apos;s token service</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>optional</source>
        <translation>optional</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>The app asks this URL for each session key; the resource&apos;s API key stays with your organisation. The bearer token is kept in the system keychain, like the API key.</source>
        <translation>The app asks this URL for each session key; the resource&apos;s API key stays with your organisation. The bearer token is kept in the system keychain, like the API key.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Session key</source>
        <translation>Session key</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Token service URL</source>
        <translation>Token service URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Bearer token</source>
        <translation>Bearer token</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>The token service URL must be a https:// URL (http:// only for 127.0.0.1 or localhost), such as %1.</source>
        <translation>The token service URL must be a https:// URL (http:// only for 127.0.0.1 or localhost), such as %1.</translation>
    </message>
</context>
</TS>
