//! One direction decoded frame by frame with the engine's [`Decoder`], turned into frame and
//! message records.

use super::*;

/// A frame in progress.
#[derive(Debug)]
pub(super) struct Cur {
    pub(super) h: FrameHeader,
    pub(super) hlen: u64,
    /// Stream offset of its first byte.
    pub(super) start: u64,
    /// Wire bytes seen so far (header included).
    pub(super) seen: u64,
    pub(super) raw: Vec<u8>,
    pub(super) payload: Vec<u8>,
}

impl Cur {
    pub(super) fn total(&self) -> u64 {
        self.hlen.saturating_add(self.h.payload_len)
    }
}

/// One direction being decoded frame by frame.
#[derive(Debug)]
pub(super) struct FrameDecoder {
    pub(super) dec: Decoder,
    /// Stream offset of the decoder's first byte.
    pub(super) base: u64,
    pub(super) hdr: [u8; MAX_HEADER_LEN],
    pub(super) hdr_len: usize,
    /// Stream offset of `hdr[0]`.
    pub(super) hdr_start: u64,
    pub(super) cur: Option<Cur>,
    pub(super) msg_first: u64,
    pub(super) msg_compressed: bool,
    pub(super) scratch: Vec<u8>,
    /// Messages of the frame in progress (kept to reuse the allocation).
    pub(super) pend: Vec<Pending>,
    /// The kept bytes of `pend`'s messages.
    pub(super) kept: Vec<u8>,
    /// The byte buffers of the last frame, reused for the next.
    pub(super) spare: (Vec<u8>, Vec<u8>),
}

/// Buffers up to this capacity are reused from frame to frame.
pub(super) const SPARE_CAP: usize = 1 << 16;

/// A message waiting for its frame to be numbered.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) kind: MessageKind,
    pub(super) length: u64,
    /// Ranges of the decoder's `kept` buffer.
    pub(super) text: Option<Range<usize>>,
    pub(super) data: Range<usize>,
    pub(super) truncated: bool,
    pub(super) close_code: Option<u16>,
    pub(super) close_reason: Option<Range<usize>>,
}

pub(super) fn limit(opts: &CaptureOptions, len: usize) -> usize {
    opts.max_bytes.map_or(len, |m| m.min(len))
}

/// Appends `b` to `out`; returns where it went.
pub(super) fn keep(out: &mut Vec<u8>, b: &[u8]) -> Range<usize> {
    let start = out.len();
    out.extend_from_slice(b);
    start..out.len()
}

/// `bytes` cut to `max_bytes` (appended to `out`: its range), and whether it was cut.
pub(super) fn cut(opts: &CaptureOptions, bytes: &[u8], out: &mut Vec<u8>) -> (Range<usize>, bool) {
    let n = limit(opts, bytes.len());
    (
        keep(out, bytes.get(..n).unwrap_or_default()),
        n < bytes.len(),
    )
}

/// UTF-8 text (validated by the decoder) at `from` in `bytes`, cut to at most `max_bytes` on a
/// character boundary: its range in `out` (inside the kept `data` when it is there, appended
/// otherwise), and whether it was cut. Only the kept prefix is looked at.
pub(super) fn cut_text(
    opts: &CaptureOptions,
    bytes: &[u8],
    from: usize,
    data: &Range<usize>,
    out: &mut Vec<u8>,
) -> (Range<usize>, bool) {
    let b = bytes.get(from..).unwrap_or_default();
    let mut n = limit(opts, b.len());
    while n > 0 && n < b.len() && b.get(n).is_some_and(|c| c & 0xc0 == 0x80) {
        n -= 1;
    }
    let range = if from + n <= data.len() {
        data.start + from..data.start + from + n
    } else {
        keep(out, b.get(..n).unwrap_or_default())
    };
    (range, n < b.len())
}

/// The bytes at `r` of `kept`.
pub(super) fn bytes_at<'a>(kept: &'a [u8], r: Option<&Range<usize>>) -> Option<&'a [u8]> {
    Some(kept.get(r?.clone()).unwrap_or_default())
}

