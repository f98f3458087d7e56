<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AudioPage</name>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="39"/>
        <source>I use a headset (no echo cancellation needed)</source>
        <translation>我使用耳机（无需回声消除）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="41"/>
        <source>Suppress background noise</source>
        <translation>抑制背景噪音</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="50"/>
        <source>Battery saver: send the microphone in 40 ms packets (slightly more delay)</source>
        <translation>省电模式：麦克风音频以 40 毫秒为一包发送（延迟略有增加）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="49"/>
        <source>Echo cancellation is not installed, so on speakers your microphone is muted while the assistant speaks: interrupt it with the talk button, or use a headset. The optional “echo” extra adds echo cancellation and noise suppression.</source>
        <translation>未安装回声消除：使用扬声器时，助手说话期间你的麦克风会静音，请用通话按钮打断它，或使用耳机。安装可选的“echo”扩展即可获得回声消除和降噪。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="57"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="58"/>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="80"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../desktop/ui/banner.py" line="29"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="30"/>
        <source>Open settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="31"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/banner.py" line="32"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>CalendarFiles</name>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="33"/>
        <source>Export meetings</source>
        <translation>导出会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="40"/>
        <source>Import meetings</source>
        <translation>导入会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="46"/>
        <source>Exported %1 meeting(s) to %2.</source>
        <translation>已将 %1 个会议导出到 %2。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="48"/>
        <source>Could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="52"/>
        <source>Could not import %1</source>
        <translation>无法导入 %1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="55"/>
        <source>iCalendar files (*.ics)</source>
        <translation>iCalendar 文件 (*.ics)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="68"/>
        <source>“%1” (%2)</source>
        <translation>“%1”（%2）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="70"/>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="73"/>
        <source>; and %1 more</source>
        <translation>；另有 %1 个</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="74"/>
        <source>%1 Not imported: %2.</source>
        <translation>%1未导入：%2。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="80"/>
        <source>it has no start time</source>
        <translation>没有开始时间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="81"/>
        <source>it has no end time or length</source>
        <translation>没有结束时间或时长</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="82"/>
        <source>it ends before it starts</source>
        <translation>结束时间早于开始时间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="83"/>
        <source>it lasts longer than 24 hours</source>
        <translation>持续超过 24 小时</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="84"/>
        <source>it lasts longer than a year</source>
        <translation>持续超过一年</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="85"/>
        <source>it is too far from today</source>
        <translation>离今天太远</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="86"/>
        <source>its repeat rule is not supported</source>
        <translation>重复规则不受支持</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="87"/>
        <source>its repeat rule leaves no meeting</source>
        <translation>重复规则排除了所有会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="88"/>
        <source>it was cancelled</source>
        <translation>已被取消</translation>
    </message>
</context>
<context>
    <name>CalendarPane</name>
    <message>
        <location filename="../../desktop/ui/calendar_saves.py" line="65"/>
        <source>The start time is too far from today.</source>
        <translation>开始时间离今天太远。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="94"/>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="94"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="95"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="96"/>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="97"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="140"/>
        <source>Could not read the calendar</source>
        <translation>无法读取日历</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="161"/>
        <source>%1 meeting(s)</source>
        <translation>%1 个会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="161"/>
        <source>no meetings</source>
        <translation>没有会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="174"/>
        <source>all day</source>
        <translation>全天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="200"/>
        <location filename="../../desktop/ui/calendar_pane.py" line="212"/>
        <source>Choose a meeting in the list first.</source>
        <translation>请先在列表中选择一个会议。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="216"/>
        <source>Deleted “%1”.</source>
        <translation>已删除“%1”。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="217"/>
        <source>Could not delete the meeting</source>
        <translation>无法删除会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="257"/>
        <source>Added “%1”.</source>
        <translation>已添加“%1”。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="259"/>
        <location filename="../../desktop/ui/calendar_pane.py" line="266"/>
        <source>Could not save the meeting</source>
        <translation>无法保存会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_pane.py" line="266"/>
        <source>Saved “%1”.</source>
        <translation>已保存“%1”。</translation>
    </message>
    <message>
        <source>Export meetings</source>
        <translation type="vanished">导出会议</translation>
    </message>
    <message>
        <source>Import meetings</source>
        <translation type="vanished">导入会议</translation>
    </message>
    <message>
        <source>Exported %1 meeting(s) to %2.</source>
        <translation type="vanished">已将 %1 个会议导出到 %2。</translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation type="vanished">无法写入 %1</translation>
    </message>
    <message>
        <source>Could not import %1</source>
        <translation type="vanished">无法导入 %1</translation>
    </message>
    <message>
        <source>iCalendar files (*.ics)</source>
        <translation type="vanished">iCalendar 文件 (*.ics)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="61"/>
        <source>Imported %1 meeting(s)</source>
        <translation>已导入 %1 个会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="63"/>
        <source>%1 already in the calendar</source>
        <translation>%1 个已在日历中</translation>
    </message>
    <message>
        <source>%1 without a usable time skipped</source>
        <translation type="vanished">%1 个因时间无法识别而跳过</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="65"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/calendar_files.py" line="65"/>
        <source>.</source>
        <translation>。</translation>
    </message>
</context>
<context>
    <name>CancelScope</name>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="160"/>
        <source>Only this one (%1)</source>
        <translation>仅这一次（%1）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="161"/>
        <source>The whole series (%1)</source>
        <translation>整个系列（%1）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="165"/>
        <source>This meeting is part of a series. Cancel:</source>
        <translation>这个会议属于一个重复系列。要取消：</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <location filename="../../desktop/ui/settings_actions.py" line="62"/>
        <source>Something went wrong; the details are in the log.</source>
        <translation>出了点问题，详细信息已写入日志。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="134"/>
        <source>The conversation could not be prepared.</source>
        <translation>无法准备这次对话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="199"/>
        <source>That did not work; the details are in the log.</source>
        <translation>操作没有成功，详细信息已写入日志。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/controller.py" line="231"/>
        <source>Start a conversation first; then the assistant can answer typed messages.</source>
        <translation>请先开始对话，助理才能回复您输入的消息。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_actions.py" line="173"/>
        <source>The check could not run.</source>
        <translation>无法运行连接测试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_actions.py" line="175"/>
        <source>The connection works.</source>
        <translation>连接正常。</translation>
    </message>
