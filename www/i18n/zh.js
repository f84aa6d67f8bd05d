// 中文 (简体): every table of en.js with the same keys, and `page`: index.html's text, keyed by
// its English source (www/i18n/index.js finds those units). RFC terms and field names stay as
// the RFC spells them (FIN, RSV1, opcode, Masking-key, Sec-WebSocket-Accept, permessage-deflate),
// with the usual Chinese term beside them: 掩码 masking, 分片 fragmentation, 心跳 heartbeat, 握手 handshake.
import { el } from '../lib/dom.js';
import { hexByte, bin8, spaced } from '../lib/hex.js';
import { errText } from '../lib/format.js';
import page from './zh-page.js';

const size = (n) => (n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : n >= 1e3 ? (n / 1e3).toFixed(1) + ' kB' : n + ' 字节');
const takeover = (no) => (no ? '不使用上下文接管 (no context takeover)' : '上下文接管 (context takeover)');
// the engine's message, kept in English beside the explanation (marked as such)
const en = (s) => el('span', { lang: 'en', class: 'engine' }, s);

const main = {
  ready: (version) => '引擎已就绪：wsprism-web ' + (version ? version + ' ' : '') + '（WebAssembly）。',
  failed: (e) => '引擎启动失败：' + errText(e) + '。请运行 `npm start`（它会构建 packages/wsprism-web）并打开它打印的地址。',
  broken: (e) => '页面启动失败：' + errText(e),
};

const common = {
  bytesError: (e) => (e.kind === 'not-hex' ? '不是十六进制：只允许 0-9 和 a-f'
    : e.kind === 'odd-hex' ? '十六进制数字的个数是奇数（' + e.digits + ' 个）'
      : '既不是十六进制也不是 base64'),
  receiver: (role) => (role === 'server' ? '服务器' : '客户端'),
  waiting: (s) => {
    let m;
    if ((m = /^(\d+) more payload bytes of a (\d+)-byte (\S+) frame$/.exec(s))) return '一个 ' + m[2] + ' 字节的 ' + m[3] + ' 帧还差 ' + m[1] + ' 字节载荷 (payload)';
    if ((m = /^(\d+) more header bytes \((\d+) received\)$/.exec(s))) return '还差 ' + m[1] + ' 个帧头字节（已收到 ' + m[2] + ' 个）';
    if (s === 'the next fragment of a message') return '消息的下一个分片 (fragment)';
    if (s === 'the next frame header') return '下一个帧头';
    if (s === 'the frame payload') return '帧的载荷 (payload)';
    return s;
  },
};

