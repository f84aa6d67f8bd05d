//! The flow machine: a TCP connection from detection to a WebSocket connection (opened from a
//! handshake or a resynchronisation point) to its end.

use super::*;
use wsprism::handshake;

/// A TCP connection. Side 0 is the endpoint that sent the first packet seen.
#[derive(Debug)]
pub(crate) struct Flow {
    pub ends: [SocketAddr; 2],
    pub dirs: [Reassembler; 2],
    pub start: f64,
    pub end: f64,
    pub closed: Option<TcpClose>,
    state: State,
    pub finished: bool,
    /// Creation order, to finish flows deterministically.
    pub order: u64,
}

#[derive(Debug)]
pub(super) enum State {
    Detect(Box<Detect>),
    Ws(Box<WsConn>),
    NotWs,
}

/// The conversion of decoder output into report records.
#[derive(Debug)]
pub(super) struct WsConn {
    pub(super) id: u64,
    /// Side index of the client.
    pub(super) client: usize,
    pub(super) dirs: [WsDir; 2],
    pub(super) frames: u64,
    pub(super) messages: u64,
}

impl WsConn {
    /// Runs `f` on the direction of side `side`, with the context its events need.
    pub(super) fn with_dir(
        &mut self,
        side: usize,
        opts: &Settings,
        events: &mut dyn Emit,
        f: impl FnOnce(&mut WsDir, &mut Cx<'_>),
    ) {
        let WsConn {
            id,
            dirs,
            frames,
            messages,
            ..
        } = self;
        if let Some(d) = dirs.get_mut(side) {
            let mut cx = Cx {
                opts,
                id: *id,
                frames,
                messages,
                events,
            };
            f(d, &mut cx);
        }
    }
}

#[derive(Debug)]
pub(super) struct WsDir {
    pub(super) direction: Direction,
    /// The role of the receiver of this direction's frames.
    pub(super) role: Role,
    pub(super) deflate: Option<DeflateParams>,
    pub(super) mode: Mode,
}

#[derive(Debug)]
pub(super) enum Mode {
    Resync(Held),
    Decode(Box<FrameDecoder>),
    Stopped,
}

impl Flow {
    pub fn new(a: SocketAddr, b: SocketAddr, time: f64, order: u64) -> Self {
        Self {
            ends: [a, b],
            dirs: [Reassembler::default(), Reassembler::default()],
            start: time,
            end: time,
            closed: None,
            state: State::Detect(Box::default()),
            finished: false,
            order,
        }
    }

    /// Handles one segment from side `side`.
    #[allow(clippy::too_many_arguments)]
    pub fn segment(
        &mut self,
        side: usize,
        seg: &crate::link::Segment<'_>,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        self.end = time;
        if self.finished {
            return;
        }
        let Flow { dirs, state, .. } = self;
        let Some(dir) = dirs.get_mut(side) else {
            return;
        };
        if matches!(state, State::NotWs) {
            // Nothing is delivered anywhere: keep it cheap.
            dir.stats.segments += 1;
        } else {
            // Delivered straight into the state machine (no copy for in-order data).
            dir.segment(
                seg.seq,
                seg.syn,
                seg.fin,
                seg.payload,
                time,
                &mut |c| match c {
                    Chunk::Data {
                        offset,
                        bytes,
                        time,
                    } => state.data(side, offset, bytes, time, opts, events),
                    Chunk::Gap { offset, len, time } => {
                        state.gap(side, offset, len, time, opts, events)
                    }
                },
            );
        }
        if seg.rst {
            self.closed = Some(TcpClose::Rst);
        } else if seg.fin && self.closed.is_none() {
            self.closed = Some(TcpClose::Fin);
        }
        let syn = self.dirs.iter().any(|d| d.syn_seen);
        self.evaluate(false, syn, time, opts, shared, events);
        let both_fin = self.dirs.iter().all(Reassembler::fin_done);
        let rst = self.closed == Some(TcpClose::Rst);
        if (both_fin || rst) && !self.dirs.iter().any(Reassembler::has_pending) {
            self.finish(time, opts, shared, events);
        }
    }

