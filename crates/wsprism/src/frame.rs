//! The frame header (RFC 6455 §5.2): parsing, encoding and the per-frame rules.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! ```
//!
//! [`parse_header`] never fails: it reads whatever the bytes say (so [`crate::inspect`] can report
//! malformed frames). [`check_header`] applies the rules, and the decoder stops at the first
//! violation it returns.

use crate::error::ProtocolErrorKind;

/// The longest possible header: 2 + 8 (64-bit length) + 4 (masking key).
pub const MAX_HEADER_LEN: usize = 14;

/// The largest payload a control frame may carry.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// The opcodes RFC 6455 defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum OpCode {
    /// 0x0: continues a fragmented message.
    Continuation,
    /// 0x1: a UTF-8 text message.
    Text,
    /// 0x2: a binary message.
    Binary,
    /// 0x8: closes the connection.
    Close,
    /// 0x9: a ping.
    Ping,
    /// 0xA: a pong.
    Pong,
}

impl OpCode {
    /// The 4-bit value on the wire.
    pub const fn as_u8(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
        }
    }

    /// The opcode for a 4-bit value, or `None` for the reserved ones.
    pub const fn from_u8(v: u8) -> Option<OpCode> {
        Some(match v {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            _ => return None,
        })
    }

    /// True for close, ping and pong (opcodes with the high bit set).
    pub const fn is_control(self) -> bool {
        self.as_u8() & 0x8 != 0
    }

    /// A human name: `continuation`, `text`, `binary`, `close`, `ping`, `pong`.
    pub const fn name(self) -> &'static str {
        match self {
            OpCode::Continuation => "continuation",
            OpCode::Text => "text",
            OpCode::Binary => "binary",
            OpCode::Close => "close",
            OpCode::Ping => "ping",
            OpCode::Pong => "pong",
        }
    }
}

/// A human name for any 4-bit opcode, including reserved ones.
pub fn opcode_name(v: u8) -> &'static str {
    match OpCode::from_u8(v) {
        Some(op) => op.name(),
        None if v & 0x8 != 0 => "reserved control",
        None => "reserved non-control",
    }
}

/// A parsed frame header, exactly as the bytes state it (not yet checked against the rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// FIN: this is the final fragment of a message.
    pub fin: bool,
    /// RSV1 (used by permessage-deflate for "compressed").
    pub rsv1: bool,
    /// RSV2.
    pub rsv2: bool,
    /// RSV3.
    pub rsv3: bool,
    /// The raw 4-bit opcode (reserved values included).
    pub opcode: u8,
    /// The masking key, if the MASK bit is set.
    pub mask: Option<[u8; 4]>,
    /// The payload length.
    pub payload_len: u64,
    /// How the length was encoded: 0 (7-bit), 2 (16-bit) or 8 (64-bit extended length bytes).
    pub len_width: u8,
}

impl FrameHeader {
    /// The number of header bytes this header occupies on the wire.
    pub const fn len(&self) -> usize {
        2 + self.len_width as usize + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Never true: a header is at least 2 bytes (provided for clippy's `len_without_is_empty`).
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// The opcode, if it is not reserved.
    pub const fn opcode(&self) -> Option<OpCode> {
        OpCode::from_u8(self.opcode)
    }

    /// True if the opcode's high bit is set (close, ping, pong and reserved control opcodes).
    pub const fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }
}

/// The outcome of an incremental parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed<T> {
    /// Parsed `value` from the first `len` bytes.
    Complete {
        /// The parsed value.
        value: T,
        /// Bytes consumed.
        len: usize,
    },
    /// At least this many more bytes are needed.
    NeedMore(usize),
}