const violations = {
  WS_ERR_INVALID_OPCODE: '这里不允许这个 opcode（操作码）：0x3-0x7 和 0xB-0xF 是保留值；延续帧 (0x0) 必须跟在未完成的消息后面；分片消息没结束时不能开始新的文本或二进制帧。',
  WS_ERR_UNEXPECTED_RSV_1: 'RSV1 被置位，但握手中没有协商定义它的扩展 (permessage-deflate)，或者它出现在没有意义的帧上（延续帧或控制帧）。',
  WS_ERR_UNEXPECTED_RSV_2_3: 'RSV2 和 RSV3 必须为 0：没有已协商的扩展赋予它们含义。',
  WS_ERR_EXPECTED_FIN: '控制帧（close、ping、pong）不能分片 (fragmentation)：它们的 FIN 位必须是 1。',
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: '控制帧的载荷最多 125 字节；close 帧的载荷要么为空，要么至少有 2 字节的状态码。',
  WS_ERR_NON_MINIMAL_LENGTH: '长度必须用最短的形式：0-125 放在 7 位字段里，126-65535 用 16 位字段，更大的才用 64 位字段。',
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: '64 位长度的最高位必须是 0。',
  WS_ERR_EXPECTED_MASK: '客户端发送的每一帧都必须加掩码 (masking,MASK = 1)；收到未加掩码的帧，服务器以 1002 关闭连接。',
  WS_ERR_UNEXPECTED_MASK: '服务器不能给它的帧加掩码 (MASK = 0)；客户端收到加了掩码的帧就关闭连接。',
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: '帧或消息超过了接收方配置的上限：接收方以 1009 关闭。',
  WS_ERR_TOO_MANY_FRAGMENTS: '这条消息的分片 (fragment) 数超过了接收方配置的上限：接收方以 1008（违反策略）关闭。',
  WS_ERR_TOO_MANY_BUFFERED_CHUNKS: '对方把消息拆成了太多块（网络读取）发来，超过了接收方在等待其余部分时愿意保留的上限：接收方以 1008（违反策略）关闭。',
  WS_ERR_INVALID_UTF8: '文本消息（以及关闭原因）必须是合法的 UTF-8；否则接收方以 1007 关闭。',
  WS_ERR_INVALID_CLOSE_CODE: '这个关闭码不能在线路上发送：1005、1006 和 1015 只用于报告，小于 1000 的以及 1016-2999 中未分配的都不允许。',
  WS_ERR_INVALID_COMPRESSED_DATA: '压缩的载荷不是合法的 deflate 数据（或解压后超过上限）。',
  WS_ERR_DATA_AFTER_CLOSE: 'close 帧之后不能再有任何数据：发送方已经承诺不再发送。',
  WS_ERR_CLOSE_REASON_TOO_LONG: '关闭原因最多 123 字节：2 字节的关闭码加原因必须放进 125 字节的控制帧。',
  WS_ERR_COMPRESSION_NOT_NEGOTIATED: '压缩的消息需要在握手中协商 permessage-deflate。',
  WS_ERR_MESSAGE_IN_PROGRESS: '一条分片消息还在发送中：先把它发完，再开始下一条。',
  WS_ERR_INVALID_FRAGMENT_SIZE: '分片大小至少是 1 字节。',
  WS_ERR_DEFLATE: '压缩器出错了。',
  WS_ERR_RANDOM: '无法从系统取得随机的掩码密钥。',
  WS_ERR_INVALID_HANDSHAKE: '这个开始握手 (opening handshake) 违反了 RFC 6455 §4：连接不会升级。',
  WS_ERR_HANDSHAKE_METHOD: '开始握手必须是 GET 请求（RFC 6455 §4.1）；服务器应答 405。',
  WS_ERR_HANDSHAKE_HTTP_VERSION: '开始握手需要 HTTP/1.1 或更高版本（RFC 6455 §4.1）。',
  WS_ERR_HANDSHAKE_HOST: '请求必须带有 Host 头部（RFC 6455 §4.1）。',
  WS_ERR_HANDSHAKE_UPGRADE: 'Upgrade 头部必须包含 "websocket" 这个记号（不区分大小写）。',
  WS_ERR_HANDSHAKE_CONNECTION: 'Connection 头部必须包含 "Upgrade" 这个记号（不区分大小写）。',
  WS_ERR_HANDSHAKE_KEY: 'Sec-WebSocket-Key 必须恰好是一个 base64 值，解码后正好 16 字节。',
  WS_ERR_HANDSHAKE_VERSION: 'Sec-WebSocket-Version 必须是服务器支持的版本 (13)；服务器会在应答中列出它支持的版本。',
  WS_ERR_HANDSHAKE_PROTOCOL_HEADER: 'Sec-WebSocket-Protocol 必须是以逗号分隔的记号列表。',
  WS_ERR_HANDSHAKE_EXTENSIONS_HEADER: 'Sec-WebSocket-Extensions 不是格式正确的扩展及参数列表（RFC 6455 §9.1）。',
  WS_ERR_HANDSHAKE_HEADER_VALUE: '某个握手头部的值不符合 RFC 的规定（或者出现的次数超过允许的次数）。',
  WS_ERR_HANDSHAKE_STATUS: '只有状态码 101 Switching Protocols 才会打开 WebSocket：收到其他应答，客户端让连接失败。',
  WS_ERR_HANDSHAKE_ACCEPT: 'Sec-WebSocket-Accept 不是“密钥接上 GUID 后 SHA-1 再 base64”的结果：客户端让连接失败。',
  WS_ERR_HANDSHAKE_PROTOCOL: '服务器选了一个客户端没有提供的子协议：客户端让连接失败。',
  WS_ERR_HANDSHAKE_EXTENSION: '服务器应答了客户端没有提供或无法接受的扩展（或参数）。',
  WS_ERR_HANDSHAKE_TOO_LARGE: '握手的头部超过了接收方接受的大小 (431)。',
};