    /// Decides the protocol of a flow still being detected.
    pub(super) fn evaluate(
        &mut self,
        last: bool,
        syn: bool,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        let State::Detect(d) = &self.state else {
            return;
        };
        let verdict = detect(d, syn, last, opts);
        match verdict {
            Verdict::Wait => {}
            Verdict::NotWs => {
                shared.other_tcp += 1;
                self.state = State::NotWs;
            }
            v => self.open(v, time, opts, shared, events),
        }
    }

    /// Turns a flow being detected into a WebSocket connection, from a handshake or a
    /// resynchronisation point: announces it, sets up both directions and feeds them what was
    /// held while detecting.
    pub(super) fn open(
        &mut self,
        v: Verdict,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        let State::Detect(d) = std::mem::replace(&mut self.state, State::NotWs) else {
            return;
        };
        let id = shared.next_conn;
        shared.next_conn += 1;
        let (client, handshake_seen) = match &v {
            Verdict::Handshake { client, .. } => (*client, true),
            Verdict::Resync { side, hit } => (
                if hit.role == Role::Server {
                    *side
                } else {
                    1 - *side
                },
                false,
            ),
            _ => (0, false),
        };
        self.announce(id, client, handshake_seen, &d.gaps, events);
        let mut conn = WsConn::new(id, client);
        let [h0, h1] = d.held;
        let mut held = [Some(h0), Some(h1)];
        let feed_from = match v {
            Verdict::Handshake {
                req,
                req_len,
                resp,
                resp_err,
                ..
            } => {
                let resp = resp.as_ref().map(|(r, len)| (&**r, *len));
                let deflate = report_handshake(id, &req, resp, resp_err.as_deref(), time, events);
                deflate.map_or([None, None], |deflate| {
                    conn.decode_after_handshake(deflate, req_len, resp.map(|r| r.1), &held, opts)
                })
            }
            Verdict::Resync { side, hit } => {
                conn.decode_from_resync(side, &hit, &mut held, opts, events)
            }
            _ => [None, None],
        };
        conn.feed_held(&held, feed_from, time, opts, events);
        self.state = State::Ws(Box::new(conn));
    }

    /// The connection event, and the gaps seen before the connection was recognised.
    fn announce(
        &self,
        id: u64,
        client: usize,
        handshake_seen: bool,
        gaps: &[(usize, u64, u64, f64)],
        events: &mut dyn Emit,
    ) {
        let addr = |i: usize| self.ends.get(i).copied().map(fmt_addr).unwrap_or_default();
        events.push_back(CaptureEvent::Connection(Box::new(ConnectionInfo {
            id,
            client: addr(client),
            server: addr(1 - client),
            start: self.start,
            handshake_seen,
        })));
        for &(side, offset, len, t) in gaps {
            let dir = direction(side, client);
            events.push_back(CaptureEvent::Error {
                conn: id,
                error: capture_error(
                    dir,
                    t,
                    offset,
                    "CAPTURE_TCP_GAP",
                    format!(
                        "{len} bytes of the {} stream were not captured (before the connection was recognised)",
                        dir.name()
                    ),
                ),
            });
        }
    }
}

/// The direction of the bytes side `side` sends, `client` being the client's side.
fn direction(side: usize, client: usize) -> Direction {
    if side == client {
        Direction::ClientToServer
    } else {
        Direction::ServerToClient
    }
}

/// Reports a handshake (the report, its problems, a missing response) and says how to decode:
/// `None` if the upgrade failed, else the permessage-deflate parameters in force (with no
/// response at all, those the client offered: its frames are decoded as if it succeeded).
fn report_handshake(
    id: u64,
    req: &Request,
    resp: Option<(&Response, usize)>,
    resp_err: Option<&str>,
    time: f64,
    events: &mut dyn Emit,
) -> Option<Option<DeflateParams>> {
    let (hs, problems) = build_handshake(req, resp.map(|r| r.0));
    let upgraded = resp.is_some_and(|(r, _)| r.status == 101);
    let agreed = hs.deflate;
    events.push_back(CaptureEvent::Handshake {
        conn: id,
        handshake: Box::new(hs),
    });
    for (code, message) in problems {
        let dir = if code == "CAPTURE_HANDSHAKE_REJECTED" {
            Direction::ServerToClient
        } else {
            Direction::ClientToServer
        };
        events.push_back(CaptureEvent::Error {
            conn: id,
            error: capture_error(dir, time, 0, code, message),
        });
    }
    if let Some(e) = resp_err {
        events.push_back(CaptureEvent::Error {
            conn: id,
            error: capture_error(
                Direction::ServerToClient,
                time,
                0,
                "CAPTURE_HTTP_INVALID",
                format!("response: {e}"),
            ),
        });
    }
    // A capture of one direction only (or cut before the answer): decode the client's frames
    // as if the upgrade succeeded, with permessage-deflate if the client offered it.
    let assumed = resp.is_none() && resp_err.is_none();
    let offered_deflate = req
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("sec-websocket-extensions"))
        .filter_map(|h| handshake::parse_extensions(&h.value).ok())
        .flatten()
        .any(|e| e.name == deflate::NAME);
    if resp.is_none() {
        events.push_back(CaptureEvent::Note {
            conn: id,
            note: if assumed {
                format!(
                    "no handshake response in the capture: client frames decoded as if the upgrade succeeded{}",
                    if offered_deflate {
                        " with permessage-deflate (default parameters), as offered"
                    } else {
                        ""
                    }
                )
            } else {
                "no handshake response in the capture".into()
            },
        });
    }
    if assumed {
        Some(offered_deflate.then(DeflateParams::default))
    } else if upgraded {
        Some(agreed)
    } else {
        None
    }
}

