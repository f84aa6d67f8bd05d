//! Field-by-field reports of frames and byte streams, for teaching and debugging.
//!
//! Unlike the [`Decoder`], inspection does not stop at the first violation: it keeps walking
//! frames and lists every rule each one breaks, with its RFC section. The stream report also
//! runs the real decoder over the same bytes, so its `messages` and `error` are exactly what a
//! connection would see — the rules live once, in [`crate::frame::check_header`] and the decoder.

use crate::close::{close_code_meaning, parse_close_payload};
use crate::decoder::{
    Decoder, DecoderConfig, Event, DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_MESSAGE_SIZE,
};
use crate::deflate::DeflateParams;
use crate::error::{ProtocolError, ProtocolErrorKind};
use crate::frame::{
    check_header, opcode_name, parse_header, FrameHeader, HeaderContext, Parsed, Role,
};
use crate::mask::apply_mask;
use crate::utf8::is_valid_utf8;

/// What to inspect the bytes as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct InspectOptions {
    /// The receiving side (`server` expects masked frames).
    pub role: Role,
    /// permessage-deflate parameters, if the connection negotiated it.
    pub deflate: Option<DeflateParams>,
    /// Frame size limit (as in [`DecoderConfig`]).
    pub max_frame_size: u64,
    /// Message size limit (as in [`DecoderConfig`]).
    pub max_message_size: u64,
}

impl Default for InspectOptions {
    fn default() -> Self {
        Self {
            role: Role::Server,
            deflate: None,
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        }
    }
}

/// One header field or the payload, located bit by bit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Field {
    /// Field name as in RFC 6455 §5.2 (`FIN`, `RSV1`, `opcode`, `MASK`, `Payload len`, …).
    pub name: &'static str,
    /// Offset of the first bit, from the start of the frame.
    pub bit_offset: u64,
    /// Width in bits.
    pub bit_width: u64,
    /// Absolute byte offset (in the inspected bytes) of the field's first byte.
    pub byte_offset: u64,
    /// The raw value: bits as `0`/`1` for fields under 8 bits and for the 7-bit length,
    /// hex for the others.
    pub raw: String,
    /// The decoded value in words.
    pub value: String,
}

/// A rule a frame breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Violation {
    /// `WS_ERR_*` code.
    pub code: &'static str,
    /// Family: `protocol`, `invalid_payload`, `message_too_big`.
    pub kind: &'static str,
    /// The close code an endpoint answers with.
    pub close_code: u16,
    /// The RFC section.
    pub rfc_section: &'static str,
    /// What is wrong.
    pub message: String,
    /// Byte offset where it was found.
    pub offset: u64,
}

impl Violation {
    fn new(kind: &ProtocolErrorKind, offset: u64) -> Self {
        Self {
            code: kind.code(),
            kind: kind.kind_name(),
            close_code: kind.close_code().into(),
            rfc_section: kind.rfc_section(),
            message: kind.to_string(),
            offset,
        }
    }
}

impl From<&ProtocolError> for Violation {
    fn from(e: &ProtocolError) -> Self {
        Self::new(&e.kind, e.offset)
    }
}

/// Everything about one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FrameReport {
    /// Byte offset of the frame in the inspected bytes.
    pub offset: u64,
    /// Header length in bytes (2-14).
    pub header_len: usize,
    /// True if the whole payload is present.
    pub complete: bool,
    /// FIN bit.
    pub fin: bool,
    /// RSV1 bit (compressed, with permessage-deflate).
    pub rsv1: bool,
    /// RSV2 bit.
    pub rsv2: bool,
    /// RSV3 bit.
    pub rsv3: bool,
    /// 4-bit opcode.
    pub opcode: u8,
    /// `text`, `binary`, `close`, `ping`, `pong`, `continuation`, or `reserved …`.
    pub opcode_name: &'static str,
    /// MASK bit.
    pub masked: bool,
    /// The masking key in hex, if masked.
    pub masking_key: Option<String>,
    /// Declared payload length.
    pub payload_len: u64,
    /// Payload bytes present in the input (less than `payload_len` if cut off).
    pub payload_available: u64,
    /// Payload as sent (masked, if masked), hex.
    pub masked_payload_hex: Option<String>,
    /// Payload after unmasking, hex.
    pub payload_hex: String,
    /// Payload as text, if it is valid UTF-8 (any opcode).
    pub text: Option<String>,
    /// For close frames with at least 2 payload bytes: the status code.
    pub close_code: Option<u16>,
    /// Its registered meaning.
    pub close_code_meaning: Option<&'static str>,
    /// For close frames: the reason (lossy UTF-8).
    pub close_reason: Option<String>,
    /// Header fields and the payload, bit by bit.
    pub fields: Vec<Field>,
    /// Every rule this frame breaks, in wire order.
    pub violations: Vec<Violation>,
}

