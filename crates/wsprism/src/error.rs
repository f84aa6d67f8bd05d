//! Typed errors.
//!
//! Three families, because they have three different audiences:
//!
//! - [`ProtocolError`]: the *peer* broke RFC 6455 / RFC 7692. It knows the close code to send
//!   back, the RFC section it enforces, a stable `WS_ERR_*` code (the names the `ws` package uses
//!   where one exists) and the byte offset in the stream where the problem was found.
//! - [`EncodeError`]: the *caller* asked for something that may not be sent (a 126-byte ping, close
//!   code 1005, …), with a stable `code()`; bindings map codes to `RangeError`/`TypeError`.
//! - [`crate::handshake::HandshakeError`]: an HTTP upgrade that must be rejected, with its status.

use std::fmt;

use crate::close::CloseCode;

/// What a peer did wrong. Every variant maps to a close code ([`ProtocolErrorKind::close_code`]),
/// an RFC section ([`ProtocolErrorKind::rfc_section`]) and a stable code string
/// ([`ProtocolErrorKind::code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolErrorKind {
    /// Opcode 0x3-0x7 or 0xB-0xF.
    ReservedOpcode(u8),
    /// A continuation frame arrived with no fragmented message in progress.
    UnexpectedContinuation,
    /// A new text/binary frame arrived while a fragmented message was still in progress.
    ExpectedContinuation(u8),
    /// RSV1 set without a negotiated extension, on a control frame, or on a continuation frame.
    UnexpectedRsv1,
    /// RSV2 or RSV3 set (no extension defines them).
    UnexpectedRsv23,
    /// A control frame with FIN clear.
    FragmentedControl(u8),
    /// A control frame with a payload longer than 125 bytes.
    ControlTooLong(u64),
    /// A payload length that was not encoded in the smallest possible form.
    NonMinimalLength {
        /// The declared length.
        len: u64,
        /// Bytes of extended length used (2 or 8).
        width: u8,
    },
    /// A 64-bit payload length with its most significant bit set.
    LengthTopBit,
    /// The server received an unmasked frame.
    ExpectedMask,
    /// The client received a masked frame.
    UnexpectedMask,
    /// A frame's declared payload length exceeds the configured maximum.
    FrameTooBig {
        /// Declared length.
        len: u64,
        /// Configured maximum.
        max: u64,
    },
    /// A message's total length (declared, or inflated) exceeds the configured maximum.
    MessageTooBig {
        /// Length reached so far.
        len: u64,
        /// Configured maximum.
        max: u64,
    },
    /// A text message (or a close reason) is not valid UTF-8.
    InvalidUtf8,
    /// A close frame whose payload is exactly one byte long.
    CloseTooShort,
    /// A close frame carrying a status code that may not appear on the wire.
    InvalidCloseCode(u16),
    /// A compressed message whose deflate data is corrupt.
    InvalidCompressedData,
    /// A frame arrived after the peer's close frame.
    DataAfterClose,
    /// A message arrived in more data frames (the first and its continuations, empty ones
    /// included) than [`crate::DecoderConfig::max_fragments`] allows.
    TooManyFragments {
        /// Configured maximum.
        max: u32,
    },
    /// More input chunks ended inside one frame than
    /// [`crate::DecoderConfig::max_buffered_chunks`] allows.
    TooManyBufferedChunks {
        /// Configured maximum.
        max: u32,
    },
}

impl ProtocolErrorKind {
    /// The close code to send to the peer (RFC 6455 §7.4.1).
    pub fn close_code(&self) -> CloseCode {
        use ProtocolErrorKind::*;
        match self {
            FrameTooBig { .. } | MessageTooBig { .. } => CloseCode::MESSAGE_TOO_BIG,
            TooManyFragments { .. } | TooManyBufferedChunks { .. } => CloseCode::POLICY_VIOLATION,
            InvalidUtf8 | InvalidCompressedData => CloseCode::INVALID_PAYLOAD,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }

    /// The RFC section that the peer violated.
    pub fn rfc_section(&self) -> &'static str {
        use ProtocolErrorKind::*;
        match self {
            ReservedOpcode(_) => "RFC 6455 §5.2",
            UnexpectedContinuation | ExpectedContinuation(_) => "RFC 6455 §5.4",
            UnexpectedRsv1 => "RFC 6455 §5.2, RFC 7692 §6.1",
            UnexpectedRsv23 => "RFC 6455 §5.2",
            FragmentedControl(_) | ControlTooLong(_) => "RFC 6455 §5.5",
            NonMinimalLength { .. } | LengthTopBit => "RFC 6455 §5.2",
            ExpectedMask | UnexpectedMask => "RFC 6455 §5.1",
            FrameTooBig { .. } | MessageTooBig { .. } => "RFC 6455 §10.4",
            // Limits of this implementation, as §10.4 allows; 1008 is §7.4.1's policy code.
            TooManyFragments { .. } | TooManyBufferedChunks { .. } => "RFC 6455 §10.4",
            InvalidUtf8 => "RFC 6455 §8.1",
            CloseTooShort => "RFC 6455 §5.5.1",
            InvalidCloseCode(_) => "RFC 6455 §7.4.1",
            InvalidCompressedData => "RFC 7692 §7.2.2",
            DataAfterClose => "RFC 6455 §5.5.1",
        }
    }