const decode = {
  cannotRead: (why) => '无法读取输入：' + why + '。',
  noHeader: (n, waiting) => n + ' 字节：连一个完整的帧头都还没有。解码器在等待' + (waiting || '更多字节') + '。',
  complete: (n) => n + ' 个完整的帧',
  incomplete: (afterComplete) => (afterComplete ? '然后是' : '') + '一个不完整的帧',
  summary: (n, format, parts, waiting) => n + ' 字节 (' + format + ') 包含 ' + parts.join('，') + (waiting ? '。解码器在等待' + waiting : '') + '。',
  tab: (i, f) => '第 ' + (i + 1) + ' 帧：' + f.opcode_name + (f.fin ? '' : ' (FIN 0)') + '，' + f.payload_len + ' B' + (f.violations.length ? ' ⚠' : ''),
  morePayload: (more, missing) => '…… 还有 ' + more + ' 字节载荷' + (missing > 0 ? '（其中 ' + missing + ' 字节不在输入中）' : '') + '。',
  byteTitle: (at, b, names) => '第 ' + at + ' 字节 = 0x' + hexByte(b) + ' = ' + bin8(b) + '（' + names.join('、') + '）',
  moreBytes: (n) => '…… 还有 ' + n + ' 字节',
  fieldValue: (s) => {
    const words = {
      'final fragment': '最后一个分片', 'more fragments follow': '后面还有分片', set: '置位', clear: '未置位',
      '16-bit length follows': '后面跟 16 位长度', '64-bit length follows': '后面跟 64 位长度',
      'reserved control': '保留的控制帧', 'reserved non-control': '保留的非控制帧',
    };
    let m;
    if ((m = /^(\S+) \((.+)\)$/.exec(s)) && words[m[2]]) return m[1] + '（' + words[m[2]] + '）';
    if ((m = /^(\d+) bytes$/.exec(s))) return m[1] + ' 字节';
    if ((m = /^(\d+) of (\d+) bytes present$/.exec(s))) return '有 ' + m[1] + ' / ' + m[2] + ' 字节';
    return s;
  },
  violation: (v, why) => why,
  violationMore: (v, why) => en(v.message),
  violationMeta: (v) => v.code + ' · 关闭码 ' + v.close_code + ' · 位于第 ' + v.offset + ' 字节',
  noViolations: (receiver) => '✓ 没有违规：' + receiver + '会接受这个帧。',
  streamFails: (frame, e, why) => '数据流在第 ' + (frame + 1) + ' 帧出错：' + (why || e.code) + '（' + e.rfc_section + '）。',
  keyIncomplete: '掩码密钥 (Masking-key) 还不完整。',
  notMasked: '这个帧没有加掩码 (MASK = 0)：载荷原样发送。',
  emptyPayload: '载荷为空：没有需要去掩码的内容（但密钥仍然会发送）。',
  unmaskHeads: ['i', 'key[i mod 4]', '掩码后', 'XOR', '结果', '字符'],
  unmaskMore: (n) => '…… 其余 ' + n + ' 字节依此类推。',
  kv: {
    opcode: 'opcode（操作码）', length: '长度', closeCode: '关闭码', closeReason: '关闭原因', text: '文本', note: '说明', hex: '十六进制',
  },
  length: (f) => f.payload_len + ' 字节' + (f.complete ? '' : '（只有 ' + f.payload_available + ' 字节在输入中）'),
  rsv1Note: 'RSV1 已置位：载荷是 deflate 数据（见“压缩”）；消息文本在“解码器的解读”下面。',
  emptyHex: '（空）',
  jsonLabel: '载荷的 JSON 形式',
  ev: { message: '消息', close: '关闭', error: '错误', waiting: '等待' },
  evMessage: (m) => '（' + (m.opcode === 1 ? '文本' : '二进制') + '，' + m.length + ' B）：',
  evData: (hex) => (hex ? ' 数据 ' + spaced(hex) : '（无数据）'),
  evError: (e) => ' ' + e.code + ' → 以 ' + e.close_code + ' 关闭（' + e.rfc_section + '）',
  noMessage: '还没有完整的消息',
  fieldShort: {
    FIN: 'FIN', RSV1: 'R1', RSV2: 'R2', RSV3: 'R3', opcode: 'opcode', MASK: 'M',
    'Payload len': 'len (7)', 'Extended payload length': '扩展长度', 'Masking-key': '掩码密钥', 'Payload data': '载荷',
  },
  fieldHelp: {
    FIN: '消息的最后一帧吗？',
    RSV1: '保留给扩展（permessage-deflate：已压缩）',
    RSV2: '保留给扩展',
    RSV3: '保留给扩展',
    opcode: '操作码：载荷是什么',
    MASK: '载荷加了掩码吗？',
    'Payload len': '0-125：就是长度；126：后面跟 16 位长度；127：后面跟 64 位长度',
    'Extended payload length': '真正的长度，大端序',
    'Masking-key': '客户端选的 4 个随机字节',
    'Payload data': '载荷（按发送的样子：MASK 为 1 时是加了掩码的）',
  },
};

const build = {
  badKey: '密钥必须是 8 个十六进制数字（4 字节）。',
  badPayload: (why) => '载荷：' + why + '。',
  byEncoder: (frag, compress) => '由 Encoder 编码成一条消息' +
    (frag ? '，分片 (fragmentation) 每片最多 ' + frag + ' 字节（第一帧保留 opcode，其余是延续帧）' : '') +
    (compress ? '，已压缩（第一帧设置 RSV1）' : '') + '。',
  rsvIgnored: '这里忽略 RSV 复选框：Encoder 自己设置 RSV1。',
  controlOnly: '分片和压缩只用于文本和二进制消息：控制帧从不分片也不压缩（RFC 6455 §5.5,RFC 7692 §6.1）。',
  headerTitle: (n) => '帧头（' + n + ' 字节）',
  size: (bytes, frames) => bytes + ' 字节，共 ' + frames + ' 帧（帧头为粗体）。',
  rejected: (receiver, list) => receiver + '会拒绝它：' + list.join('；') + '。',
  violation: (v, why) => (why || v.code) + '（' + v.rfc_section + '）',
  fromHar: (index, masked) => 'HAR 文件中的第 ' + (index + 1) + ' 条消息，重建为一个' + (masked ? '加了掩码的客户端' : '未加掩码的服务器') +
    '帧（HAR 只保存消息，不保存它的帧、密钥和压缩方式）。',
};

