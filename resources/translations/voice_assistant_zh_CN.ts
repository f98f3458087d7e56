<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>Banner</name>
    <message>
        <location filename="../../desktop/ui/banner.py" line="28" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="29" />
        <source>Open settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="30" />
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../desktop/ui/controller.py" line="105" />
        <source>Something went wrong; the details are in the log.</source>
        <translation>出了点问题，详细信息已写入日志。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="152" />
        <source>The conversation could not be prepared.</source>
        <translation>无法准备这次对话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="231" />
        <source>That did not work; the details are in the log.</source>
        <translation>操作没有成功，详细信息已写入日志。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="255" />
        <source>Start a conversation first; then the assistant can answer typed messages.</source>
        <translation>请先开始对话，助理才能回复您输入的消息。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="317" />
        <source>The check could not run.</source>
        <translation>无法运行连接测试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="318" />
        <source>The connection works.</source>
        <translation>连接正常。</translation>
    </message>
</context>
<context>
    <name>EventTable</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61" />
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61" />
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61" />
        <source>Type</source>
        <translation>类型</translation>
    </message>
</context>
<context>
    <name>InspectorDock</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="96" />
        <source>Event inspector</source>
        <translation>事件检查器</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="107" />
        <source>Filter by type, e.g. response.</source>
        <translation>按类型筛选，例如 response.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="108" />
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="109" />
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="158" />
        <source>%1 events shown, %2 skipped while paused</source>
        <translation>显示 %1 个事件，暂停期间跳过 %2 个</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../../desktop/ui/level_meter.py" line="21" />
        <location filename="../../desktop/ui/level_meter.py" line="22" />
        <source>Microphone level</source>
        <translation>麦克风音量</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="50" />
        <source>Voice Assistant</source>
        <translation>语音助理</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="57" />
        <source>Hands-free</source>
        <translation>免按键</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="60" />
        <source>Off: hold the button or Space to talk. On: the assistant listens by itself.</source>
        <translation>关闭：按住按钮或空格键说话。开启：助理自动聆听。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="62" />
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="63" />
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="99" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="100" />
        <source>Save conversation as Markdown…</source>
        <translation>将对话另存为 Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="102" />
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="105" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="108" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="110" />
        <source>Event inspector</source>
        <translation>事件检查器</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="157" />
        <source>Reconnected; the conversation goes on.</source>
        <translation>已重新连接，对话继续。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="172" />
        <source>Something went wrong; the details are in the log.</source>
        <translation>出了点问题，详细信息已写入日志。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="178" />
        <source>No API key is set up yet, so you are talking to the built-in demo assistant. Add a key in the settings to talk to a real model.</source>
        <translation>尚未设置 API 密钥，您正在与内置的演示助理对话。在设置中添加密钥即可与真实模型对话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="189" />
        <source>No system keychain is available: your API key is kept for this run only.</source>
        <translation>系统钥匙串不可用：您的 API 密钥只在本次运行期间保留。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="217" />
        <source>Saved. The new settings apply from the next conversation.</source>
        <translation>已保存。新设置将从下一次对话开始生效。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="56" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="60" />
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="61" />
        <source>Voice and turns</source>
        <translation>语音与轮次</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="62" />
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="80" />
        <source>Demo (built-in, no key needed)</source>
        <translation>演示（内置，无需密钥）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="81" />
        <source>Azure OpenAI</source>
        <translation>Azure OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="82" />
        <source>Azure OpenAI (preview API)</source>
        <translation>Azure OpenAI（预览版 API）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="83" />
        <source>OpenAI</source>
        <translation>OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="96" />
        <source>No system keychain is available: the key will be kept for this run only and asked for again next time.</source>
        <translation>系统钥匙串不可用：密钥只在本次运行期间保留，下次启动时需要重新输入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="103" />
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="107" />
        <source>Provider</source>
        <translation>服务提供方</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="108" />
        <source>Endpoint or resource URL</source>
        <translation>终结点或资源 URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="109" />
        <source>Regional WebRTC URL</source>
        <translation>区域 WebRTC URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="110" />
        <source>Deployment or model</source>
        <translation>部署名称或模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="111" />
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="120" />
        <source>%1 (not on the preview API)</source>
        <translation>%1（预览版 API 不支持）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="124" />
        <source>Reset to default</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="128" />
        <source>Server voice detection</source>
        <translation>服务器语音检测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="129" />
        <source>Semantic voice detection</source>
        <translation>语义语音检测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="130" />
        <source>Push-to-talk</source>
        <translation>按键说话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="143" />
        <source>automatic, or e.g. zh, en</source>
        <translation>自动，或如 zh、en</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="145" />
        <source>Voice</source>
        <translation>音色</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="146" />
        <source>Instructions</source>
        <translation>指令</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="148" />
        <source>Turn detection</source>
        <translation>轮次检测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="149" />
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="150" />
        <source>Prefix padding</source>
        <translation>前置留白</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="151" />
        <source>Silence duration</source>
        <translation>静音时长</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="152" />
        <source>Eagerness</source>
        <translation>积极程度</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="153" />
        <source>Transcription model</source>
        <translation>转写模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="154" />
        <source>Transcription language</source>
        <translation>转写语言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="171" />
        <source>I use a headset (no echo cancellation needed)</source>
        <translation>我使用耳机（无需回声消除）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="173" />
        <source>Suppress background noise</source>
        <translation>抑制背景噪音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="176" />
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="177" />
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="188" />
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
</context>
<context>
    <name>TalkButton</name>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="66" />
        <source>Not connected — click to start</source>
        <translation>未连接 — 点击开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="68" />
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="70" />
        <source>Reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="72" />
        <source>Error — click to try again</source>
        <translation>出错 — 点击重试</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="74" />
        <source>Hold to talk (Space)</source>
        <translation>按住说话（空格键）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="74" />
        <source>Click to listen</source>
        <translation>点击开始聆听</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="76" />
        <source>Listening — release to send</source>
        <translation>正在聆听 — 松开发送</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="77" />
        <source>Listening — click to stop</source>
        <translation>正在聆听 — 点击停止</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="80" />
        <source>You are speaking</source>
        <translation>您正在说话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="82" />
        <source>Assistant is thinking — press to interrupt</source>
        <translation>助理正在思考 — 按下可打断</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="83" />
        <source>Assistant is speaking — press to interrupt</source>
        <translation>助理正在说话 — 按下可打断</translation>
    </message>
</context>
<context>
    <name>TranscriptPane</name>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="106" />
        <source>Type a message and press Enter</source>
        <translation>输入消息后按回车发送</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="107" />
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="108" />
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="109" />
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="110" />
        <source>Save as Markdown…</source>
        <translation>另存为 Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="193" />
        <source>asked</source>
        <translation>已请求</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="194" />
        <source>waiting for your confirmation</source>
        <translation>等待您确认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="195" />
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="196" />
        <source>declined by you</source>
        <translation>您已拒绝</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="197" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="204" />
        <source>Documents used: %1</source>
        <translation>参考文档：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="221" />
        <source>You</source>
        <translation>您</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="222" />
        <source>Assistant</source>
        <translation>助理</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="223" />
        <source>Tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="225" />
        <source>interrupted</source>
        <translation>已打断</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="239" />
        <source>Save conversation</source>
        <translation>保存对话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="239" />
        <source>Markdown (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="247" />
        <source>The conversation could not be saved: %1</source>
        <translation>无法保存对话：%1</translation>
    </message>
</context>
</TS>