    /// A stable, machine-readable code (`WS_ERR_*`), the same names the `ws` package uses where
    /// it has one (`ws`'s `WS_ERR_TOO_MANY_BUFFERED_PARTS` covers both of the fragment and
    /// chunk limits; the engine tells them apart).
    pub fn code(&self) -> &'static str {
        use ProtocolErrorKind::*;
        match self {
            ReservedOpcode(_) | UnexpectedContinuation | ExpectedContinuation(_) => {
                "WS_ERR_INVALID_OPCODE"
            }
            UnexpectedRsv1 => "WS_ERR_UNEXPECTED_RSV_1",
            UnexpectedRsv23 => "WS_ERR_UNEXPECTED_RSV_2_3",
            FragmentedControl(_) => "WS_ERR_EXPECTED_FIN",
            ControlTooLong(_) | CloseTooShort => "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
            NonMinimalLength { .. } => "WS_ERR_NON_MINIMAL_LENGTH",
            LengthTopBit => "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH",
            ExpectedMask => "WS_ERR_EXPECTED_MASK",
            UnexpectedMask => "WS_ERR_UNEXPECTED_MASK",
            FrameTooBig { .. } | MessageTooBig { .. } => "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
            InvalidUtf8 => "WS_ERR_INVALID_UTF8",
            InvalidCloseCode(_) => "WS_ERR_INVALID_CLOSE_CODE",
            InvalidCompressedData => "WS_ERR_INVALID_COMPRESSED_DATA",
            DataAfterClose => "WS_ERR_DATA_AFTER_CLOSE",
            TooManyFragments { .. } => "WS_ERR_TOO_MANY_FRAGMENTS",
            TooManyBufferedChunks { .. } => "WS_ERR_TOO_MANY_BUFFERED_CHUNKS",
        }
    }

    /// A short snake_case name of the error family (`protocol`, `invalid_payload`,
    /// `message_too_big`, `policy_violation`), matching the close code.
    pub fn kind_name(&self) -> &'static str {
        match self.close_code() {
            CloseCode::INVALID_PAYLOAD => "invalid_payload",
            CloseCode::MESSAGE_TOO_BIG => "message_too_big",
            CloseCode::POLICY_VIOLATION => "policy_violation",
            _ => "protocol",
        }
    }
    /// The number the violation is about, for bindings that word errors the way other
    /// libraries do: the opcode (reserved opcode, continuation expected: the opcode received;
    /// unexpected continuation: 0; fragmented control frame), the control payload length (a
    /// one-byte close payload: 1), the close code, the frame/message length over the limit, or
    /// the fragment/chunk limit that was exceeded.
    /// `None` for the other kinds.
    pub fn detail(&self) -> Option<u64> {
        use ProtocolErrorKind::*;
        match self {
            ReservedOpcode(op) | ExpectedContinuation(op) | FragmentedControl(op) => {
                Some(u64::from(*op))
            }
            UnexpectedContinuation => Some(0),
            ControlTooLong(len) => Some(*len),
            CloseTooShort => Some(1),
            InvalidCloseCode(code) => Some(u64::from(*code)),
            FrameTooBig { len, .. } | MessageTooBig { len, .. } => Some(*len),
            TooManyFragments { max } | TooManyBufferedChunks { max } => Some(u64::from(*max)),
            _ => None,
        }
    }
}

impl fmt::Display for ProtocolErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProtocolErrorKind::*;
        match self {
            ReservedOpcode(op) => write!(f, "reserved opcode 0x{op:x}"),
            UnexpectedContinuation => {
                f.write_str("continuation frame without a fragmented message in progress")
            }
            ExpectedContinuation(op) => write!(
                f,
                "new data frame (opcode 0x{op:x}) while a fragmented message is in progress"
            ),
            UnexpectedRsv1 => {
                f.write_str("RSV1 must be clear (no extension negotiated for it on this frame)")
            }
            UnexpectedRsv23 => f.write_str("RSV2 and RSV3 must be clear"),
            FragmentedControl(op) => write!(f, "control frame (opcode 0x{op:x}) with FIN clear"),
            ControlTooLong(len) => {
                write!(
                    f,
                    "control frame payload of {len} bytes (at most 125 allowed)"
                )
            }
            NonMinimalLength { len, width } => write!(
                f,
                "payload length {len} not minimally encoded (used a {}-bit length)",
                u32::from(*width) * 8
            ),
            LengthTopBit => f.write_str("64-bit payload length with the most significant bit set"),
            ExpectedMask => f.write_str("frame from a client must be masked"),
            UnexpectedMask => f.write_str("frame from a server must not be masked"),
            FrameTooBig { len, max } => {
                write!(f, "frame payload of {len} bytes exceeds the limit of {max}")
            }
            MessageTooBig { len, max } => {
                write!(
                    f,
                    "message of at least {len} bytes exceeds the limit of {max}"
                )
            }
            InvalidUtf8 => f.write_str("invalid UTF-8 in a text message or close reason"),
            CloseTooShort => f.write_str("close frame payload of 1 byte (must be 0 or at least 2)"),
            InvalidCloseCode(code) => write!(f, "close code {code} may not be sent on the wire"),
            InvalidCompressedData => f.write_str("invalid permessage-deflate data"),
            DataAfterClose => f.write_str("frame received after a close frame"),
            TooManyFragments { max } => {
                write!(
                    f,
                    "message in more than {max} fragments (the configured limit)"
                )
            }
            TooManyBufferedChunks { max } => write!(
                f,
                "more than {max} input chunks held for one incomplete frame (the configured limit)"
            ),
        }
    }
}

