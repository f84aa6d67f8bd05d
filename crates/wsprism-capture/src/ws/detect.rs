//! Deciding what a TCP flow carries: an HTTP upgrade (a handshake), a WebSocket stream
//! captured mid-way (resynchronisation), or something else; with the bytes held meanwhile.

use super::*;
use wsprism::handshake;

/// Bytes a direction may hold while its protocol is being detected or resynchronised.
pub const DETECT_CAP: usize = 64 * 1024;

/// Bytes held per side until the protocol is known, with the times of the packets they came in.
#[derive(Debug, Default)]
pub(super) struct Held {
    pub(super) buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    pub(super) base: u64,
    /// `(end index in buf, packet time)` for each piece.
    pub(super) times: Vec<(usize, f64)>,
}

impl Held {
    pub(super) fn push(&mut self, bytes: &[u8], time: f64) {
        let room = DETECT_CAP.saturating_sub(self.buf.len());
        let take = bytes.get(..room.min(bytes.len())).unwrap_or_default();
        if take.is_empty() {
            return;
        }
        self.buf.extend_from_slice(take);
        self.times.push((self.buf.len(), time));
    }

    pub(super) fn reset(&mut self, base: u64) {
        self.buf.clear();
        self.times.clear();
        self.base = base;
    }

    pub(super) fn full(&self) -> bool {
        self.buf.len() >= DETECT_CAP
    }

    /// The pieces from index `from` on, each with its time.
    pub(super) fn pieces(&self, from: usize) -> Vec<(u64, &[u8], f64)> {
        let mut out = Vec::new();
        let mut start = 0usize;
        for &(end, t) in &self.times {
            let s = start.max(from);
            if s < end {
                if let Some(b) = self.buf.get(s..end) {
                    out.push((self.base + s as u64, b, t));
                }
            }
            start = end;
        }
        out
    }
}

#[derive(Debug, Default)]
pub(super) struct Detect {
    pub(super) held: [Held; 2],
    /// A gap was seen: the stream start is lost, so no handshake can be trusted.
    pub(super) gapped: bool,
    /// Gaps seen while detecting, `(side, offset, len, time)`: reported if the flow turns out
    /// to be WebSocket (bounded: only the first few are kept).
    pub(super) gaps: Vec<(usize, u64, u64, f64)>,
}

pub(super) fn is_get_prefix(buf: &[u8]) -> bool {
    let n = buf.len().min(4);
    buf.get(..n) == b"GET ".get(..n)
}

/// How a flow's protocol was decided.
pub(super) enum Verdict {
    Wait,
    NotWs,
    Handshake {
        client: usize,
        req: Box<Request>,
        req_len: usize,
        resp: Option<(Box<Response>, usize)>,
        resp_err: Option<String>,
    },
    Resync {
        side: usize,
        hit: Hit,
    },
}

pub(super) fn detect(d: &Detect, syn: bool, last: bool, opts: &CaptureOptions) -> Verdict {
    let started = syn && !d.gapped;
    for side in 0..2 {
        let other = 1 - side;
        let (Some(h), Some(o)) = (d.held.get(side), d.held.get(other)) else {
            continue;
        };
        if h.buf.is_empty() || !is_get_prefix(&h.buf) {
            continue;
        }
        if h.buf.len() < 4 {
            if last {
                break;
            }
            return Verdict::Wait;
        }
        match handshake::parse_request(&h.buf, DEFAULT_MAX_HEAD_SIZE) {
            Ok(Parsed::Complete { value, len }) => {
                if !value
                    .header_list("upgrade")
                    .any(|t| t.eq_ignore_ascii_case("websocket"))
                {
                    return Verdict::NotWs;
                }
                let (resp, resp_err) =
                    match handshake::parse_response(&o.buf, DEFAULT_MAX_HEAD_SIZE) {
                        Ok(Parsed::Complete { value, len }) => (Some((Box::new(value), len)), None),
                        Ok(Parsed::NeedMore(_)) if !last && !o.full() && !h.full() => {
                            return Verdict::Wait
                        }
                        Ok(Parsed::NeedMore(_)) => (None, None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                return Verdict::Handshake {
                    client: side,
                    req: Box::new(value),
                    req_len: len,
                    resp,
                    resp_err,
                };
            }
            Ok(Parsed::NeedMore(_)) if !last && !h.full() => return Verdict::Wait,
            _ if started => return Verdict::NotWs,
            _ => break,
        }
    }
    if started {
        // The stream start is here and no side opened with an upgrade request.
        let any = d
            .held
            .iter()
            .any(|h| !h.buf.is_empty() && !is_get_prefix(&h.buf));
        return if any || last {
            Verdict::NotWs
        } else {
            Verdict::Wait
        };
    }
    for (side, h) in d.held.iter().enumerate() {
        if let Some(hit) = find_frames(&h.buf, None, last, opts.max_frame_size) {
            return Verdict::Resync { side, hit };
        }
    }
    // No credible frame boundary in what a mid-stream WebSocket would long have shown: give
    // up, so that other traffic captured mid-stream (TLS...) does not hold buffers.
    let held: usize = d.held.iter().map(|h| h.buf.len()).sum();
    if last || held >= RESYNC_WINDOW {
        Verdict::NotWs
    } else {
        Verdict::Wait
    }
}