impl FrameDecoder {
    pub(super) fn new(cfg: DecoderConfig, base: u64) -> Self {
        Self {
            dec: Decoder::new(cfg),
            base,
            hdr: [0; MAX_HEADER_LEN],
            hdr_len: 0,
            hdr_start: base,
            cur: None,
            msg_first: 0,
            msg_compressed: false,
            scratch: Vec::new(),
            pend: Vec::new(),
            kept: Vec::new(),
            spare: (Vec::new(), Vec::new()),
        }
    }

    /// Decodes `bytes` (at stream offset `off`). Returns false once a protocol error stopped
    /// the direction.
    pub(super) fn feed(
        &mut self,
        bytes: &[u8],
        off: u64,
        time: f64,
        dir: Direction,
        cx: &mut Cx<'_>,
    ) -> bool {
        self.scratch.clear();
        self.scratch.extend_from_slice(bytes);
        let len = bytes.len();
        let mut pos = 0usize;
        while pos < len {
            if self.cur.is_none() {
                let mut tmp = [0u8; MAX_HEADER_LEN];
                let have = self.hdr_len;
                let n = (MAX_HEADER_LEN - have).min(len - pos);
                if let (Some(d), Some(s)) = (tmp.get_mut(..have), self.hdr.get(..have)) {
                    d.copy_from_slice(s);
                }
                if let (Some(d), Some(s)) = (tmp.get_mut(have..have + n), bytes.get(pos..pos + n)) {
                    d.copy_from_slice(s);
                }
                if have == 0 {
                    self.hdr_start = off + pos as u64;
                }
                match parse_header(tmp.get(..have + n).unwrap_or_default()) {
                    Parsed::Complete { value, len: hlen } => {
                        let (mut raw, mut payload) = std::mem::take(&mut self.spare);
                        raw.clear();
                        payload.clear();
                        let keep = limit(cx.opts, have);
                        raw.extend_from_slice(self.hdr.get(..keep).unwrap_or_default());
                        self.cur = Some(Cur {
                            h: value,
                            hlen: hlen as u64,
                            start: self.hdr_start,
                            seen: have as u64,
                            raw,
                            payload,
                        });
                        self.hdr_len = 0;
                    }
                    Parsed::NeedMore(_) => {
                        // A partial header: keep it, and let the decoder keep it too.
                        if let (Some(d), Some(s)) =
                            (self.hdr.get_mut(have..have + n), bytes.get(pos..pos + n))
                        {
                            d.copy_from_slice(s);
                        }
                        self.hdr_len = have + n;
                        let end = pos + n;
                        if !self.run_decoder(pos, end, time, dir, cx, &mut Vec::new()) {
                            return false;
                        }
                        pos = end;
                        continue;
                    }
                }
            }
            let Some(cur) = self.cur.as_mut() else { break };
            let left = cur.total() - cur.seen;
            let piece = (left.min((len - pos) as u64)) as usize;
            let end = pos + piece;
            // Wire bytes, as sent.
            let room = limit(cx.opts, usize::MAX).saturating_sub(cur.raw.len());
            if room > 0 {
                let take = room.min(piece);
                cur.raw
                    .extend_from_slice(bytes.get(pos..pos + take).unwrap_or_default());
            }
            // Unmasked payload: the part of the piece past the header.
            let pay_from = cur.hlen.max(cur.seen);
            let pay_to = cur.seen + piece as u64;
            if pay_to > pay_from {
                let room = limit(cx.opts, usize::MAX).saturating_sub(cur.payload.len());
                let take = room.min((pay_to - pay_from) as usize);
                if take > 0 {
                    let at = pos + (pay_from - cur.seen) as usize;
                    let before = cur.payload.len();
                    cur.payload
                        .extend_from_slice(bytes.get(at..at + take).unwrap_or_default());
                    if let (Some(k), Some(p)) = (cur.h.mask, cur.payload.get_mut(before..)) {
                        apply_mask(p, k, ((pay_from - cur.hlen) % 4) as usize);
                    }
                }
            }
            cur.seen += piece as u64;
            let done = cur.seen == cur.total();
            let mut pend = std::mem::take(&mut self.pend);
            if !self.run_decoder(pos, end, time, dir, cx, &mut pend) {
                return false;
            }
            pos = end;
            // (Events before the frame ends cannot happen; they would be kept anyway.)
            let idx = match self.cur.take() {
                Some(cur) if done => self.emit_frame(cur, time, dir, false, cx),
                other => {
                    self.cur = other;
                    *cx.frames
                }
            };
            if !pend.is_empty() {
                let kept = std::mem::take(&mut self.kept);
                for p in pend.drain(..) {
                    self.emit_message(&p, &kept, idx, time, dir, cx);
                }
                self.kept = kept;
            }
            self.kept.clear();
            self.pend = pend;
        }
        true
    }