</context>
<context>
    <name>DeviceNotice</name>
    <message>
        <location filename="../../desktop/audio/notices.py" line="23"/>
        <source>The microphone was disconnected; the call goes on and will resume when it is back.</source>
        <translation>麦克风已断开；通话继续，重新连接后会恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="26"/>
        <source>The microphone “{device}” was disconnected; the call goes on, but you are not heard until it is back.</source>
        <translation>麦克风“{device}”已断开；通话继续，但在它重新连接之前对方听不到你。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="31"/>
        <source>The microphone “{device}” was disconnected; the system&apos;s default microphone is used until it is back.</source>
        <translation>麦克风“{device}”已断开；在它重新连接之前使用系统默认麦克风。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="36"/>
        <source>The microphone is back.</source>
        <translation>麦克风已恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="37"/>
        <source>The microphone “{device}” is back.</source>
        <translation>麦克风“{device}”已恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="38"/>
        <source>No microphone was found.</source>
        <translation>未找到麦克风。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="39"/>
        <source>The microphone “{device}” is not connected.</source>
        <translation>麦克风“{device}”未连接。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="42"/>
        <source>The speaker was disconnected; the call goes on and will resume when it is back.</source>
        <translation>扬声器已断开；通话继续，重新连接后会恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="45"/>
        <source>The speaker “{device}” was disconnected; the call goes on, and you hear the assistant when it is back.</source>
        <translation>扬声器“{device}”已断开；通话继续，它重新连接后你就能听到助手。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="50"/>
        <source>The speaker “{device}” was disconnected; the system&apos;s default speaker is used until it is back.</source>
        <translation>扬声器“{device}”已断开；在它重新连接之前使用系统默认扬声器。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="54"/>
        <source>The speaker is back.</source>
        <translation>扬声器已恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="55"/>
        <source>The speaker “{device}” is back.</source>
        <translation>扬声器“{device}”已恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="56"/>
        <source>No speaker was found.</source>
        <translation>未找到扬声器。</translation>
    </message>
    <message>
        <location filename="../../desktop/audio/notices.py" line="57"/>
        <source>The speaker “{device}” is not connected.</source>
        <translation>扬声器“{device}”未连接。</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The service&apos;s address answered with a redirect, which is not followed; check the endpoint.</source>
        <translation>服务地址返回了重定向，应用不会跟随；请检查终结点。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The network&apos;s proxy asks for a user name and password; give them in the proxy&apos;s address (http://user:password@host:port) or ask the network&apos;s administrator.</source>
        <translation>网络代理要求提供用户名和密码；请在代理地址中填写（http://用户名:密码@主机:端口），或联系网络管理员。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The network&apos;s proxy refused the connection to the service; ask the network&apos;s administrator to allow it.</source>
        <translation>网络代理拒绝了到服务的连接；请联系网络管理员放行。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The network&apos;s proxy could not reach the service; check the endpoint, or try again later.</source>
        <translation>网络代理无法连接到服务；请检查终结点，或稍后重试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>Could not reach the network&apos;s proxy; check the proxy setting (HTTPS_PROXY) and the network connection.</source>
        <translation>无法连接网络代理；请检查代理设置（HTTPS_PROXY）和网络连接。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The service or a proxy on this network refused the WebSocket connection; ask the network&apos;s administrator to allow it, or choose another transport in the settings (Network (advanced)).</source>
        <translation>服务或本网络中的代理拒绝了 WebSocket 连接；请联系网络管理员放行，或在设置的“网络（高级）”中选择其他传输方式。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The service refused the session key from your token service; check that it mints for the endpoint and deployment in the settings.</source>
        <translation>服务拒绝了令牌服务发放的会话密钥；请检查它是否为设置中的终结点和部署签发密钥。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>Could not reach your organisation&apos;s token service; check its URL in the settings and the network connection.</source>
        <translation>无法连接到你所在组织的令牌服务，请检查设置中的 URL 和网络连接。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service refused the bearer token; check it in the settings.</source>
        <translation>令牌服务拒绝了持有者令牌，请在设置中检查。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service is limiting requests right now; try again shortly.</source>
        <translation>令牌服务当前正在限制请求，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service had an error and handed out no session key; try again shortly.</source>
        <translation>令牌服务出错，未发放会话密钥，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service did not answer in time; try again shortly.</source>
        <translation>令牌服务没有及时答复，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service&apos;s answer held no session key; check that it passes its mint&apos;s answer through.</source>
        <translation>令牌服务的答复中没有会话密钥，请检查它是否原样转发了签发密钥的答复。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service answered with a redirect, which is not followed so that the bearer token goes nowhere else; enter the URL it redirects to.</source>
        <translation>令牌服务返回了重定向。为了不让持有者令牌发往别处，应用不跟随重定向；请填写重定向后的 URL。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service handed out a session key that has expired or is about to; check the service&apos;s clock and key cache.</source>
        <translation>令牌服务发放的会话密钥已过期或即将过期，请检查该服务的时钟和密钥缓存。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service refused to hand out a session key.</source>
        <translation>令牌服务拒绝发放会话密钥。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service URL is not a valid https:// URL (http:// only for this computer); correct it in the settings.</source>
        <translation>令牌服务的 URL 不是有效的 https:// URL（http:// 仅限本机），请在设置中更正。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The token service is limiting requests; trying again in %1 s</source>
        <translation>令牌服务正在限制请求，%1 秒后重试</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="56"/>
        <source>The connection was renewed, but part of the conversation could not be restored: the assistant may not remember everything said before.</source>
        <translation>连接已恢复，但之前的部分对话未能恢复：助手可能不记得之前说过的所有内容。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="20"/>
        <source>The service rejected the API key; check it in the settings.</source>
        <translation>服务拒绝了 API 密钥，请在设置中检查。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="23"/>
        <source>The service does not know this deployment or model; check the endpoint and its name.</source>
        <translation>服务找不到这个部署或模型，请检查终结点和名称。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="26"/>
        <source>The account has no quota left for this model.</source>
        <translation>该账户对这个模型已没有剩余配额。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="27"/>
        <source>The service is limiting requests right now; try again shortly.</source>
        <translation>服务暂时限制了请求，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="30"/>
        <source>The service had an internal error; try again shortly.</source>
        <translation>服务出现内部错误，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="31"/>
        <source>Could not reach the service; check the endpoint and the network connection.</source>
        <translation>无法连接到服务，请检查终结点和网络连接。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="34"/>
        <location filename="../../desktop/ui/error_text.py" line="35"/>
        <location filename="../../desktop/ui/error_text.py" line="36"/>
        <source>The service did not answer in time; try again shortly.</source>
        <translation>服务没有及时响应，请稍后再试。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="39"/>
        <source>The media connection to the service failed. On a network that blocks it, choose Automatic or WebSocket as the transport in the settings (Network (advanced)), or set a TURN server there.</source>
        <translation>与服务的媒体连接失败。如果所在网络阻止此类连接，请在设置的“网络（高级）”中将传输方式设为“自动”或 WebSocket，或在那里配置 TURN 服务器。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="44"/>
        <source>The connection to the service was lost.</source>
        <translation>与服务的连接已断开。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="45"/>
        <source>The connection could not be restored.</source>
        <translation>连接未能恢复。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="46"/>
        <source>The endpoint is not a valid URL; correct it in the settings.</source>
        <translation>端点不是有效的 URL；请在设置中更正。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="49"/>
        <source>The connection is not fully set up yet; complete it in the settings.</source>
        <translation>连接尚未设置完整，请在设置中补充。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="52"/>
        <source>Your words could not be transcribed.</source>
        <translation>未能识别您说的话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="53"/>
        <source>The assistant could not answer.</source>
        <translation>助理未能作答。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="54"/>
        <source>That message is too long to send.</source>
        <translation>这条消息太长，无法发送。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="31"/>
        <source>The service asks to wait longer than the app waits by itself; start the conversation again later.</source>
        <translation>服务要求等待的时间超过了应用自动等待的上限，请稍后再开始对话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="59"/>
        <source>Rate limited; trying again in %1 s</source>
        <translation>服务暂时限流，%1 秒后重试</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="61"/>
        <source>The service is busy; trying again in %1 s</source>
        <translation>服务暂时繁忙，%1 秒后重试</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The embeddings service did not answer in time.</source>
        <translation>嵌入服务没有及时回应。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The embeddings service&apos;s answer did not hold the vectors asked for.</source>
        <translation>嵌入服务的回应里没有所请求的向量。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/error_text.py" line="1"/>
        <source>The embeddings model does not take dimensions: use text-embedding-3-small or -large.</source>
        <translation>该嵌入模型不接受 dimensions 参数：请改用 text-embedding-3-small 或 -large。</translation>
    </message>
</context>
<context>
    <name>EventTable</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61"/>
        <source>Direction</source>
        <translation>方向</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="61"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
</context>
<context>
    <name>FolderPicker</name>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="15"/>
        <source>Choose the knowledge folder</source>
        <translation>选择知识库文件夹</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="25"/>
        <source>Knowledge: sample documents</source>
        <translation>知识库：示例文档</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="27"/>
        <source>Knowledge: %1</source>
        <translation>知识库：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="39"/>
        <source>The bundled sample documents</source>
        <translation>自带的示例文档</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="40"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/folder_picker.py" line="41"/>
        <source>Use the sample documents</source>
        <translation>使用示例文档</translation>
    </message>
</context>
<context>
    <name>IndexingProgress</name>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="57"/>
        <source>Indexing: %1</source>
        <translation>正在建立索引：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="59"/>
        <source>Reading the knowledge folder: %1 of %2 files done; now %3</source>
        <translation>正在读取知识库文件夹：已完成 %1 / %2 个文件；正在读取 %3</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="68"/>
        <source>Embedding passages for search: %1 of %2</source>
        <translation>正在为搜索嵌入段落：%1 / %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/indexing_progress.py" line="72"/>
        <source>The knowledge folder's passages are embedded once, so the search finds what a question means, not only its words: %1 of %2 done.</source>
        <translation>知识库文件夹的段落只嵌入一次，之后搜索不仅匹配字词，还能理解问题的意思：已完成 %1 / %2。</translation>
    </message>
</context>
<context>
    <name>InspectorDock</name>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="96"/>
        <source>Event inspector</source>
        <translation>事件检查器</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="107"/>
        <source>Filter by type, e.g. response.</source>
        <translation>按类型筛选，例如 response.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="108"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="109"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/inspector.py" line="166"/>
        <source>%1 events shown, %2 skipped while paused</source>
        <translation>显示 %1 个事件，暂停期间跳过 %2 个</translation>
    </message>
</context>
<context>
    <name>KnowledgePage</name>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="60"/>
        <source>The assistant answers questions from the documents in this folder (Markdown, text, PDF, Word, HTML), and says which ones it used, with the page and heading. Changes in the folder are picked up by themselves; a big folder is read in the background, with its progress in the status bar.</source>
        <translation>助理根据此文件夹中的文档（Markdown、文本、PDF、Word、HTML）回答问题，并说明用到了哪些文档及其页码和标题。文件夹中的改动会自动生效；较大的文件夹在后台读取，进度显示在状态栏中。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="85"/>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="86"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="73"/>
        <source>Embed now</source>
        <translation>立即嵌入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="115"/>
        <source>Keyword search for now: %1 passages wait for your go-ahead to be embedded with %2.</source>
        <translation>暂时只用关键词搜索：%1 个段落正等待您同意后用 %2 嵌入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="120"/>
        <source>Keyword search only: the demo provider has no embeddings service. With Azure OpenAI or OpenAI the search also finds what a question means.</source>
        <translation>只用关键词搜索：演示服务没有嵌入服务。使用 Azure OpenAI 或 OpenAI 时，搜索还能理解问题的意思。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="125"/>
        <source>Keyword search only: no embeddings deployment is set. On the Connection tab, name a deployment of an embeddings model (for example %1) on the same Azure resource as the realtime deployment.</source>
        <translation>只用关键词搜索：尚未设置嵌入部署。请在“连接”页填写一个嵌入模型的部署（例如 %1），它须与实时部署位于同一 Azure 资源上。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="132"/>
        <source>Keyword search only: the embeddings service failed; it is tried again after a wait (from 30 seconds, up to 10 minutes after repeated failures).</source>
        <translation>只用关键词搜索：嵌入服务出错；稍等后会再试（先等 30 秒，多次出错后最长等 10 分钟）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="135"/>
        <source>Keyword search only: the embeddings service is not set up (no API key, or the endpoint is not a valid address); see the Connection tab.</source>
        <translation>只用关键词搜索：嵌入服务未设置好（没有 API 密钥，或终结点地址无效）；请查看“连接”页。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="141"/>
        <source>Hybrid search (words and meaning) with %1: %2 of %3 passages embedded, the rest in the background.</source>
        <translation>混合搜索（字词加语义），模型 %1：已嵌入 %2 / %3 个段落，其余在后台进行。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="144"/>
        <source>Hybrid search (words and meaning) with %1: %2 passages embedded.</source>
        <translation>混合搜索（字词加语义），模型 %1：已嵌入 %2 个段落。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/knowledge_page.py" line="149"/>
        <source>Embedding them sends their text to your embeddings service once: about %1 tokens, roughly %2 at text-embedding-3-small&apos;s $0.02 per million tokens (text-embedding-3-large costs $0.13). This is an estimate.</source>
        <translation>嵌入会把这些段落的文字发送到您的嵌入服务（仅一次）：约 %1 个 token，按 text-embedding-3-small 每百万 token $0.02 的价格计约 %2（text-embedding-3-large 为 $0.13）。这只是估算。</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <location filename="../../desktop/ui/level_meter.py" line="21"/>
        <location filename="../../desktop/ui/level_meter.py" line="22"/>
        <source>Microphone level</source>
        <translation>麦克风音量</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1"/>
        <source>&amp;About Voice Assistant</source>
        <translation>关于语音助手(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="1"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="50"/>
        <source>Voice Assistant</source>
        <translation>语音助理</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="57"/>
        <source>Hands-free</source>
        <translation>免按键</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="60"/>
        <source>Off: hold the button or Space to talk. On: the assistant listens by itself.</source>
        <translation>关闭：按住按钮或空格键说话。开启：助理自动聆听。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="62"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="63"/>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="105"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="106"/>
        <source>Save conversation as Markdown…</source>
        <translation>将对话另存为 Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="108"/>
        <source>&amp;Knowledge folder…</source>
        <translation>知识库文件夹(&amp;K)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="110"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="113"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="116"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="118"/>
        <source>Event inspector</source>
        <translation>事件检查器</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="198"/>
        <source>Reconnected; the conversation goes on.</source>
        <translation>已重新连接，对话继续。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="202"/>
        <source>The sample documents that come with the app</source>
        <translation>应用自带的示例文档</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="205"/>
        <source>The knowledge folder %1 is not there; the sample documents are used instead.</source>
        <translation>找不到知识库文件夹 %1，暂用示例文档。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="232"/>
        <source>The calendar could not be opened, so meetings cannot be booked in this run; the details are in the log.</source>
        <translation>无法打开日历，本次运行中无法预约会议；详细信息已写入日志。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="238"/>
        <source>Something went wrong; the details are in the log.</source>
        <translation>出了点问题，详细信息已写入日志。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="249"/>
        <source>No system keychain is available: your API key is kept for this run only.</source>
        <translation>系统钥匙串不可用：您的 API 密钥只在本次运行期间保留。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="279"/>
        <source>Saved. The new settings apply from the next conversation.</source>
        <translation>已保存。新设置将从下一次对话开始生效。</translation>
    </message>
</context>
<context>
    <name>MeetingDialog</name>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="49"/>
        <source>Reminder</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="90"/>
        <source>Confirm meeting</source>
        <translation>确认会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="91"/>
        <source>The assistant wants to book this meeting. Check or change it, then confirm.</source>
        <translation>助理想预订这个会议。请检查或修改后确认。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="94"/>
        <source>Cancel meeting?</source>
        <translation>取消会议？</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="95"/>
        <source>This meeting will be removed from your calendar.</source>
        <translation>这个会议将从您的日历中删除。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="97"/>
        <source>New meeting</source>
        <translation>新建会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="98"/>
        <source>Edit meeting</source>
        <translation>编辑会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="107"/>
        <source>All day</source>
        <translation>全天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="110"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="113"/>
        <source> day(s)</source>
        <translation> 天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="119"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="120"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="122"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="123"/>
        <source>Days</source>
        <translation>天数</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="124"/>
        <source>Repeats</source>
        <translation>重复</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="149"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="150"/>
        <source>Decline</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="234"/>
        <source>Overlaps with “%1” (%2, %3 min).</source>
        <translation>与“%1”时间重叠（%2，%3 分钟）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="242"/>
        <source>And %1 more overlaps.</source>
        <translation>另有 %1 处时间重叠。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="246"/>
        <source>The start time %1 is in the past.</source>
        <translation>开始时间 %1 已经过去。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/meeting_dialog.py" line="272"/>
        <source>The start time %1 is too far from today.</source>
        <translation>开始时间 %1 离今天太远。</translation>
    </message>
</context>
<context>
    <name>NetworkPage</name>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="132"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="132"/>
        <source>Transport</source>
        <translation>传输方式</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="132"/>
        <source>Automatic uses WebRTC and switches to a WebSocket where the network lets no media through.</source>
        <translation>自动：使用 WebRTC；若网络不让媒体通过，则改用 WebSocket。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="128"/>
        <source>Only needed on networks that block direct connections: one STUN or TURN server URL a line. Leave empty otherwise (connecting is quicker without). The credential is kept in the system keychain, like the API key.</source>
        <translation>仅在阻止直接连接的网络中需要：每行一个 STUN 或 TURN 服务器地址。否则请留空（不设置时连接更快）。凭据与 API 密钥一样保存在系统钥匙串中。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="136"/>
        <source>ICE servers</source>
        <translation>ICE 服务器</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="137"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="138"/>
        <source>Credential</source>
        <translation>凭据</translation>
    </message>
</context>
<context>
    <name>RecurrenceEditor</name>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="43"/>
        <source>Does not repeat</source>
        <translation>不重复</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="43"/>
        <source>Daily</source>
        <translation>每天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="44"/>
        <source>Weekly</source>
        <translation>每周</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="44"/>
        <source>Monthly</source>
        <translation>每月</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="45"/>
        <source>Yearly</source>
        <translation>每年</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="48"/>
        <source>No end</source>
        <translation>不设结束</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="48"/>
        <source>After</source>
        <translation>共</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="49"/>
        <source>Until</source>
        <translation>直到</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="54"/>
        <source> times</source>
        <translation> 次</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_editor.py" line="85"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
</context>
<context>
    <name>RecurrenceWords</name>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="28"/>
        <location filename="../../desktop/ui/recurrence_words.py" line="31"/>
        <source>Repeats: %1</source>
        <translation>重复：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="33"/>
        <source>%1, %2 times</source>
        <translation>%1，共 %2 次</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="36"/>
        <source>%1, until %2</source>
        <translation>%1，直到 %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="51"/>
        <source>Every day</source>
        <translation>每天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="52"/>
        <source>Every %1 days</source>
        <translation>每 %1 天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="56"/>
        <source>Every weekday</source>
        <translation>每个工作日</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="57"/>
        <source>Every %1</source>
        <translation>每%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="61"/>
        <source>Every %1 weeks on %2</source>
        <translation>每 %1 周的%2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="68"/>
        <source>Every year</source>
        <translation>每年</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="69"/>
        <source>Every %1 years</source>
        <translation>每 %1 年</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="82"/>
        <source>Every month on the %1 %2</source>
        <translation>每月%1%2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="83"/>
        <source>Every %1 months on the %2 %3</source>
        <translation>每 %1 个月的%2%3</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="88"/>
        <source>Every month on the last day</source>
        <translation>每月最后一天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="89"/>
        <source>Every %1 months on the last day</source>
        <translation>每 %1 个月的最后一天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="93"/>
        <source>Every month on day %1</source>
        <translation>每月 %1 日</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="94"/>
        <source>Every %1 months on day %2</source>
        <translation>每 %1 个月的 %2 日</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="99"/>
        <source>first</source>
        <translation>第一个</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="100"/>
        <source>second</source>
        <translation>第二个</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="101"/>
        <source>third</source>
        <translation>第三个</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="102"/>
        <source>fourth</source>
        <translation>第四个</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="103"/>
        <source>fifth</source>
        <translation>第五个</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="104"/>
        <source>last</source>
        <translation>最后一个</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="111"/>
        <source>Monday</source>
        <translation>周一</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="112"/>
        <source>Tuesday</source>
        <translation>周二</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="113"/>
        <source>Wednesday</source>
        <translation>周三</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="114"/>
        <source>Thursday</source>
        <translation>周四</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="115"/>
        <source>Friday</source>
        <translation>周五</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="116"/>
        <source>Saturday</source>
        <translation>周六</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="117"/>
        <source>Sunday</source>
        <translation>周日</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="124"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/recurrence_words.py" line="125"/>
        <source>%1 and %2</source>
        <translation>%1、%2</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="1"/>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="29"/>
        <source>Calendar</source>
        <translation>日历</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="1"/>
        <source>Talk from any application</source>
        <translation>在任何应用中说话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="71"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="75"/>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="76"/>
        <source>Voice and turns</source>
        <translation>语音与轮次</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="79"/>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="81"/>
        <source>Knowledge</source>
        <translation>知识库</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="83"/>
        <source>Network (advanced)</source>
        <translation>网络（高级）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="104"/>
        <source>Demo (built-in, no key needed)</source>
        <translation>演示（内置，无需密钥）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="105"/>
        <source>Azure OpenAI</source>
        <translation>Azure OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="106"/>
        <source>Azure OpenAI (preview API)</source>
        <translation>Azure OpenAI（预览版 API）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="107"/>
        <source>OpenAI</source>
        <translation>OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="120"/>
        <source>No system keychain is available: the key will be kept for this run only and asked for again next time.</source>
        <translation>系统钥匙串不可用：密钥只在本次运行期间保留，下次启动时需要重新输入。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="126"/>
        <source>In this run, environment variables override these settings: %1.</source>
        <translation>本次运行中，环境变量覆盖了以下设置：%1。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="130"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="135"/>
        <source>Provider</source>
        <translation>服务提供方</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="136"/>
        <source>Endpoint or resource URL</source>
        <translation>终结点或资源 URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="137"/>
        <source>Regional WebRTC URL</source>
        <translation>区域 WebRTC URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="139"/>
        <source>Deployment or model</source>
        <translation>部署名称或模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="140"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="149"/>
        <source>%1 (not on the preview API)</source>
        <translation>%1（预览版 API 不支持）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="153"/>
        <source>Reset to default</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="157"/>
        <source>Server voice detection</source>
        <translation>服务器语音检测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="158"/>
        <source>Semantic voice detection</source>
        <translation>语义语音检测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="159"/>
        <source>Push-to-talk</source>
        <translation>按键说话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="172"/>
        <source>automatic, or e.g. zh, en</source>
        <translation>自动，或如 zh、en</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="174"/>
        <source>Voice</source>
        <translation>音色</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="175"/>
        <source>Instructions</source>
        <translation>指令</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="177"/>
        <source>Turn detection</source>
        <translation>轮次检测</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="178"/>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="179"/>
        <source>Prefix padding</source>
        <translation>前置留白</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="180"/>
        <source>Silence duration</source>
        <translation>静音时长</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="181"/>
        <source>Eagerness</source>
        <translation>积极程度</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="182"/>
        <source>Transcription model</source>
        <translation>转写模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="183"/>
        <source>Transcription language</source>
        <translation>转写语言</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="119"/>
        <source>e.g. text-embedding-3-small or -large; empty: keyword search only</source>
        <translation>例如 text-embedding-3-small 或 -large；留空：只用关键词搜索</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="122"/>
        <source>OpenAI: the knowledge search uses the model text-embedding-3-small (the environment variable OPENAI_EMBEDDINGS_MODEL names another).</source>
        <translation>OpenAI：知识库搜索使用 text-embedding-3-small 模型（可用环境变量 OPENAI_EMBEDDINGS_MODEL 指定其他模型）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_dialog.py" line="148"/>
        <source>Embeddings deployment</source>
        <translation>嵌入（Embeddings）部署</translation>
    </message>
</context>
<context>
    <name>SingleInstance</name>
    <message>
        <location filename="../../desktop/ui/single_instance.py" line="51"/>
        <source>Voice Assistant is already running (process {pid}) but does not answer; close it, or end that process, and start it again.</source>
        <translation>语音助理已在运行（进程 {pid}），但没有响应；请关闭它或结束该进程，然后重新启动。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/single_instance.py" line="245"/>
        <source>Voice Assistant</source>
        <translation>语音助理</translation>
    </message>
</context>
<context>
    <name>TalkButton</name>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="97"/>
        <source>Not connected — click to start</source>
        <translation>未连接 — 点击开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="99"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="103"/>
        <source>Reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="104"/>
        <source>Reconnecting… (attempt %1 of %2)</source>
        <translation>正在重新连接…（第 %1 次，共 %2 次）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="107"/>
        <source>Error — click to try again</source>
        <translation>出错 — 点击重试</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="109"/>
        <source>Hold to talk (Space)</source>
        <translation>按住说话（空格键）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="109"/>
        <source>Click to listen</source>
        <translation>点击开始聆听</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="111"/>
        <source>Listening — release to send</source>
        <translation>正在聆听 — 松开发送</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="112"/>
        <source>Listening — click to stop</source>
        <translation>正在聆听 — 点击停止</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="115"/>
        <source>You are speaking</source>
        <translation>您正在说话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="117"/>
        <source>Waiting for your answer in the meeting dialog</source>
        <translation>正在等待您在会议对话框中确认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="119"/>
        <source>Assistant is thinking — press to interrupt</source>
        <translation>助理正在思考 — 按下可打断</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/talk_button.py" line="120"/>
        <source>Assistant is speaking — press to interrupt</source>
        <translation>助理正在说话 — 按下可打断</translation>
    </message>
</context>
<context>
    <name>TargetNotice</name>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="40"/>
        <source>No API key is set up yet, so you are talking to the built-in demo assistant. Add a key in the settings to talk to a real model.</source>
        <translation>尚未设置 API 密钥，您正在与内置的演示助理对话。在设置中添加密钥即可与真实模型对话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="47"/>
        <source>The connection to %1 is set by environment variables (%2); the settings do not change it.</source>
        <translation>与 %1 的连接由环境变量（%2）设定；设置中的更改不会影响它。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="67"/>
        <source>It is set by the environment variable %1: change or unset it and start the app again (the settings do not change it).</source>
        <translation>它由环境变量 %1 设定：请修改或取消该变量后重新启动应用（设置中的更改不会影响它）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/target_notice.py" line="73"/>
        <source>The URL set by the environment variable %1 is not valid: change or unset it and start the app again (the settings do not change it).</source>
        <translation>环境变量 %1 设定的 URL 无效：请修改或取消该变量后重新启动应用（设置中的更改不会影响它）。</translation>
    </message>
</context>
<context>
    <name>TranscriptPane</name>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="1"/>
        <source>Usage of this transcript</source>
        <translation>本记录的用量</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="1"/>
        <source>Usage</source>
        <translation>用量</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="113"/>
        <source>Type a message and press Enter</source>
        <translation>输入消息后按回车发送</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="114"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="115"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="116"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="117"/>
        <source>Save as Markdown…</source>
        <translation>另存为 Markdown…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="222"/>
        <source>asked</source>
        <translation>已请求</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="223"/>
        <source>waiting for your confirmation</source>
        <translation>等待您确认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="224"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="225"/>
        <source>declined by you</source>
        <translation>您已拒绝</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="226"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="217"/>
        <location filename="../../desktop/ui/transcript.py" line="253"/>
        <source>Documents used: %1</source>
        <translation>参考文档：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="247"/>
        <source>You</source>
        <translation>您</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="248"/>
        <source>Assistant</source>
        <translation>助理</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="249"/>
        <source>Tool</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="250"/>
        <source>connection renewed</source>
        <translation>连接已更新</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="253"/>
        <source>interrupted</source>
        <translation>已打断</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="271"/>
        <source>Save conversation</source>
        <translation>保存对话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="271"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown 文件 (*.md)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/transcript.py" line="285"/>
        <source>The conversation could not be saved: %1</source>
        <translation>无法保存对话：%1</translation>
    </message>
</context>
<context>
    <name>UrlWarning</name>
    <message>
        <location filename="../../desktop/ui/url_warning.py" line="28"/>
        <source>The endpoint is not a valid URL; it looks like %1.</source>
        <translation>端点不是有效的 URL；它应类似于 %1。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/url_warning.py" line="32"/>
        <source>The regional WebRTC URL is not a valid URL; it looks like %1.</source>
        <translation>区域 WebRTC URL 不是有效的 URL；它应类似于 %1。</translation>
    </message>
</context>
<context>
    <name>CalendarPage</name>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="126"/>
        <source>A notification reminds you of each meeting, while the window is hidden too. A meeting can have its own reminder (in its dialog); the others use this one.</source>
        <translation>每个会议开始前都会有通知提醒你，窗口隐藏时也一样。会议可以有自己的提醒（在会议对话框中设置）；其余会议使用这里的设置。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="133"/>
        <source>Remind me</source>
        <translation>提醒我</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="1"/>
        <source>Keep running in the tray when the window is closed</source>
        <translation>关闭窗口后继续在系统托盘中运行</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/settings_pages.py" line="1"/>
        <source>This desktop has no system tray, so closing the window quits the app.</source>
        <translation>此桌面没有系统托盘，因此关闭窗口会退出应用。</translation>
    </message>
</context>
<context>
    <name>GlobalShortcut</name>
    <message>
        <location filename="../../desktop/ui/shortcut_backend.py" line="1"/>
        <source>Could not listen for the shortcut here; the details are in the log.</source>
        <translation>无法在此处监听该快捷键；详情见日志。</translation>
    </message>
    <message>
        <source>Not available on macOS yet: a shortcut that works in every application needs the Accessibility permission (System Settings, Privacy &amp; Security), which this app does not ask for yet. Space talks while this window is in front.</source>
        <translation type="vanished">macOS 上暂不可用：在所有应用中都有效的快捷键需要“辅助功能”权限（系统设置 &gt; 隐私与安全性），本应用尚未申请该权限。本窗口在前台时，按住空格键即可说话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_portal.py" line="1"/>
        <source>Not available here: this Wayland desktop offers no GlobalShortcuts portal, the only way an application may have a shortcut in every application there. Space talks while this window is in front.</source>
        <translation>此处不可用：此 Wayland 桌面没有提供 GlobalShortcuts 门户，而在那里这是应用获得全局快捷键的唯一途径。本窗口在前台时，按住空格键即可说话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Asking the desktop for this shortcut…</source>
        <translation>正在向桌面申请此快捷键……</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_portal.py" line="1"/>
        <source>The desktop did not give the app this shortcut.</source>
        <translation>桌面没有把此快捷键分配给本应用。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_portal.py" line="1"/>
        <source>Hold to talk to the voice assistant</source>
        <translation>按住即可与语音助手说话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Not available on this display (%1): it has no keyboard of its own.</source>
        <translation>在此显示环境（%1）中不可用：它没有自己的键盘。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Off: Space talks while this window is in front.</source>
        <translation>已关闭：本窗口在前台时，按住空格键即可说话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Choose one key with Ctrl, Alt or Meta (or a function key alone), so that typing in other applications is left alone.</source>
        <translation>请选择一个与 Ctrl、Alt 或 Meta 组合的按键（或单独一个功能键），以免影响在其他应用中打字。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/global_shortcut.py" line="1"/>
        <source>Works in every application: hold %1 to talk.</source>
        <translation>在所有应用中均有效：按住 %1 即可说话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_backend.py" line="1"/>
        <source>This keyboard has no such key here.</source>
        <translation>此键盘上没有这个键。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_x11.py" line="1"/>
        <source>Another application already uses this shortcut.</source>
        <translation>另一个应用已在使用此快捷键。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_x11.py" line="1"/>
        <source>The display refused this shortcut (X11 error %1).</source>
        <translation>显示服务器拒绝了此快捷键（X11 错误 %1）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_windows.py" line="1"/>
        <source>Windows refused this shortcut.</source>
        <translation>Windows 拒绝了此快捷键。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_macos.py" line="1"/>
        <source>macOS keeps Option and Shift for typing: add ⌘ or Control.</source>
        <translation>macOS 将 Option 和 Shift 留给输入字符：请加上 ⌘ 或 Control。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_macos.py" line="1"/>
        <source>macOS refused this shortcut (error %1).</source>
        <translation>macOS 拒绝了此快捷键（错误 %1）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_macos.py" line="1"/>
        <source>macOS itself uses this shortcut: choose another, or turn it off in System Settings → Keyboard → Keyboard Shortcuts and choose it again here.</source>
        <translation>macOS 自身已在使用此快捷键：请另选一个，或在“系统设置 → 键盘 → 键盘快捷键”中将其关闭，再回到这里重新选择。</translation>
    </message>
</context>
<context>
    <name>ReminderPicker</name>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="24"/>
        <source>Default (%1)</source>
        <translation>默认（%1）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="25"/>
        <source>No reminder</source>
        <translation>不提醒</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="30"/>
        <source>At the start</source>
        <translation>开始时</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="37"/>
        <source>1 day before</source>
        <translation>提前 1 天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="37"/>
        <source>%1 days before</source>
        <translation>提前 %1 天</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="30"/>
        <source>1 hour before</source>
        <translation>提前 1 小时</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="39"/>
        <source>%1 hours before</source>
        <translation>提前 %1 小时</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="40"/>
        <source>1 minute before</source>
        <translation>提前 1 分钟</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_picker.py" line="40"/>
        <source>%1 minutes before</source>
        <translation>提前 %1 分钟</translation>
    </message>
</context>
<context>
    <name>ReminderPopup</name>
    <message>
        <location filename="../../desktop/ui/reminder_popup.py" line="29"/>
        <source>Meeting reminder</source>
        <translation>会议提醒</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_popup.py" line="2"/>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_popup.py" line="2"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ReminderPresenter</name>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="1"/>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="3"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="90"/>
        <source>All-day event</source>
        <translation>全天事件</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="88"/>
        <source>Starting now</source>
        <translation>即将开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="95"/>
        <source>Starts in 1 minute</source>
        <translation>1 分钟后开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="96"/>
        <source>Starts in %1 minutes</source>
        <translation>%1 分钟后开始</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="105"/>
        <source>%1–%2 (%3 min)</source>
        <translation>%1–%2（%3 分钟）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="110"/>
        <source>Missed while the app was closed: “%1” at %2.</source>
        <translation>应用关闭期间错过了：“%1”（%2）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/reminder_presenter.py" line="114"/>
        <source>And %1 more.</source>
        <translation>另有 %1 个。</translation>
    </message>
</context>
<context>
    <name>ShortcutField</name>
    <message>
        <location filename="../../desktop/ui/shortcut_field.py" line="1"/>
        <source>Off once saved: Space still talks while this window is in front.</source>
        <translation>保存后关闭：本窗口在前台时，仍可按住空格键说话。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shortcut_field.py" line="1"/>
        <source>Tried when you press OK; if it cannot work here, the status bar says why.</source>
        <translation>按“确定”后生效；如果在此处无法使用，状态栏会说明原因。</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Start conversation</source>
        <translation>开始对话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>End conversation</source>
        <translation>结束对话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Hands-free</source>
        <translation>免按键</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Voice Assistant: %1</source>
        <translation>语音助理：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>No meetings coming up</source>
        <translation>近期没有会议</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Next: %1, %2</source>
        <translation>下一个会议：%1，%2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Missed while closed: %1, %2</source>
        <translation>关闭期间错过：%1，%2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>%1 (and %2 more)</source>
        <translation>%1（另有 %2 个）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Could not read the calendar</source>
        <translation>无法读取日历</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>Voice Assistant is still running</source>
        <translation>语音助理仍在运行</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray.py" line="1"/>
        <source>It stays in the tray, and meeting reminders keep coming. To quit, choose Quit in the tray's menu or File → Quit.</source>
        <translation>它会留在系统托盘中，会议提醒照常送达。要退出，请在托盘菜单中选择“退出”，或选择“文件 → 退出”。</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>In a conversation</source>
        <translation>对话中</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Not in a conversation</source>
        <translation>未在对话中</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Listening</source>
        <translation>正在听</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>The assistant is speaking</source>
        <translation>助理正在说话</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>Waiting for your confirmation</source>
        <translation>正在等待你的确认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/tray_icons.py" line="1"/>
        <source>The conversation stopped with an error</source>
        <translation>对话因出错而中断</translation>
    </message>
</context>
<context>
    <name>UsageLabel</name>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Enter prices in Settings (Usage) to see an estimate of the cost.</source>
        <translation>在设置（用量）中填写价格后，这里会显示费用估计。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Estimated cost: %1 at the prices in Settings (the service's bill is what counts)</source>
        <translation>估计费用：按设置中的价格约 %1（以服务商账单为准）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Output: %1 text, %2 audio</source>
        <translation>输出：文本 %1，音频 %2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Input: %1 text, %2 audio, %3 cached</source>
        <translation>输入：文本 %1，音频 %2，缓存 %3</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_label.py" line="1"/>
        <source>Tokens: %1 in · %2 out</source>
        <translation>Token：输入 %1 · 输出 %2</translation>
    </message>
</context>
<context>
    <name>UsagePage</name>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source> per 1M tokens</source>
        <translation> / 每百万 token</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Audio output</source>
        <translation>音频输出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Text output</source>
        <translation>文本输出</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Cached input</source>
        <translation>缓存输入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Audio input</source>
        <translation>音频输入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>Text input</source>
        <translation>文本输入</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/usage_page.py" line="1"/>
        <source>The status bar counts the tokens of each conversation. Enter what your model costs, in US dollars per million tokens (see your provider's price list), and it shows an estimate of the cost too. Leave a price at 0 to leave that kind out.</source>
        <translation>状态栏会统计每次对话用掉的 token。填写你的模型价格（每百万 token 多少美元，见服务商的价目表），状态栏还会显示费用估计。价格为 0 的类别不计入。</translation>
    </message>
</context>
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Voice Assistant is built with the open-source software below, under these licences:</source>
        <translation>语音助手使用了以下开源软件，遵循各自的许可证：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>The licence notices could not be read.</source>
        <translation>无法读取许可证声明。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>chosen by the service</source>
        <translation>由服务决定</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Service</source>
        <translation>服务</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>Voice Assistant</source>
        <translation>语音助手</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/about_dialog.py" line="1"/>
        <source>About Voice Assistant</source>
        <translation>关于语音助手</translation>
    </message>
</context>
<context>
    <name>TokenServiceFields</name>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Minted with the API key</source>
        <translation>用 API 密钥签发</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>From my organisation&apos;s token service</source>
        <translation>来自我所在组织的令牌服务</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>The app asks this URL for each session key; the resource&apos;s API key stays with your organisation. The bearer token is kept in the system keychain, like the API key.</source>
        <translation>应用每次都向这个 URL 索取会话密钥；资源的 API 密钥留在你的组织内。持有者令牌与 API 密钥一样保存在系统钥匙串中。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Session key</source>
        <translation>会话密钥</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Token service URL</source>
        <translation>令牌服务 URL</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>Bearer token</source>
        <translation>持有者令牌</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/token_fields.py" line="1"/>
        <source>The token service URL must be a https:// URL (http:// only for 127.0.0.1 or localhost), such as %1.</source>
        <translation>令牌服务的 URL 必须以 https:// 开头（http:// 仅限 127.0.0.1 或 localhost），例如 %1。</translation>
    </message>
</context>
</TS>