const handshake = {
  step1: '在密钥后面接上 RFC 6455 §1.3 规定的固定 GUID:',
  step2: (n) => '这 ' + n + ' 个 ASCII 字节的 SHA-1（20 字节）：',
  step3: '这 20 字节的 Base64:',
  step4: '引擎的 acceptKey(key)，即 Sec-WebSocket-Accept 的值：',
  same: ' ✓ 与下面引擎的 acceptKey(key) 相同',
  differs: ' ✗ 与下面引擎的 acceptKey(key) 不同',
  notHttp: (e) => ['不是合法的 HTTP 头部：', en(e)],
  refuse: (v) => ['✗ 服务器必须以 ' + v.status + ' 拒绝这个请求：', violations[v.code] ? violations[v.code] + ' ' : '', en(v.message)],
  rejection: '引擎生成的拒绝响应',
  validRequest: (v) => '✓ 一个合法的 WebSocket 升级请求（RFC 6455 §4.2.1），路径 ' + v.path + '，主机 ' + v.host + (v.origin ? '，来自 ' + v.origin + ' 的页面' : '') + '。',
  headers: '头部字段',
  answers: '服务器的应答',
  accept: ['Sec-WebSocket-Accept: ', '（由密钥 ', ' 接上 GUID，再 SHA-1、base64 得到）'],
  protocols: (list) => ['客户端提供的子协议：' + list.join(', ') + '。服务器最多选一个（这个演示选第一个，', '），并在 Sec-WebSocket-Protocol 中返回；如果服务器不返回，客户端必须认为没有子协议。'],
  noProtocol: '没有提供子协议：服务器不能发送 Sec-WebSocket-Protocol。',
  extensions: (list) => '提供的扩展：' + list.map((x) => x.name + Object.keys(x.params).map((k) => '; ' + k + (x.params[k] === true ? '' : '=' + x.params[k])).join('')).join(', '),
  pmdAccepted: '接受 permessage-deflate:',
  pmdParams: (p) => '。服务器 → 客户端：窗口 2^' + p.serverMaxWindowBits + '，' + takeover(p.serverNoContextTakeover) +
    '；客户端 → 服务器：窗口 2^' + p.clientMaxWindowBits + '，' + takeover(p.clientNoContextTakeover) + '。之后双方在压缩的消息上设置 RSV1。',
  noPmd: '没有可接受的 permessage-deflate 提议：消息不压缩，RSV1 保持为 0。',
  noExtensions: '没有提供扩展：不压缩，RSV1-3 必须为 0。',
  response101: '101 响应',
  incomplete: '头部不完整：必须以一个空行结束。',
  validResponse: (key) => '✓ 一个合法的应答（RFC 6455 §4.1），对应密钥为 ' + key + ' 的请求（来自左边的输入框），请求提供了子协议 chat、superchat 和 permessage-deflate。',
  failResponse: (r) => ['✗ 客户端必须让这个连接失败：', violations[r.code] ? violations[r.code] + ' ' : '', r.message ? en(r.message) : '状态码 ' + r.status],
  status: (r) => '状态 ' + r.status + ' ' + r.reason + (r.status === 101 ? '' : ' —— 只有 101 才切换到 WebSocket'),
  acceptCheck: (ok) => ['Sec-WebSocket-Accept ', ok ? ' 等于 ' : ' 不等于 ', ' （由密钥计算得到）'],
  chosen: (p) => '服务器选择的子协议：' + p,
  agreed: (p) => (p ? '已协商 permessage-deflate：服务器窗口 2^' + p.serverMaxWindowBits + '，客户端窗口 2^' + p.clientMaxWindowBits +
    (p.serverNoContextTakeover ? '，服务器不使用上下文接管' : '') + (p.clientNoContextTakeover ? '，客户端不使用上下文接管' : '') : '不压缩'),
};

const stream = {
  badStream: (why) => '数据流：' + why,
  byteLabel: (i, b, cut) => '第 ' + i + ' 字节 (0x' + hexByte(b) + '）' + (cut ? '，在它之后切开' : ''),
  byteTitle: (i, cut) => '第 ' + i + ' 字节：点击' + (cut ? '取消它之后的切口' : '在它之后切开'),
  moreBytes: (n) => '…… 还有 ' + n + ' 字节（请用切口列表）',
  intro: (frames, role, reads) => '这段数据流包含 ' + frames + ' 个帧（用颜色区分），分 ' + reads + ' 次读取送给 new Decoder({ role: "' + role + '" })。',
  ev: { message: '消息 ', close: '关闭 ', error: '错误 ' },
  noData: '（无数据）',
  nothingYet: '还没有',
  failed: (code) => '失败：以 ' + code + ' 关闭',
  between: '无：正好在两帧之间',
  heads: ['读取', '字节数', '数据块', '交付了', '然后等待'],
};