    /// Runs the decoder over `scratch[from..to]`, collecting its events. On a protocol error,
    /// reports it (with the partial frame) and returns false.
    pub(super) fn run_decoder(
        &mut self,
        from: usize,
        to: usize,
        time: f64,
        dir: Direction,
        cx: &mut Cx<'_>,
        pend: &mut Vec<Pending>,
    ) -> bool {
        let mut p = from;
        let Some(input) = self.scratch.get_mut(..to) else {
            return true;
        };
        loop {
            match self.dec.next_event(input, &mut p) {
                Ok(Some(ev)) => {
                    if cx.opts.records {
                        pend.push(pending(ev, input, &mut self.kept, cx.opts));
                    } else {
                        *cx.messages += 1;
                    }
                    if p == to && self.dec.at_frame_boundary() {
                        // Everything was consumed: asking again would only say so.
                        return true;
                    }
                }
                Ok(None) => return true,
                Err(e) => {
                    let frame = self
                        .cur
                        .take()
                        .map(|cur| self.emit_frame(cur, time, dir, true, cx));
                    cx.events.push_back(CaptureEvent::Error {
                        conn: cx.id,
                        error: Box::new(ConnectionError {
                            direction: dir,
                            time,
                            frame,
                            stream_offset: self.base + e.offset,
                            code: e.kind.code(),
                            close_code: e.kind.close_code().into(),
                            rfc_section: e.kind.rfc_section(),
                            message: e.kind.to_string(),
                        }),
                    });
                    cx.events.push_back(CaptureEvent::Note {
                        conn: cx.id,
                        note: format!("{} not decoded past the error", dir.name()),
                    });
                    return false;
                }
            }
        }
    }

    pub(super) fn emit_frame(
        &mut self,
        cur: Cur,
        time: f64,
        dir: Direction,
        partial: bool,
        cx: &mut Cx<'_>,
    ) -> u64 {
        let idx = *cx.frames;
        *cx.frames += 1;
        let h = cur.h;
        if matches!(h.opcode, 1 | 2) || h.is_control() {
            self.msg_first = idx;
        }
        if matches!(h.opcode, 1 | 2) {
            self.msg_compressed = h.rsv1;
        }
        if !cx.opts.records {
            return idx;
        }
        let truncated = partial
            || (cur.raw.len() as u64) < cur.total()
            || (cur.payload.len() as u64) < h.payload_len;
        cx.events.frame(
            cx.id,
            &FrameView {
                index: idx,
                direction: dir,
                time,
                stream_offset: cur.start,
                fin: h.fin,
                rsv1: h.rsv1,
                rsv2: h.rsv2,
                rsv3: h.rsv3,
                opcode: h.opcode,
                opcode_name: opcode_name(h.opcode),
                masked: h.mask.is_some(),
                masking_key: h.mask,
                header_len: h.len(),
                payload_len: h.payload_len,
                raw: &cur.raw,
                payload: &cur.payload,
                truncated,
            },
        );
        if cur.raw.capacity() <= SPARE_CAP && cur.payload.capacity() <= SPARE_CAP {
            self.spare = (cur.raw, cur.payload);
        }
        idx
    }