/// A message the decoder produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageReport {
    /// 1 (text) or 2 (binary).
    pub opcode: u8,
    /// Length in bytes (after reassembly and decompression).
    pub length: usize,
    /// The bytes, hex.
    pub data_hex: String,
    /// The text, for text messages.
    pub text: Option<String>,
}

/// A control frame the decoder produced, in order with the messages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EventReport {
    /// `message`, `ping`, `pong` or `close`.
    pub kind: &'static str,
    /// Index in `messages` for a message.
    pub message: Option<usize>,
    /// Payload hex for control frames.
    pub payload_hex: Option<String>,
    /// Close code (for `close`).
    pub close_code: Option<u16>,
    /// Close reason (for `close`).
    pub close_reason: Option<String>,
}

/// The first protocol error the decoder hit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ErrorReport {
    /// Close code.
    pub close_code: u16,
    /// Family: `protocol`, `invalid_payload`, `message_too_big`.
    pub kind: &'static str,
    /// `WS_ERR_*`.
    pub code: &'static str,
    /// The RFC section.
    pub rfc_section: &'static str,
    /// Description.
    pub message: String,
    /// Byte offset.
    pub offset: u64,
}

impl From<&ProtocolError> for ErrorReport {
    fn from(e: &ProtocolError) -> Self {
        Self {
            close_code: e.close_code().into(),
            kind: e.kind.kind_name(),
            code: e.code(),
            rfc_section: e.rfc_section(),
            message: e.kind.to_string(),
            offset: e.offset,
        }
    }
}

/// Everything about a byte stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StreamReport {
    /// Every frame, including those after a violation.
    pub frames: Vec<FrameReport>,
    /// The messages the decoder delivered (before its first error).
    pub messages: Vec<MessageReport>,
    /// Messages, pings, pongs and closes in the order the decoder delivered them.
    pub events: Vec<EventReport>,
    /// The decoder's first error, if any.
    pub error: Option<ErrorReport>,
    /// What the decoder is still waiting for at the end of the bytes, if anything.
    pub waiting_for: Option<String>,
    /// Index of the frame the decoder's error belongs to (`frames[..i]` decoded cleanly).
    pub error_frame: Option<usize>,
}

/// Lower-case hex of `b`.
pub fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(char::from_digit(u32::from(x >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(x & 15), 16).unwrap_or('0'));
    }
    s
}

fn bits(v: u64, width: u32) -> String {
    (0..width)
        .rev()
        .map(|i| if (v >> i) & 1 == 1 { '1' } else { '0' })
        .collect()
}

