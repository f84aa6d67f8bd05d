//! Where capture events go ([`Emit`]: a queue, a callback, the index), and the borrowed
//! frame and message records they are built from.

use super::*;

/// Where events go: a queue (the pull API), straight to a callback (the push API), or (frames
/// and messages as borrowed views, nothing allocated per record) the capture index.
pub(crate) trait Emit {
    /// Takes one event.
    fn push_back(&mut self, ev: CaptureEvent);

    /// Takes one frame record (by default as an owned [`CaptureEvent::Frame`]).
    fn frame(&mut self, conn: u64, f: &FrameView<'_>) {
        self.push_back(CaptureEvent::Frame {
            conn,
            frame: Box::new(f.owned()),
        });
    }

    /// Takes one message record (by default as an owned [`CaptureEvent::Message`]).
    fn message(&mut self, conn: u64, m: &MessageView<'_>) {
        self.push_back(CaptureEvent::Message {
            conn,
            message: Box::new(m.owned()),
        });
    }
}

/// A frame record with its bytes borrowed: what [`Frame`] holds, before it is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameView<'a> {
    pub index: u64,
    pub direction: Direction,
    pub time: f64,
    pub stream_offset: u64,
    pub fin: bool,
    pub rsv1: bool,
    pub rsv2: bool,
    pub rsv3: bool,
    pub opcode: u8,
    pub opcode_name: &'static str,
    pub masked: bool,
    pub masking_key: Option<[u8; 4]>,
    pub header_len: usize,
    pub payload_len: u64,
    /// The kept wire bytes.
    pub raw: &'a [u8],
    /// The kept unmasked payload.
    pub payload: &'a [u8],
    pub truncated: bool,
}

impl FrameView<'_> {
    pub(crate) fn owned(&self) -> Frame {
        Frame {
            index: self.index,
            direction: self.direction,
            time: self.time,
            stream_offset: self.stream_offset,
            fin: self.fin,
            rsv1: self.rsv1,
            rsv2: self.rsv2,
            rsv3: self.rsv3,
            opcode: self.opcode,
            opcode_name: self.opcode_name,
            masked: self.masked,
            masking_key: self.masking_key.map(MaskKey),
            header_len: self.header_len,
            payload_len: self.payload_len,
            raw_hex: Hex(self.raw.to_vec()),
            payload_hex: Hex(self.payload.to_vec()),
            truncated: self.truncated,
        }
    }
}

impl Frame {
    /// This frame as a view.
    pub(crate) fn view(&self) -> FrameView<'_> {
        FrameView {
            index: self.index,
            direction: self.direction,
            time: self.time,
            stream_offset: self.stream_offset,
            fin: self.fin,
            rsv1: self.rsv1,
            rsv2: self.rsv2,
            rsv3: self.rsv3,
            opcode: self.opcode,
            opcode_name: self.opcode_name,
            masked: self.masked,
            masking_key: self.masking_key.map(|k| k.0),
            header_len: self.header_len,
            payload_len: self.payload_len,
            raw: &self.raw_hex.0,
            payload: &self.payload_hex.0,
            truncated: self.truncated,
        }
    }
}

/// A message record with its bytes borrowed: what [`Message`] holds, before it is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessageView<'a> {
    pub index: u64,
    pub direction: Direction,
    pub time: f64,
    pub kind: MessageKind,
    pub length: u64,
    pub compressed: bool,
    pub frames: Option<[u64; 2]>,
    /// The kept text (UTF-8, validated by the decoder; made a `String` lossily all the same).
    pub text: Option<&'a [u8]>,
    /// The kept data bytes.
    pub data: &'a [u8],
    pub truncated: bool,
    pub close_code: Option<u16>,
    /// The kept close reason (as `text`).
    pub close_reason: Option<&'a [u8]>,
}

impl MessageView<'_> {
    pub(crate) fn owned(&self) -> Message {
        Message {
            index: self.index,
            direction: self.direction,
            time: self.time,
            kind: self.kind,
            length: self.length,
            compressed: self.compressed,
            frames: self.frames,
            text: self.text.map(|t| String::from_utf8_lossy(t).into_owned()),
            data_hex: Hex(self.data.to_vec()),
            truncated: self.truncated,
            close_code: self.close_code,
            close_reason: self
                .close_reason
                .map(|t| String::from_utf8_lossy(t).into_owned()),
        }
    }
}

impl Message {
    /// This message as a view.
    pub(crate) fn view(&self) -> MessageView<'_> {
        MessageView {
            index: self.index,
            direction: self.direction,
            time: self.time,
            kind: self.kind,
            length: self.length,
            compressed: self.compressed,
            frames: self.frames,
            text: self.text.as_deref().map(str::as_bytes),
            data: &self.data_hex.0,
            truncated: self.truncated,
            close_code: self.close_code,
            close_reason: self.close_reason.as_deref().map(str::as_bytes),
        }
    }
}

impl Emit for VecDeque<CaptureEvent> {
    fn push_back(&mut self, ev: CaptureEvent) {
        VecDeque::push_back(self, ev);
    }
}

/// A callback as an [`Emit`].
pub(crate) struct Call<F: FnMut(CaptureEvent)>(pub F);

impl<F: FnMut(CaptureEvent)> Emit for Call<F> {
    fn push_back(&mut self, ev: CaptureEvent) {
        (self.0)(ev);
    }
}

/// `ip:port`, `[v6]:port`.
pub(crate) fn fmt_addr(a: SocketAddr) -> String {
    a.to_string()
}

pub(crate) fn capture_error(
    direction: Direction,
    time: f64,
    stream_offset: u64,
    code: &'static str,
    message: String,
) -> Box<ConnectionError> {
    Box::new(ConnectionError {
        direction,
        time,
        frame: None,
        stream_offset,
        code,
        close_code: 0,
        rfc_section: if code.starts_with("CAPTURE_HANDSHAKE") {
            "RFC 6455 §4"
        } else {
            ""
        },
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_go_to_a_queue_or_a_callback() {
        let note = || CaptureEvent::Note {
            conn: 7,
            note: "n".into(),
        };
        let mut q = VecDeque::new();
        q.push_back(note());
        assert_eq!(q.len(), 1);
        let mut seen = Vec::new();
        Call(|ev| seen.push(ev)).push_back(note());
        assert!(matches!(
            seen.as_slice(),
            [CaptureEvent::Note { conn: 7, .. }]
        ));
    }

    #[test]
    fn errors_and_addresses() {
        let e = capture_error(
            Direction::ClientToServer,
            1.5,
            42,
            "CAPTURE_HANDSHAKE_INVALID",
            "m".into(),
        );
        assert_eq!((e.time, e.stream_offset, e.close_code), (1.5, 42, 0));
        assert_eq!(e.rfc_section, "RFC 6455 §4");
        let e = capture_error(
            Direction::ServerToClient,
            0.0,
            0,
            "CAPTURE_TCP_GAP",
            "m".into(),
        );
        assert_eq!(e.rfc_section, "");
        assert_eq!(fmt_addr("127.0.0.1:80".parse().unwrap()), "127.0.0.1:80");
        assert_eq!(fmt_addr("[::1]:8080".parse().unwrap()), "[::1]:8080");
    }
}