const compress = {
  rows: ['未压缩', '第 1 条压缩', '第 2 条，相同的消息'],
  ghostTitle: '发送方去掉、接收方在解压前重新补上',
  heads: ['帧', 'RSV1', '帧字节数', '载荷字节数', '字节（帧头加粗；[去掉的结尾]）'],
  takeoverSmaller: (a, b) => '使用上下文接管 (context takeover) 时，第二条只有 ' + b + ' 字节而不是 ' + a + ' 字节：压缩器引用第一条消息，而不是再重复一遍。',
  takeoverSame: (a, b) => '第二条是 ' + b + ' 字节（第一条 ' + a + ' 字节）。',
  noTakeover: (a, b) => '不使用上下文接管时，每条消息都从头压缩，所以两条分别是 ' + a + ' 和 ' + b + ' 字节。',
  inflated: '✓ 引擎把两条都解压回了原文',
  notInflated: '✗ 解压没有得到原文',
  needsFirst: '（单独的第二帧无法解压：它需要第一帧的上下文）。',
  open: '在解码器中打开这两帧',
};

const live = {
  needServer: '实时演示需要演示服务器：运行 `npm start` 并打开它打印的地址。',
  connecting: '正在连接……',
  tapFailed: '旁路通道失败了：演示服务器在运行吗？',
  connected: (url, ext) => '已连接到 ' + url + '。协商的扩展：' + (ext || '无') + '。',
  closed: (ev) => '已关闭：关闭码 ' + ev.code + (ev.reason ? ' "' + ev.reason + '"' : '') + '。',
  browserSent: '你的浏览器发送的',
  serverAnswered: '服务器的应答',
  message: '消息：',
  inflatedFrom: (n) => '（由 ' + n + ' 字节解压）',
  moreFragments: '（后面还有分片）',
  fragment: '（分片）',
  noStatus: '（无状态码）',
  compressed: 'RSV1（已压缩）',
  mask: (k) => 'mask ' + k,
  dir: { in: '浏览器 → 服务器', out: '服务器 → 浏览器' },
  decodeLabel: (n) => '解码第 ' + n + ' 帧',
  decode: '解码',
};