fn fields(h: &FrameHeader, offset: u64, wire_payload: &[u8]) -> Vec<Field> {
    let yes = |b: bool| if b { "1 (set)" } else { "0 (clear)" }.to_string();
    let f = |name, bit_offset: u64, bit_width: u64, raw: String, value: String| Field {
        name,
        bit_offset,
        bit_width,
        byte_offset: offset + bit_offset / 8,
        raw,
        value,
    };
    let len7 = match h.len_width {
        2 => 126,
        8 => 127,
        _ => h.payload_len,
    };
    let mut v = vec![
        f(
            "FIN",
            0,
            1,
            bits(u64::from(h.fin), 1),
            if h.fin {
                "1 (final fragment)".into()
            } else {
                "0 (more fragments follow)".into()
            },
        ),
        f("RSV1", 1, 1, bits(u64::from(h.rsv1), 1), yes(h.rsv1)),
        f("RSV2", 2, 1, bits(u64::from(h.rsv2), 1), yes(h.rsv2)),
        f("RSV3", 3, 1, bits(u64::from(h.rsv3), 1), yes(h.rsv3)),
        f(
            "opcode",
            4,
            4,
            bits(u64::from(h.opcode), 4),
            format!("0x{:x} ({})", h.opcode, opcode_name(h.opcode)),
        ),
        f(
            "MASK",
            8,
            1,
            bits(u64::from(h.mask.is_some()), 1),
            yes(h.mask.is_some()),
        ),
        f(
            "Payload len",
            9,
            7,
            bits(len7, 7),
            match h.len_width {
                2 => "126 (16-bit length follows)".into(),
                8 => "127 (64-bit length follows)".into(),
                _ => format!("{} bytes", h.payload_len),
            },
        ),
    ];
    let mut bit = 16u64;
    if h.len_width > 0 {
        let w = u64::from(h.len_width) * 8;
        let raw = if h.len_width == 2 {
            format!("{:04x}", h.payload_len)
        } else {
            format!("{:016x}", h.payload_len)
        };
        v.push(f(
            "Extended payload length",
            bit,
            w,
            raw,
            format!("{} bytes", h.payload_len),
        ));
        bit += w;
    }
    if let Some(k) = h.mask {
        v.push(f("Masking-key", bit, 32, hex(&k), hex(&k)));
        bit += 32;
    }
    v.push(f(
        "Payload data",
        bit,
        wire_payload.len() as u64 * 8,
        hex(wire_payload),
        format!("{} of {} bytes present", wire_payload.len(), h.payload_len),
    ));
    v
}

/// Walks frames from the start of `bytes`, reporting each one (the walk continues after
/// violations; it stops only when the bytes run out).
fn walk(bytes: &[u8], opts: &InspectOptions) -> Vec<FrameReport> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut in_message = false;
    let mut compressed_msg = false;
    while pos < bytes.len() {
        let rest = bytes.get(pos..).unwrap_or_default();
        let (h, hlen) = match parse_header(rest) {
            Parsed::Complete { value, len } => (value, len),
            Parsed::NeedMore(_) => break,
        };
        let offset = pos as u64;
        let cx = HeaderContext {
            role: opts.role,
            rsv1_allowed: opts.deflate.is_some(),
            in_message,
            max_frame_size: opts.max_frame_size,
        };
        let mut violations = Vec::new();
        check_header(&h, &cx, |k| violations.push(Violation::new(&k, offset)));
        let body = rest.get(hlen..).unwrap_or_default();
        let avail = (h.payload_len.min(body.len() as u64)) as usize;
        let wire = body.get(..avail).unwrap_or_default();
        let mut payload = wire.to_vec();
        if let Some(k) = h.mask {
            apply_mask(&mut payload, k, 0);
        }
        let complete = avail as u64 == h.payload_len;
        let payload_offset = offset + hlen as u64;
        let (mut close_code, mut close_reason) = (None, None);
        if h.opcode == 8 && complete {
            if let Some((c, r)) = payload.split_first_chunk::<2>() {
                close_code = Some(u16::from_be_bytes(*c));
                close_reason = Some(String::from_utf8_lossy(r).into_owned());
            }
            if let Err(k) = parse_close_payload(&payload) {
                violations.push(Violation::new(&k, payload_offset));
            }
        }
        // A whole uncompressed text message in one frame can be judged on its own.
        if h.opcode == 1 && h.fin && !h.rsv1 && complete && !is_valid_utf8(&payload) {
            let at = simdutf8::compat::from_utf8(&payload)
                .err()
                .map_or(0, |e| e.valid_up_to());
            violations.push(Violation::new(
                &ProtocolErrorKind::InvalidUtf8,
                payload_offset + at as u64,
            ));
        }
        let text = if compressed_msg && h.opcode == 0 || h.rsv1 {
            None
        } else {
            std::str::from_utf8(&payload)
                .ok()
                .filter(|t| !t.is_empty() || h.opcode == 1)
                .map(str::to_string)
        };
        match h.opcode {
            1 | 2 => {
                in_message = !h.fin;
                compressed_msg = h.rsv1;
            }
            0 if h.fin => in_message = false,
            _ => {}
        }
        out.push(FrameReport {
            offset,
            header_len: hlen,
            complete,
            fin: h.fin,
            rsv1: h.rsv1,
            rsv2: h.rsv2,
            rsv3: h.rsv3,
            opcode: h.opcode,
            opcode_name: opcode_name(h.opcode),
            masked: h.mask.is_some(),
            masking_key: h.mask.map(|k| hex(&k)),
            payload_len: h.payload_len,
            payload_available: avail as u64,
            masked_payload_hex: h.mask.map(|_| hex(wire)),
            payload_hex: hex(&payload),
            text,
            close_code,
            close_code_meaning: close_code.map(close_code_meaning),
            close_reason,
            fields: fields(&h, offset, wire),
            violations,
        });
        if !complete {
            break;
        }
        pos += hlen + avail;
    }
    out
}