/// A protocol violation by the peer, and where in the byte stream it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// What went wrong.
    pub kind: ProtocolErrorKind,
    /// Byte offset in the stream fed to the decoder (counting from its first byte) at which the
    /// violation was detected: the first byte of the offending frame for header rules, the first
    /// invalid byte for UTF-8.
    pub offset: u64,
}

impl ProtocolError {
    /// Creates an error at `offset`.
    pub fn new(kind: ProtocolErrorKind, offset: u64) -> Self {
        Self { kind, offset }
    }
    /// Shorthand for `self.kind.close_code()`.
    pub fn close_code(&self) -> CloseCode {
        self.kind.close_code()
    }
    /// Shorthand for `self.kind.code()`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
    /// Shorthand for `self.kind.rfc_section()`.
    pub fn rfc_section(&self) -> &'static str {
        self.kind.rfc_section()
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at byte {} ({}, close code {})",
            self.kind,
            self.offset,
            self.kind.rfc_section(),
            self.kind.close_code().0
        )
    }
}

impl std::error::Error for ProtocolError {}

/// A request the caller made that may not be put on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// Opcodes are 4 bits.
    #[error("opcode {0} does not fit in 4 bits (0-15)")]
    OpcodeOutOfRange(u8),
    /// Control frame payloads are limited to 125 bytes (RFC 6455 §5.5).
    #[error("control frame payload of {0} bytes (at most 125 allowed, RFC 6455 §5.5)")]
    ControlTooLong(usize),
    /// Control frames may not be fragmented (RFC 6455 §5.5).
    #[error("control frames must have FIN set (RFC 6455 §5.5)")]
    FragmentedControl,
    /// The close code may not be sent (RFC 6455 §7.4.1).
    #[error(
        "close code {0} may not be sent (valid: 1000-1003, 1007-1014, 3000-4999; RFC 6455 §7.4)"
    )]
    InvalidCloseCode(u16),
    /// A close reason longer than 123 bytes does not fit in a control frame.
    #[error("close reason of {0} bytes (at most 123 bytes of UTF-8, RFC 6455 §5.5.1)")]
    CloseReasonTooLong(usize),
    /// A close reason needs a close code.
    #[error("a close reason requires a close code (RFC 6455 §5.5.1)")]
    ReasonWithoutCode,
    /// Compression was requested but permessage-deflate was not negotiated.
    #[error("compression requested but permessage-deflate is not enabled")]
    CompressionNotNegotiated,
    /// A whole message was sent while a fragmented one is unfinished.
    #[error("a fragmented message is in progress: finish it (fin) before sending another message")]
    MessageInProgress,
    /// Fragment size must be at least 1.
    #[error("fragment size must be at least 1 byte")]
    ZeroFragmentSize,
    /// The compressor failed (should not happen; zlib reports only misuse).
    #[error("deflate failed: {0}")]
    Deflate(String),
    /// The operating system's random number generator failed.
    #[error("no random masking key available: {0}")]
    Random(String),
}

impl EncodeError {
    /// A stable `WS_ERR_*` code (the `ws` package's names where it has one).
    pub fn code(&self) -> &'static str {
        match self {
            EncodeError::OpcodeOutOfRange(_) => "WS_ERR_INVALID_OPCODE",
            EncodeError::ControlTooLong(_) => "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
            EncodeError::FragmentedControl => "WS_ERR_EXPECTED_FIN",
            EncodeError::InvalidCloseCode(_) | EncodeError::ReasonWithoutCode => {
                "WS_ERR_INVALID_CLOSE_CODE"
            }
            EncodeError::CloseReasonTooLong(_) => "WS_ERR_CLOSE_REASON_TOO_LONG",
            EncodeError::CompressionNotNegotiated => "WS_ERR_COMPRESSION_NOT_NEGOTIATED",
            EncodeError::MessageInProgress => "WS_ERR_MESSAGE_IN_PROGRESS",
            EncodeError::ZeroFragmentSize => "WS_ERR_INVALID_FRAGMENT_SIZE",
            EncodeError::Deflate(_) => "WS_ERR_DEFLATE",
            EncodeError::Random(_) => "WS_ERR_RANDOM",
        }
    }
}