impl WsConn {
    /// A connection whose directions decode nothing yet.
    fn new(id: u64, client: usize) -> Self {
        let dir = |side: usize| WsDir {
            direction: direction(side, client),
            role: if side == client {
                Role::Server
            } else {
                Role::Client
            },
            deflate: None,
            mode: Mode::Stopped,
        };
        WsConn {
            id,
            client,
            dirs: [dir(0), dir(1)],
            frames: 0,
            messages: 0,
        }
    }

    /// After an upgrade: each direction decodes from the end of its head (the client's request
    /// is `req_len` bytes, the server's response `resp_len`). Returns where in the held bytes
    /// each direction starts.
    fn decode_after_handshake(
        &mut self,
        deflate: Option<DeflateParams>,
        req_len: usize,
        resp_len: Option<usize>,
        held: &[Option<Held>; 2],
        opts: &Settings,
    ) -> [Option<usize>; 2] {
        let mut feed_from = [None, None];
        let client = self.client;
        for (side, d) in self.dirs.iter_mut().enumerate() {
            d.deflate = deflate;
            let start = if side == client {
                Some(req_len)
            } else {
                resp_len
            };
            if let (Some(start), Some(Some(h))) = (start, held.get(side)) {
                d.mode = Mode::Decode(Box::new(FrameDecoder::new(
                    decoder_config(d.role, deflate, opts),
                    h.base + start as u64,
                )));
                if let Some(f) = feed_from.get_mut(side) {
                    *f = Some(start);
                }
            }
        }
        feed_from
    }

    /// No handshake: side `side` decodes from the resynchronisation point `hit`; the other
    /// side keeps resynchronising on its own bytes. Returns where in the held bytes each
    /// direction starts.
    fn decode_from_resync(
        &mut self,
        side: usize,
        hit: &Hit,
        held: &mut [Option<Held>; 2],
        opts: &Settings,
        events: &mut dyn Emit,
    ) -> [Option<usize>; 2] {
        let id = self.id;
        events.push_back(CaptureEvent::Note {
            conn: id,
            note: "no handshake seen".into(),
        });
        let deflate = hit.rsv1.then(DeflateParams::default);
        if deflate.is_some() {
            events.push_back(CaptureEvent::Note {
                conn: id,
                note: "RSV1 frames seen: permessage-deflate assumed with default \
                       parameters (messages compressed with context takeover may \
                       not inflate without the earlier messages)"
                    .into(),
            });
        }
        let mut feed_from = [None, None];
        for (s, d) in self.dirs.iter_mut().enumerate() {
            d.deflate = deflate;
            if s == side {
                let base = held.get(s).and_then(|h| h.as_ref()).map_or(0, |h| h.base);
                let at = base + hit.offset as u64;
                if hit.offset > 0 {
                    events.push_back(CaptureEvent::Note {
                        conn: id,
                        note: format!(
                            "resynchronised at stream offset {at} ({})",
                            d.direction.name()
                        ),
                    });
                }
                d.mode = Mode::Decode(Box::new(FrameDecoder::new(
                    decoder_config(d.role, deflate, opts),
                    at,
                )));
                if let Some(f) = feed_from.get_mut(s) {
                    *f = Some(hit.offset);
                }
            } else if let Some(h) = held.get_mut(s).and_then(Option::take) {
                d.mode = Mode::Resync(h);
            }
        }
        feed_from
    }