/// Reports the first frame in `bytes` (trailing bytes are ignored). `None` if fewer bytes than
/// a header are present.
pub fn inspect_frame(bytes: &[u8], opts: &InspectOptions) -> Option<FrameReport> {
    let mut frames = walk(bytes, opts);
    if frames.is_empty() {
        return None;
    }
    frames.truncate(1);
    frames.pop()
}

/// Reports every frame in `bytes`, plus what the decoder makes of them: messages, control
/// events, the first error and what it still waits for.
pub fn inspect_stream(bytes: &[u8], opts: &InspectOptions) -> StreamReport {
    let mut frames = walk(bytes, opts);
    let mut dec = Decoder::new(DecoderConfig {
        role: opts.role,
        max_frame_size: opts.max_frame_size,
        max_message_size: opts.max_message_size,
        deflate: opts.deflate,
        ..Default::default()
    });
    let mut copy = bytes.to_vec();
    let mut messages = Vec::new();
    let mut events = Vec::new();
    let mut pos = 0;
    let mut error = None;
    loop {
        match dec.next_event(&mut copy, &mut pos) {
            Ok(Some(ev)) => events.push(match ev {
                Event::Message { text, payload } => {
                    let data = payload.as_slice(&copy);
                    messages.push(MessageReport {
                        opcode: if text { 1 } else { 2 },
                        length: data.len(),
                        data_hex: hex(data),
                        text: if text {
                            Some(String::from_utf8_lossy(data).into_owned())
                        } else {
                            None
                        },
                    });
                    EventReport {
                        kind: "message",
                        message: Some(messages.len() - 1),
                        payload_hex: None,
                        close_code: None,
                        close_reason: None,
                    }
                }
                Event::Ping(p) => EventReport {
                    kind: "ping",
                    message: None,
                    payload_hex: Some(hex(p.as_slice(&copy))),
                    close_code: None,
                    close_reason: None,
                },
                Event::Pong(p) => EventReport {
                    kind: "pong",
                    message: None,
                    payload_hex: Some(hex(p.as_slice(&copy))),
                    close_code: None,
                    close_reason: None,
                },
                Event::Close { code, payload } => {
                    let p = payload.as_slice(&copy);
                    EventReport {
                        kind: "close",
                        message: None,
                        payload_hex: Some(hex(p)),
                        close_code: Some(code.unwrap_or(crate::close::NO_STATUS)),
                        close_reason: Some(
                            String::from_utf8_lossy(p.get(2..).unwrap_or_default()).into_owned(),
                        ),
                    }
                }
            }),
            Ok(None) => break,
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let error_frame = error.as_ref().map(|e| {
        let i = frames
            .iter()
            .position(|f| {
                e.offset
                    < f.offset
                        .saturating_add(f.header_len as u64)
                        .saturating_add(f.payload_len)
            })
            .unwrap_or(frames.len());
        // Make sure the frame lists the decoder's error (e.g. UTF-8 across fragments).
        if let Some(f) = frames.get_mut(i) {
            if !f.violations.iter().any(|v| v.code == e.code()) {
                f.violations.push(Violation::from(e));
            }
        }
        i
    });
    StreamReport {
        frames,
        messages,
        events,
        error: error.as_ref().map(ErrorReport::from),
        waiting_for: if error.is_none() && dec.is_partial() {
            Some(dec.waiting_for())
        } else {
            None
        },
        error_frame,
    }
}