const capture = {
  workerStart: (why) => '这个页面在这里无法启动模块 worker(' + why + ')：请通过 `npm start` 打开它',
  workerFailed: (why) => '抓包 worker 失败了' + (why ? ':' + why : '') + '（这个页面是由 `npm start` 提供的吗？）',
  cancelled: '已取消',
  reading: (name, n) => '正在读取 ' + name + '（' + size(n) + ')……',
  decoding: (name, n) => '正在后台 worker 中解码 ' + name + '（' + size(n) + ')……',
  progress: (name, note) => '正在解码 ' + name + ':' + note,
  cannotRead: (name, e) => '无法读取 ' + name + ':' + errText(e),
  tooBig: (maxBytes) => '文件对这个页面的 WebAssembly 内存来说太大了（最多 4 GB：文件本身，加上每个帧和消息的一条小记录和最多 ' + (maxBytes || '全部') + ' 字节）。' +
    '请选择更少的“每帧保留字节数”，或先把抓包切成小文件（例如 editcap -c 1000000 in.pcap out.pcap），或用命令行读取：wsprism capture FILE。',
  notCapture: '抓包文件必须是 pcap 或 pcapng 文件（Wireshark 或 tcpdump 保存的），或 HAR 文件（从浏览器的网络面板导出的）。换一个文件试试：页面的其余部分不受影响。',
  seconds: (s) => s + ' 秒',
  stopped: (name) => '已停止：' + name + ' 没有读完。',
  theFile: '文件',
  exampleFailed: (e) => '无法生成示例：' + errText(e),
  fromHar: '来自 HAR',
  notSeen: '✗ 未看到',
  wrongAccept: '（accept 值错误）',
  summary: (s, n) => s.name + '：' + s.format + '，' + size(s.bytes) + '，' + s.packets + (s.format === 'har' ? ' 个条目' : ' 个数据包') +
    ' → ' + n + ' 个 WebSocket 连接（解码用了 ' + (s.ms / 1000).toFixed(2) + ' 秒' + (s.format === 'har' ? '' : '，' + (s.maxBytes ? '每帧保留 ' + s.maxBytes + ' 字节' : '保留全部字节')) + '）。',
  otherTcp: (n) => '另有 ' + n + ' 个 TCP 连接（普通 HTTP、TLS……）未列出：其中没有 WebSocket',
  skipped: (n) => '跳过了 ' + n + ' 个不含 TCP 段的数据包（ARP、UDP、DNS、IP 分片……）',
  linkTypes: (list) => '链路类型 ' + list.join(', '),
  atPacket: (p) => '（第 ' + (p + 1) + ' 个数据包）',
  noWebSocket: (other) => '这个文件里没有 WebSocket 连接：' + (other ? '在它的 ' + other + ' 个 TCP 连接中' : '') + '没有找到 HTTP 升级，也没有哪个 TCP 流看起来像 WebSocket 帧。' +
    '流量是加密的吗（wss://、TLS）?TLS 流量的抓包只有密文；请在 TLS 之前抓包（例如在代理的服务器一侧），或改从浏览器导出 HAR。',
  connsCaption: (name) => name + ' 中的 WebSocket 连接',
  connHeads: ['#', '客户端', '服务器', '握手', '子协议', '扩展', '帧', '消息', '错误', ''],
  moreConns: (page, left) => '再显示 ' + page + ' 个连接（还有 ' + left + ' 个未显示）',
  openConn: (c) => '打开连接 ' + (c.id + 1) + ':' + c.client + ' 到 ' + c.server,
  frames: '帧',
  messages: '消息',
  connHeading: (c) => '连接 ' + (c.id + 1) + ':' + (c.client || '浏览器') + ' → ' + (c.server || '?'),
  kv: {
    time: '时间', request: '请求', response: '响应', subprotocol: '子协议', extensions: '扩展', compression: '压缩',
    handshake: '握手', tcpC2s: 'TCP 客户端 → 服务器', tcpS2c: 'TCP 服务器 → 客户端', cut: '被截断的帧',
  },
  duration: (s) => '，持续 ' + s.toFixed(3) + ' 秒',
  acceptMatches: ' —— Sec-WebSocket-Accept 与密钥相符 ✓',
  acceptDiffers: ' —— Sec-WebSocket-Accept 与密钥不符 ✗',
  none: '无',
  deflate: (d) => 'permessage-deflate：客户端 → 服务器窗口 2^' + d.client_max_window_bits + '，' + takeover(d.client_no_context_takeover) +
    '；服务器 → 客户端窗口 2^' + d.server_max_window_bits + '，' + takeover(d.server_no_context_takeover) + '。压缩的消息设置 RSV1；解码器用这些参数解压。',
  noHandshake: '不在抓包中：录制是在连接打开之后开始的，所以帧是通过在字节流上重新同步找到的（如果有压缩，其参数未知）。',
  tcp: (t) => {
    const x = [size(t.bytes) + '，' + t.segments + ' 个段'];
    if (t.retransmitted) x.push(t.retransmitted + ' 个重传');
    if (t.out_of_order) x.push(t.out_of_order + ' 个乱序');
    if (t.overlaps) x.push(t.overlaps + ' 处重叠');
    if (t.gaps) x.push(t.gaps + ' 处缺口（抓包中缺少的字节）');
    return x.join('，');
  },
  closedBy: (how) => '；由' + (how === 'rst' ? '复位 (RST)' : ' FIN ') + '关闭',
  cutFrames: (n, max) => n + ' 个帧长于 ' + max + ' 字节：列表和解码器只看到它们的前 ' + max + ' 字节（可在“每帧保留字节数”中选更多：文件会被重新读取）。',
  errors: (n) => n + ' 个错误',
  errorMeta: (e, dir, time) => e.code + ' · ' + dir + ' · ' + time + ' · 流偏移 ' + e.stream_offset + ' ',
  openFrame: (i) => '打开第 ' + (i + 1) + ' 帧',
  moreErrors: (n) => '…… 还有 ' + n + ' 个：在下面选“有错误的”。',
  dir: (d) => (d === 'client_to_server' ? '客户端 → 服务器' : '服务器 → 客户端'),
  close: (code) => '关闭 ' + code,
  rfc: (s) => (!s ? '' : /§|RFC/.test(s) ? s : 'RFC 6455 §' + s),
  heads: {
    frames: ['#', '方向', '时间', '帧', '长度', '载荷'],
    messages: ['#', '方向', '时间', '消息', '长度', '内容'],
  },
  loading: '正在加载……',
  count: (kind, n) => n + (kind === 'frames' ? ' 个帧' : ' 条消息'),
  countOf: (kind, n, total) => n + ' / ' + total + (kind === 'frames' ? ' 个帧' : ' 条消息'),
  listHelp: (kind, har) => '方向键、Page Up/Down、Home 和 End 在行之间移动；Enter ' +
    (kind === 'frames' ? '在解码器（面板 1）中打开这一帧。' : (har ? '把消息重建为面板 2 中的一个帧（HAR 没有线路上的字节）。' : '在解码器（面板 1）中打开消息的最后一帧。')),
  empty: '这个筛选条件下没有内容。',
  rowLoading: (p) => '第 ' + (p + 1) + ' 行……',
  unmasked: '未加掩码',
  mask: (k) => 'mask ' + (k || ''),
  frameLabel: (r, dir, err) => '在解码器中打开第 ' + (r.index + 1) + ' 帧（' + dir + '，' + r.opcode_name + '，' + r.payload_len + ' 字节' + (err ? '，错误 ' + err.code : '') + '）',
  messageLabel: (r, dir) => '在解码器中打开第 ' + (r.index + 1) + ' 条消息（' + dir + '，' + r.kind + '，' + r.length + ' 字节）',
  rebuildLabel: (r, dir) => '把第 ' + (r.index + 1) + ' 条消息（' + dir + '，' + r.kind + '，' + r.length + ' 字节）重建为面板 2 中的帧',
  compressed: ' · 已压缩',
  nFrames: (n) => ' · ' + n + ' 个帧',
  cutTitle: (max) => '截断：报告只保留帧的前 ' + max + ' 字节',
  cutTitleMessage: (max) => '截断：报告只保留前 ' + max + ' 字节',
  fromCapture: (name) => '来自抓包 ' + name + ':',
  frameOrigin: (c, f, dir, time) => '连接 ' + (c.id + 1) + '（' + c.client + ' → ' + c.server + '），第 ' + (f.index + 1) + ' / ' + c.frames + ' 帧，' + dir + '，时间 ' + time + '。',
  asServer: (key) => '这是客户端的帧，所以按服务器接收的方式解码：它必须加掩码' + (key ? '（密钥 ' + key + '，由客户端为这一帧选择）' : '') + '。',
  asClient: '这是服务器的帧，所以按客户端接收的方式解码：它不能加掩码。',
  deflateUsed: (ext) => '这个连接的握手协商了 permessage-deflate' + (ext ? '（' + ext + '）' : '') + '：解码器使用协商的参数。',
  withEarlier: (n) => '和这个方向上在它之前发送的 ' + (n - 1) + ' 个帧一起加载：使用上下文接管时，压缩的消息可能引用之前的消息，所以只能在它们之后解压。第 ' + n + ' 帧（标签页）就是这一帧。',
  withFragments: (n) => '和它所属消息之前的分片一起加载（共 ' + n + ' 个帧）：解码器需要它们来重组消息。',
  alone: (ctx) => '单独加载：' + (ctx.cut ? '它依赖的之前的帧在报告中被截断了' : '它依赖的帧太多，无法全部加载') +
    (ctx.takeover ? '，而且使用上下文接管时它只能在之前的消息之后解压，所以解码器可能报告一个抓包中并没有的解压错误。' : '。'),
  itsMessage: '抓包的解码器由它得到的消息：',
  message: (m) => m.kind + '（' + m.length + ' B' + (m.compressed ? '，已解压' : '') + '） ' + m.preview,
  cutFrame: (f, max) => '✂ 截断：这个帧在线路上有 ' + (f.header_len + f.payload_len) + ' 字节，报告只保留了前 ' + f.raw_len + ' 字节（每帧保留字节数：' + (max || '全部') + '），所以解码器看到的是一个不完整的帧。',
  back: '返回抓包',
};