    /// Feeds each decoding direction the bytes held for it from `feed_from`; a direction left
    /// resynchronising may already hold enough to start.
    fn feed_held(
        &mut self,
        held: &[Option<Held>; 2],
        feed_from: [Option<usize>; 2],
        time: f64,
        opts: &Settings,
        events: &mut dyn Emit,
    ) {
        for (side, (from, h)) in feed_from.iter().zip(held).enumerate() {
            let (Some(from), Some(h)) = (from, h) else {
                continue;
            };
            self.with_dir(side, opts, events, |d, cx| {
                for (off, bytes, t) in h.pieces(*from) {
                    d.data(off, bytes, t, cx);
                }
            });
        }
        for side in 0..2 {
            self.with_dir(side, opts, events, |d, cx| d.rescan(false, time, cx));
        }
    }
}

impl Flow {
    /// Ends the flow: pending bytes are flushed (holes become gaps), a flow still being
    /// detected gets a last chance, and a WebSocket connection is reported closed.
    pub fn finish(
        &mut self,
        time: f64,
        opts: &Settings,
        shared: &mut Shared,
        events: &mut dyn Emit,
    ) {
        if self.finished {
            return;
        }
        self.finished = true;
        let Flow { dirs, state, .. } = self;
        for (side, dir) in dirs.iter_mut().enumerate() {
            dir.flush(time, &mut |c| match c {
                Chunk::Data {
                    offset,
                    bytes,
                    time,
                } => state.data(side, offset, bytes, time, opts, events),
                Chunk::Gap { offset, len, time } => {
                    state.gap(side, offset, len, time, opts, events)
                }
            });
        }
        let syn = self.dirs.iter().any(|d| d.syn_seen);
        self.evaluate(true, syn, time, opts, shared, events);
        if let State::Detect(_) = self.state {
            shared.other_tcp += 1;
            self.state = State::NotWs;
        }
        let end = self.end;
        let closed = self.closed;
        let stats = [self.dirs[0].stats, self.dirs[1].stats];
        if let State::Ws(conn) = &mut self.state {
            let id = conn.id;
            let client = conn.client;
            for d in conn.dirs.iter_mut() {
                let mut cx = Cx {
                    opts,
                    id,
                    frames: &mut conn.frames,
                    messages: &mut conn.messages,
                    events,
                };
                d.rescan(true, time, &mut cx);
                d.end(time, &mut cx);
            }
            let c2s = stats.get(client).copied().unwrap_or_default();
            let s2c = stats.get(1 - client).copied().unwrap_or_default();
            events.push_back(CaptureEvent::Closed {
                conn: id,
                end,
                frames: conn.frames,
                messages: conn.messages,
                tcp: Box::new(TcpReport {
                    client_to_server: c2s,
                    server_to_client: s2c,
                    closed,
                }),
            });
        }
        // Drop everything but the tombstone.
        self.state = State::NotWs;
        self.dirs = [Reassembler::default(), Reassembler::default()];
    }
}

impl State {
    pub(super) fn data(
        &mut self,
        side: usize,
        offset: u64,
        bytes: &[u8],
        time: f64,
        opts: &Settings,
        events: &mut dyn Emit,
    ) {
        match self {
            State::Detect(d) => {
                if let Some(h) = d.held.get_mut(side) {
                    if h.buf.is_empty() {
                        h.base = offset;
                    }
                    h.push(bytes, time);
                }
            }
            State::Ws(conn) => conn.with_dir(side, opts, events, |d, cx| {
                d.data(offset, bytes, time, cx);
            }),
            State::NotWs => {}
        }
    }