/// Parses a frame header from the start of `buf`. Never fails: any 2-14 bytes form some header.
/// Returns [`Parsed::NeedMore`] with the number of missing bytes when `buf` is too short.
#[inline]
pub fn parse_header(buf: &[u8]) -> Parsed<FrameHeader> {
    let Some(&[b0, b1]) = buf.first_chunk::<2>() else {
        return Parsed::NeedMore(2 - buf.len());
    };
    let masked = b1 & 0x80 != 0;
    let len7 = b1 & 0x7f;
    let len_width: u8 = match len7 {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let total = 2 + len_width as usize + if masked { 4 } else { 0 };
    if buf.len() < total {
        return Parsed::NeedMore(total - buf.len());
    }
    let rest = buf.get(2..).unwrap_or_default();
    let (payload_len, rest) = match len_width {
        2 => match rest.split_first_chunk::<2>() {
            Some((b, r)) => (u64::from(u16::from_be_bytes(*b)), r),
            None => return Parsed::NeedMore(total - buf.len()),
        },
        8 => match rest.split_first_chunk::<8>() {
            Some((b, r)) => (u64::from_be_bytes(*b), r),
            None => return Parsed::NeedMore(total - buf.len()),
        },
        _ => (u64::from(len7), rest),
    };
    let mask = if masked {
        match rest.first_chunk::<4>() {
            Some(k) => Some(*k),
            None => return Parsed::NeedMore(total - buf.len()),
        }
    } else {
        None
    };
    Parsed::Complete {
        value: FrameHeader {
            fin: b0 & 0x80 != 0,
            rsv1: b0 & 0x40 != 0,
            rsv2: b0 & 0x20 != 0,
            rsv3: b0 & 0x10 != 0,
            opcode: b0 & 0x0f,
            mask,
            payload_len,
            len_width,
        },
        len: total,
    }
}

/// Which side of the connection is *receiving* the frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Role {
    /// We are the server: frames we receive must be masked.
    #[default]
    Server,
    /// We are the client: frames we receive must not be masked.
    Client,
}

/// The connection state a header is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeaderContext {
    /// The receiving side.
    pub role: Role,
    /// permessage-deflate was negotiated, so RSV1 may mark the first frame of a data message.
    pub rsv1_allowed: bool,
    /// A fragmented data message is in progress (its first frame arrived without FIN).
    pub in_message: bool,
    /// Frames larger than this fail with 1009.
    pub max_frame_size: u64,
}

/// Checks one header against RFC 6455 §5 (and RFC 7692 §6.1 for RSV1), calling `violation` for
/// each rule it breaks, in wire order. The decoder stops at the first; inspection reports all.
pub fn check_header(
    h: &FrameHeader,
    cx: &HeaderContext,
    mut violation: impl FnMut(ProtocolErrorKind),
) {
    let op = h.opcode();
    if h.rsv2 || h.rsv3 {
        violation(ProtocolErrorKind::UnexpectedRsv23);
    }
    if h.rsv1 && !(cx.rsv1_allowed && matches!(op, Some(OpCode::Text | OpCode::Binary))) {
        violation(ProtocolErrorKind::UnexpectedRsv1);
    }
    match op {
        None => violation(ProtocolErrorKind::ReservedOpcode(h.opcode)),
        Some(OpCode::Continuation) if !cx.in_message => {
            violation(ProtocolErrorKind::UnexpectedContinuation)
        }
        Some(o @ (OpCode::Text | OpCode::Binary)) if cx.in_message => {
            violation(ProtocolErrorKind::ExpectedContinuation(o.as_u8()))
        }
        _ => {}
    }
    match (cx.role, h.mask.is_some()) {
        (Role::Server, false) => violation(ProtocolErrorKind::ExpectedMask),
        (Role::Client, true) => violation(ProtocolErrorKind::UnexpectedMask),
        _ => {}
    }
    match h.len_width {
        2 if h.payload_len < 126 => violation(ProtocolErrorKind::NonMinimalLength {
            len: h.payload_len,
            width: 2,
        }),
        8 if h.payload_len >> 63 != 0 => violation(ProtocolErrorKind::LengthTopBit),
        8 if h.payload_len <= 0xffff => violation(ProtocolErrorKind::NonMinimalLength {
            len: h.payload_len,
            width: 8,
        }),
        _ => {}
    }
    if h.is_control() {
        if !h.fin {
            violation(ProtocolErrorKind::FragmentedControl(h.opcode));
        }
        if h.payload_len > MAX_CONTROL_PAYLOAD as u64 {
            violation(ProtocolErrorKind::ControlTooLong(h.payload_len));
        }
    } else if h.payload_len > cx.max_frame_size && h.payload_len >> 63 == 0 {
        violation(ProtocolErrorKind::FrameTooBig {
            len: h.payload_len,
            max: cx.max_frame_size,
        });
    }
}

/// Writes a frame header into `out` and returns its length (2 to 14 bytes). The length is
/// always minimally encoded. `opcode` must fit in 4 bits (higher bits are dropped).
#[inline]
pub fn encode_header(
    out: &mut [u8; MAX_HEADER_LEN],
    fin: bool,
    rsv1: bool,
    opcode: u8,
    mask: Option<[u8; 4]>,
    payload_len: u64,
) -> usize {
    encode_header_bits(out, fin, [rsv1, false, false], opcode, mask, payload_len)
}