const learn = {
  progress: (done, total) => '已打开 ' + done + ' / ' + total + ' 步',
  stepOf: (i, total) => '第 ' + i + ' 步，共 ' + total + ' 步',
  prev: '← 上一步',
  next: '下一步 →',
  list: '全部步骤',
  tryThis: '试一试：',
  done: '已打开',
  mistake: '一篇流行文章中的错误',
  steps: {
    why: {
      title: '为什么要用 WebSocket',
      body: '<p>普通的 HTTP 只能由服务器应答：页面想知道有没有新消息，只能<em>轮询</em>（每隔几秒问一次，大多白问）或<em>长轮询</em>（服务器把请求挂起，直到有消息）。每次应答都要一个带着几百字节头部的请求。WebSocket 是一条 TCP 连接，通过一次 HTTP 升级建立，之后双方随时都能发送：一条短文本消息只需要 2 字节的帧头（客户端发送时是 6 字节）。</p>',
      try: '连接演示服务器并发送一条消息',
    },
    handshake: {
      title: '升级请求与 Sec-WebSocket-Accept（握手）',
      body: '<p>握手 (handshake)：客户端发送一个普通的 HTTP/1.1 <code>GET</code>，带有 <code>Upgrade: websocket</code>、<code>Sec-WebSocket-Version: 13</code> 和一个随机的 <code>Sec-WebSocket-Key</code>。服务器以 <code>101 Switching Protocols</code> 应答，并带上 <code>Sec-WebSocket-Accept</code>：把密钥接上一个固定的 GUID，取 SHA-1，再做 base64。下面一步一步演示 RFC 自己的例子。</p>',
      try: '检查一个 accept 值错误的响应',
    },
    frame: {
      title: '帧头，一位一位地看',
      body: '<p>握手之后，一切都是帧 (frame)。第 0 字节：FIN（消息的最后一帧）、RSV1-3（留给扩展）和 4 位的 opcode 操作码（0x1 文本，0x2 二进制，0x8 close,0x9 ping,0xA pong）。第 1 字节：MASK 和 7 位的 Payload len;126 表示后面跟 16 位长度，127 表示后面跟 64 位长度。下面是 RFC 中未加掩码的 "Hello"，一共 7 字节。把鼠标移到字段上，可以看到它占哪些位。</p>',
      try: '加载一个 16 位长度 (126) 的帧',
    },
    masking: {
      title: '掩码 (masking)，以及客户端为什么要加掩码',
      body: '<p>客户端发出的每一帧都带着 4 字节的 Masking-key（掩码密钥），载荷与它逐字节异或（第 <i>i</i> 字节与密钥的第 <i>i</i> mod 4 字节）。这不是为了保密——密钥就在帧里——而是为了让脚本无法决定线路上的字节，否则它可能污染透明代理的缓存（RFC 6455 §10.3）。服务器从不加掩码。下面是 RFC 中加了掩码的 "Hello"，逐字节去掩码。</p>',
      try: '给服务器发一个未加掩码的帧',
    },
    fragmentation: {
      title: '分片 (fragmentation)',
      body: '<p>一条消息可以分成几个帧发送：第一帧带 opcode（文本或二进制）且 FIN 为 0，中间的是延续帧（opcode 0x0,FIN 0），最后一帧是 FIN 为 1 的延续帧。控制帧可以插在分片之间，但控制帧本身从不分片。下面是 MDN 例子中一条文本消息的三个分片。</p>',
      try: '加载一个分片的 ping（不允许）',
    },
    'sticky-packets': {
      title: '粘包与半包',
      body: '<p>TCP 是字节流：一次读取可能只得到半个帧，或一个半，或一次两个帧（文章里的“粘包 / 半包”问题）。帧头告诉接收方还要等多少字节，所以流式解码器只需保留已收到的部分，直到帧完整。下面是两条消息在一次读取中到达。</p>',
      try: '在每个字节之后切开数据流',
    },
    heartbeat: {
      title: 'ping 与 pong：心跳 (heartbeat)',
      body: '<p>ping(opcode 0x9)请对方回一个携带相同数据的 pong(0xA);pong 也可以单独发送，作为单向心跳。它们是控制帧：最多 125 字节，从不分片，可以插在一条消息的分片之间。应用层心跳（如 Socket.IO 的 "2"/"3"）只是普通的文本消息。下面是 Java 文章中的空 ping:<code>89 00</code>。</p>',
      note: '<p>有一篇文章把 close 和 ping 都写成 0x8。ping 是 <strong>0x9</strong>:0x8 是 close,0xA 是 pong。<code>89 00</code> 就是 FIN 1、opcode 9、载荷为空。</p>',
      try: '让实时服务器 ping 你的浏览器',
    },
    close: {
      title: '关闭连接与关闭码',
      body: '<p>close 帧（0x8）可以携带一个 2 字节、大端序的状态码，后面跟 UTF-8 的原因：1000 正常关闭，1001 离开，1002 协议错误，1007 数据无效，1009 消息太大，1011 服务器内部错误。1005、1006 和 1015 只用于报告，从不发送。双方各发一个 close，然后等待对方的 close。下面是 <code>88 05 03 e8 62 79 65</code>:close 1000 "bye"。</p>',
      note: '<p>一篇文章的关闭帧例子是 <code>88 07 03 e8 62 79 65</code>：长度字节说载荷有 7 字节，但后面只有 5 字节（关闭码 1000 占 2 字节，"bye" 占 3 字节）。接收方会再等 2 个字节；正确的长度字节是 <code>05</code>。</p>',
      try: '解码文章中长度写错的关闭帧',
    },
    compression: {
      title: '压缩 (permessage-deflate)',
      body: '<p>在握手中协商了 permessage-deflate(RFC 7692)之后，压缩的消息在第一帧上设置 RSV1；载荷是去掉结尾 <code>00 00 ff ff</code> 的 deflate 数据。使用上下文接管 (context takeover) 时，压缩器会记住之前的消息，所以重复一条消息只需要几个字节。</p>',
      try: '关闭上下文接管',
    },
    capture: {
      title: '阅读抓包',
      body: '<p>Wireshark 和 <code>tcpdump</code> 记录的是数据包，不是帧。要从中读出 WebSocket 流量，先把 TCP 段按顺序拼回去，找到 HTTP 升级，再把之后的字节按两个方向分别解码成帧。下面是在这个页面里生成的一个小抓包，由同一个引擎打开。</p>',
      try: '打开示例抓包的第一个连接',
    },
  },
};

export default { main, common, violations, decode, build, handshake, stream, compress, live, capture, learn, page };