    pub(super) fn emit_message(
        &mut self,
        p: &Pending,
        kept: &[u8],
        frame: u64,
        time: f64,
        dir: Direction,
        cx: &mut Cx<'_>,
    ) {
        let idx = *cx.messages;
        *cx.messages += 1;
        let first = if matches!(p.kind, MessageKind::Text | MessageKind::Binary) {
            self.msg_first
        } else {
            frame
        };
        cx.events.message(
            cx.id,
            &MessageView {
                index: idx,
                direction: dir,
                time,
                kind: p.kind,
                length: p.length,
                compressed: matches!(p.kind, MessageKind::Text | MessageKind::Binary)
                    && self.msg_compressed,
                frames: Some([first, frame]),
                text: bytes_at(kept, p.text.as_ref()),
                data: kept.get(p.data.clone()).unwrap_or_default(),
                truncated: p.truncated,
                close_code: p.close_code,
                close_reason: bytes_at(kept, p.close_reason.as_ref()),
            },
        );
    }

    /// The capture ended (or a gap cut the stream): report the frame in progress, if any.
    pub(super) fn abandon(&mut self, time: f64, dir: Direction, cx: &mut Cx<'_>) -> Option<u64> {
        let cur = self.cur.take()?;
        let at = cur.start;
        self.emit_frame(cur, time, dir, true, cx);
        Some(at)
    }
}

pub(super) fn pending(
    ev: Event,
    input: &[u8],
    kept: &mut Vec<u8>,
    opts: &CaptureOptions,
) -> Pending {
    let (kind, payload) = match &ev {
        Event::Message {
            text: true,
            payload,
        } => (MessageKind::Text, payload),
        Event::Message {
            text: false,
            payload,
        } => (MessageKind::Binary, payload),
        Event::Ping(p) => (MessageKind::Ping, p),
        Event::Pong(p) => (MessageKind::Pong, p),
        Event::Close { payload, .. } => (MessageKind::Close, payload),
    };
    let bytes = payload.as_slice(input);
    let (data, mut truncated) = cut(opts, bytes, kept);
    let mut text = None;
    let (mut close_code, mut close_reason) = (None, None);
    match &ev {
        Event::Message { text: true, .. } => {
            let (t, tr) = cut_text(opts, bytes, 0, &data, kept);
            truncated |= tr;
            text = Some(t);
        }
        Event::Close { code, .. } => {
            close_code = *code;
            if code.is_some() {
                let (t, tr) = cut_text(opts, bytes, 2, &data, kept);
                truncated |= tr;
                text = Some(t.clone());
                close_reason = Some(t);
            }
        }
        _ => {}
    }
    Pending {
        kind,
        length: bytes.len() as u64,
        text,
        data,
        truncated,
        close_code,
        close_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(max_bytes: Option<usize>) -> CaptureOptions {
        CaptureOptions {
            max_bytes,
            ..CaptureOptions::default()
        }
    }

    #[test]
    fn bytes_cut_to_max_bytes() {
        let mut out = Vec::new();
        assert_eq!(cut(&opts(Some(3)), b"abcdef", &mut out), (0..3, true));
        assert_eq!(cut(&opts(None), b"xyz", &mut out), (3..6, false));
        assert_eq!(out, b"abcxyz");
        assert_eq!(bytes_at(&out, Some(&(3..6))), Some(&b"xyz"[..]));
        assert_eq!(bytes_at(&out, None), None);
    }

    #[test]
    fn text_cut_on_a_character_boundary() {
        let text = "aé€".as_bytes(); // 1 + 2 + 3 bytes
        for (max, want) in [(1, "a"), (2, "a"), (3, "aé"), (5, "aé"), (6, "aé€")] {
            let mut out = Vec::new();
            let data = keep(&mut out, text);
            let (r, cut) = cut_text(&opts(Some(max)), text, 0, &data, &mut out);
            assert_eq!(&out[r], want.as_bytes(), "max {max}");
            assert_eq!(cut, want.len() < text.len());
        }
        // A close reason after its 2-byte code, beyond the kept data: appended.
        let payload = [&[0x03, 0xe8][..], "é!".as_bytes()].concat();
        let mut out = Vec::new();
        let data = keep(&mut out, &payload[..1]);
        let (r, cut) = cut_text(&opts(None), &payload, 2, &data, &mut out);
        assert_eq!(&out[r], "é!".as_bytes());
        assert!(!cut);
    }
}