/// Like [`encode_header`], with all three RSV bits (for building deliberately unusual frames).
pub fn encode_header_bits(
    out: &mut [u8; MAX_HEADER_LEN],
    fin: bool,
    rsv: [bool; 3],
    opcode: u8,
    mask: Option<[u8; 4]>,
    payload_len: u64,
) -> usize {
    let [rsv1, rsv2, rsv3] = rsv;
    let b0 = (u8::from(fin) << 7)
        | (u8::from(rsv1) << 6)
        | (u8::from(rsv2) << 5)
        | (u8::from(rsv3) << 4)
        | (opcode & 0x0f);
    let mbit = if mask.is_some() { 0x80 } else { 0 };
    let (len7, ext): (u8, &[u8]) = if payload_len < 126 {
        (payload_len as u8, &[])
    } else if payload_len <= 0xffff {
        (126, &(payload_len as u16).to_be_bytes()[..])
    } else {
        (127, &payload_len.to_be_bytes()[..])
    };
    // A tiny fixed-size write: build it in a local array and copy, so no indexing can fail.
    let mut tmp = [0u8; MAX_HEADER_LEN];
    let mut n = 0;
    for b in [b0, mbit | len7]
        .iter()
        .chain(ext)
        .chain(mask.as_ref().map(|m| &m[..]).unwrap_or_default())
    {
        if let Some(slot) = tmp.get_mut(n) {
            *slot = *b;
            n += 1;
        }
    }
    *out = tmp;
    n
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn complete(b: &[u8]) -> (FrameHeader, usize) {
        match parse_header(b) {
            Parsed::Complete { value, len } => (value, len),
            Parsed::NeedMore(n) => panic!("need {n}"),
        }
    }

    fn violations(b: &[u8], cx: HeaderContext) -> Vec<ProtocolErrorKind> {
        let (h, _) = complete(b);
        let mut v = vec![];
        check_header(&h, &cx, |k| v.push(k));
        v
    }

    const CLIENT: HeaderContext = HeaderContext {
        role: Role::Client,
        rsv1_allowed: false,
        in_message: false,
        max_frame_size: u64::MAX >> 1,
    };

    #[test]
    fn rfc_masked_hello_header() {
        let (h, n) = complete(&hex("818537fa213d7f9f4d5158"));
        assert_eq!(n, 6);
        assert!(h.fin && !h.rsv1 && !h.rsv2 && !h.rsv3);
        assert_eq!(h.opcode(), Some(OpCode::Text));
        assert_eq!(h.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!(h.payload_len, 5);
    }

    #[test]
    fn need_more_counts_missing_bytes() {
        assert_eq!(parse_header(&[]), Parsed::NeedMore(2));
        assert_eq!(parse_header(&[0x81]), Parsed::NeedMore(1));
        assert_eq!(parse_header(&[0x81, 0x85]), Parsed::NeedMore(4));
        assert_eq!(parse_header(&[0x82, 0x7e]), Parsed::NeedMore(2));
        assert_eq!(parse_header(&[0x82, 0x7f, 0]), Parsed::NeedMore(7));
        assert_eq!(
            parse_header(&[0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0]),
            Parsed::NeedMore(4)
        );
    }

    #[test]
    fn length_forms() {
        let (h, n) = complete(&hex("827e0100"));
        assert_eq!((h.payload_len, h.len_width, n), (256, 2, 4));
        let (h, n) = complete(&hex("827f0000000000010000"));
        assert_eq!((h.payload_len, h.len_width, n), (65536, 8, 10));
        let (h, _) = complete(&hex("827f0000000011223344"));
        assert_eq!(h.payload_len, 0x11223344);
    }

    #[test]
    fn non_minimal_lengths_are_protocol_errors() {
        let v = violations(&hex("817e0005"), CLIENT);
        assert_eq!(
            v,
            vec![ProtocolErrorKind::NonMinimalLength { len: 5, width: 2 }]
        );
        let v = violations(&hex("817f000000000000007d"), CLIENT);
        assert_eq!(
            v,
            vec![ProtocolErrorKind::NonMinimalLength { len: 125, width: 8 }]
        );
        let v = violations(&hex("817f000000000000ffff"), CLIENT);
        assert_eq!(
            v,
            vec![ProtocolErrorKind::NonMinimalLength {
                len: 0xffff,
                width: 8
            }]
        );
        assert!(violations(&hex("817e007e"), CLIENT).is_empty());
        assert!(violations(&hex("817f0000000000010000"), CLIENT).is_empty());
    }

    #[test]
    fn top_bit_of_64_bit_length() {
        let v = violations(&hex("827f8000000000000000"), CLIENT);
        assert_eq!(v, vec![ProtocolErrorKind::LengthTopBit]);
    }

    #[test]
    fn rsv_opcode_mask_rules() {
        assert_eq!(
            violations(&hex("c100"), CLIENT),
            vec![ProtocolErrorKind::UnexpectedRsv1]
        );
        assert_eq!(
            violations(&hex("a100"), CLIENT),
            vec![ProtocolErrorKind::UnexpectedRsv23]
        );
        assert_eq!(
            violations(&hex("9100"), CLIENT),
            vec![ProtocolErrorKind::UnexpectedRsv23]
        );
        let deflate = HeaderContext {
            rsv1_allowed: true,
            ..CLIENT
        };
        assert!(violations(&hex("c100"), deflate).is_empty());
        // RSV1 on a control frame or a continuation frame is an error even with deflate.
        assert_eq!(
            violations(&hex("c900"), deflate),
            vec![ProtocolErrorKind::UnexpectedRsv1]
        );
        let mid = HeaderContext {
            in_message: true,
            ..deflate
        };
        assert_eq!(
            violations(&hex("c000"), mid),
            vec![ProtocolErrorKind::UnexpectedRsv1]
        );
        for op in [3u8, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf] {
            let v = violations(&[0x80 | op, 0], CLIENT);
            assert_eq!(
                v,
                vec![ProtocolErrorKind::ReservedOpcode(op)],
                "opcode {op}"
            );
        }
        assert_eq!(
            violations(&hex("8000"), CLIENT),
            vec![ProtocolErrorKind::UnexpectedContinuation]
        );
        let mid = HeaderContext {
            in_message: true,
            ..CLIENT
        };
        assert_eq!(
            violations(&hex("8100"), mid),
            vec![ProtocolErrorKind::ExpectedContinuation(1)]
        );
        assert!(violations(&hex("8000"), mid).is_empty());
        assert!(
            violations(&hex("8900"), mid).is_empty(),
            "control frames may interleave"
        );
        assert_eq!(
            violations(&hex("818001020304"), CLIENT),
            vec![ProtocolErrorKind::UnexpectedMask]
        );
        let server = HeaderContext {
            role: Role::Server,
            ..CLIENT
        };
        assert_eq!(
            violations(&hex("8100"), server),
            vec![ProtocolErrorKind::ExpectedMask]
        );
    }

    #[test]
    fn control_frame_rules() {
        assert_eq!(
            violations(&hex("0900"), CLIENT),
            vec![ProtocolErrorKind::FragmentedControl(9)]
        );
        assert_eq!(
            violations(&hex("897e007e"), CLIENT),
            vec![ProtocolErrorKind::ControlTooLong(126)]
        );
        assert!(violations(&hex("897d"), CLIENT).is_empty());
    }

    #[test]
    fn frame_limit_checked_on_header() {
        let cx = HeaderContext {
            max_frame_size: 1000,
            ..CLIENT
        };
        assert_eq!(
            violations(&hex("827e03e9"), cx),
            vec![ProtocolErrorKind::FrameTooBig {
                len: 1001,
                max: 1000
            }]
        );
        assert!(violations(&hex("827e03e8"), cx).is_empty());
    }

    #[test]
    fn encode_is_minimal_and_roundtrips() {
        for len in [0u64, 1, 125, 126, 127, 0xffff, 0x10000, 1 << 40] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let mut out = [0; MAX_HEADER_LEN];
                let n = encode_header(&mut out, true, false, 2, mask, len);
                let (h, m) = complete(&out[..n]);
                assert_eq!(m, n);
                assert_eq!(h.payload_len, len);
                assert_eq!(h.mask, mask);
                assert!(violations(
                    &out[..n],
                    HeaderContext {
                        role: if mask.is_some() {
                            Role::Server
                        } else {
                            Role::Client
                        },
                        ..CLIENT
                    }
                )
                .is_empty());
            }
        }
        let mut out = [0; MAX_HEADER_LEN];
        let n = encode_header(&mut out, true, false, 1, Some([0x37, 0xfa, 0x21, 0x3d]), 5);
        assert_eq!(&out[..n], &hex("818537fa213d")[..]);
    }
}
