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

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::*;

    fn held(bytes: &[u8]) -> Held {
        let mut h = Held::default();
        h.push(bytes, 1.0);
        h
    }

    #[test]
    fn held_bytes_are_capped_and_keep_their_times() {
        let mut h = Held::default();
        h.reset(100);
        h.push(b"abc", 1.0);
        h.push(b"", 2.0);
        h.push(b"defg", 3.0);
        assert_eq!(
            h.pieces(0),
            vec![(100, &b"abc"[..], 1.0), (103, &b"defg"[..], 3.0)]
        );
        assert_eq!(h.pieces(4), vec![(104, &b"efg"[..], 3.0)]);
        h.push(&vec![0; DETECT_CAP], 4.0);
        assert!(h.full());
        assert_eq!(h.buf.len(), DETECT_CAP);
        h.push(b"more", 5.0);
        assert_eq!(h.buf.len(), DETECT_CAP);
    }

    #[test]
    fn get_prefix() {
        assert!(is_get_prefix(b"GET / HTTP/1.1"));
        assert!(is_get_prefix(b"GE"));
        assert!(!is_get_prefix(b"POST / HTTP/1.1"));
        assert!(!is_get_prefix(b"\x81\x05Hello"));
    }

    #[test]
    fn an_upgrade_and_its_answer() {
        let opts = CaptureOptions::default();
        // The server's side is side 0 here: whoever sends the GET is the client.
        let d = Detect {
            held: [held(RESPONSE), held(REQUEST)],
            ..Default::default()
        };
        match detect(&d, true, false, &opts) {
            Verdict::Handshake {
                client,
                req_len,
                resp: Some((resp, resp_len)),
                resp_err: None,
                ..
            } => {
                assert_eq!(client, 1);
                assert_eq!(req_len, REQUEST.len());
                assert_eq!(resp_len, RESPONSE.len());
                assert_eq!(resp.status, 101);
            }
            _ => panic!("expected a handshake"),
        }
        // Half a request: wait for more, unless the flow ended.
        let d = Detect {
            held: [held(&REQUEST[..30]), Held::default()],
            ..Default::default()
        };
        assert!(matches!(detect(&d, true, false, &opts), Verdict::Wait));
        // An HTTP request that is no upgrade, or a flow that opens with something else.
        let d = Detect {
            held: [held(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"), Held::default()],
            ..Default::default()
        };
        assert!(matches!(detect(&d, true, false, &opts), Verdict::NotWs));
        let d = Detect {
            held: [held(b"SSH-2.0-OpenSSH_9.2\r\n"), Held::default()],
            ..Default::default()
        };
        assert!(matches!(detect(&d, true, false, &opts), Verdict::NotWs));
    }

    #[test]
    fn frames_without_a_start() {
        let opts = CaptureOptions::default();
        let mut bytes = b"lo, world".to_vec(); // the end of a frame whose start was lost
        for i in 0..RESYNC_FRAMES {
            bytes.extend(client_frame(1, format!("message {i}").as_bytes()));
        }
        let d = Detect {
            held: [held(&bytes), Held::default()],
            gapped: true,
            ..Default::default()
        };
        match detect(&d, true, false, &opts) {
            Verdict::Resync { side: 0, hit } => {
                assert_eq!(hit.offset, 9);
                assert_eq!(hit.role, Role::Server);
            }
            _ => panic!("expected a resynchronisation point"),
        }
    }
}