    pub(super) fn gap(
        &mut self,
        side: usize,
        offset: u64,
        len: u64,
        time: f64,
        opts: &Settings,
        events: &mut dyn Emit,
    ) {
        match self {
            State::Detect(d) => {
                d.gapped = true;
                if d.gaps.len() < 16 {
                    d.gaps.push((side, offset, len, time));
                }
                if let Some(h) = d.held.get_mut(side) {
                    h.reset(offset + len);
                }
            }
            State::Ws(conn) => conn.with_dir(side, opts, events, |d, cx| {
                d.gap(offset, len, time, cx);
            }),
            State::NotWs => {}
        }
    }
}

impl WsDir {
    pub(super) fn data(&mut self, offset: u64, bytes: &[u8], time: f64, cx: &mut Cx<'_>) {
        // Bytes must continue where this direction stands; anything else (bytes held back
        // while detecting and cut at its cap) is handled as a gap, or trimmed.
        let expected = match &self.mode {
            Mode::Decode(fd) => Some(fd.base + fd.dec.offset()),
            Mode::Resync(h) if !h.buf.is_empty() => Some(h.base + h.buf.len() as u64),
            _ => None,
        };
        let mut offset = offset;
        let mut bytes = bytes;
        if let Some(e) = expected {
            if offset > e {
                self.gap(e, offset - e, time, cx);
            } else if offset < e {
                let skip = usize::try_from(e - offset).unwrap_or(usize::MAX);
                bytes = bytes.get(skip..).unwrap_or_default();
                offset = e;
                if bytes.is_empty() {
                    return;
                }
            }
        }
        match &mut self.mode {
            Mode::Decode(fd) => {
                if !fd.feed(bytes, offset, time, self.direction, cx) {
                    self.mode = Mode::Stopped;
                }
            }
            Mode::Resync(h) => {
                if h.buf.is_empty() {
                    h.base = offset;
                }
                if h.buf.len() + bytes.len() > DETECT_CAP {
                    // Slide: keep the newest bytes (contiguous), at most half the cap before
                    // the new ones.
                    let keep = (DETECT_CAP / 2).saturating_sub(bytes.len());
                    let drop = h.buf.len().saturating_sub(keep);
                    h.buf.drain(..drop);
                    h.base += drop as u64;
                    h.times = h
                        .times
                        .iter()
                        .filter(|(e, _)| *e > drop)
                        .map(|(e, t)| (e - drop, *t))
                        .collect();
                    if bytes.len() > DETECT_CAP / 2 {
                        let cut = bytes.len() - DETECT_CAP / 2;
                        h.reset(offset + cut as u64);
                        bytes = bytes.get(cut..).unwrap_or_default();
                    }
                }
                h.push(bytes, time);
                self.rescan(false, time, cx);
            }
            Mode::Stopped => {}
        }
    }

    pub(super) fn gap(&mut self, offset: u64, len: u64, time: f64, cx: &mut Cx<'_>) {
        // What was held before the gap is all there will be of that stretch: judge it as a
        // stream end (a run of frames up to the gap is enough).
        self.rescan(true, time, cx);
        cx.events.push_back(CaptureEvent::Error {
            conn: cx.id,
            error: capture_error(
                self.direction,
                time,
                offset,
                "CAPTURE_TCP_GAP",
                format!(
                    "{len} bytes of the {} stream were not captured; decoding resumes at the next frame boundary found",
                    self.direction.name()
                ),
            ),
        });
        match &mut self.mode {
            Mode::Decode(fd) => {
                fd.abandon(time, self.direction, cx);
                if self.deflate.is_some_and(|p| match self.role {
                    Role::Server => !p.client_no_context_takeover,
                    Role::Client => !p.server_no_context_takeover,
                }) {
                    cx.events.push_back(CaptureEvent::Note {
                        conn: cx.id,
                        note: format!(
                            "{}: the compression context was lost in the gap; later compressed messages may not inflate",
                            self.direction.name()
                        ),
                    });
                }
                let mut h = Held::default();
                h.reset(offset + len);
                self.mode = Mode::Resync(h);
            }
            Mode::Resync(h) => h.reset(offset + len),
            Mode::Stopped => {}
        }
    }

    /// In resync mode, looks for a frame boundary and switches to decoding there.
    pub(super) fn rescan(&mut self, last: bool, _time: f64, cx: &mut Cx<'_>) {
        let Mode::Resync(h) = &self.mode else { return };
        let Some(hit) = find_frames(&h.buf, Some(self.role), last, cx.opts.max_frame_size) else {
            return;
        };
        let at = h.base + hit.offset as u64;
        let Mode::Resync(h) = std::mem::replace(&mut self.mode, Mode::Stopped) else {
            return;
        };
        cx.events.push_back(CaptureEvent::Note {
            conn: cx.id,
            note: format!(
                "resynchronised at stream offset {at} ({})",
                self.direction.name()
            ),
        });
        let mut fd = Box::new(FrameDecoder::new(
            decoder_config(self.role, self.deflate, cx.opts),
            at,
        ));
        let mut ok = true;
        for (off, bytes, t) in h.pieces(hit.offset) {
            if ok {
                ok = fd.feed(bytes, off, t, self.direction, cx);
            }
        }
        self.mode = if ok { Mode::Decode(fd) } else { Mode::Stopped };
    }

    /// End of stream: a frame in progress is reported as cut.
    pub(super) fn end(&mut self, time: f64, cx: &mut Cx<'_>) {
        if let Mode::Decode(fd) = &mut self.mode {
            if let Some(at) = fd.abandon(time, self.direction, cx) {
                cx.events.push_back(CaptureEvent::Note {
                    conn: cx.id,
                    note: format!(
                        "the capture ends inside a frame at stream offset {at} ({})",
                        self.direction.name()
                    ),
                });
            } else if fd.hdr_len > 0 {
                cx.events.push_back(CaptureEvent::Note {
                    conn: cx.id,
                    note: format!(
                        "the capture ends inside a frame header at stream offset {} ({})",
                        fd.hdr_start,
                        self.direction.name()
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    #[test]
    fn how_a_handshake_decides_the_decoding() {
        let req = request(REQUEST);
        let ok = response(RESPONSE);
        let mut events = VecDeque::new();
        let agreed = report_handshake(1, &req, Some((&ok, RESPONSE.len())), None, 0.0, &mut events);
        assert_eq!(agreed, Some(Some(DeflateParams::default())));
        assert!(matches!(
            events.front(),
            Some(CaptureEvent::Handshake { conn: 1, .. })
        ));
        // Refused: nothing is decoded.
        let refused = response(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        let mut events = VecDeque::new();
        assert_eq!(
            report_handshake(1, &req, Some((&refused, 10)), None, 0.0, &mut events),
            None
        );
        // No response captured: decoded as offered, and said so.
        let mut events = VecDeque::new();
        assert_eq!(
            report_handshake(1, &req, None, None, 0.0, &mut events),
            Some(Some(DeflateParams::default()))
        );
        assert!(events.iter().any(|e| matches!(e, CaptureEvent::Note { note, .. } if note.contains("as if the upgrade succeeded"))));
        // An unreadable response: reported, nothing decoded.
        let mut events = VecDeque::new();
        assert_eq!(
            report_handshake(1, &req, None, Some("bad"), 0.0, &mut events),
            None
        );
        assert!(events.iter().any(|e| matches!(e, CaptureEvent::Error { error, .. } if error.code == "CAPTURE_HTTP_INVALID")));
    }

    #[test]
    fn sides_and_roles() {
        let conn = WsConn::new(3, 1);
        assert_eq!(conn.dirs[1].direction, Direction::ClientToServer);
        assert_eq!(conn.dirs[1].role, Role::Server);
        assert_eq!(conn.dirs[0].direction, Direction::ServerToClient);
        assert_eq!(conn.dirs[0].role, Role::Client);
        assert!(matches!(conn.dirs[0].mode, Mode::Stopped));
    }
}
