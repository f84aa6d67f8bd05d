//! Close frames (RFC 6455 §5.5.1, §7.4): status codes and reasons.

use std::fmt;

use crate::error::{EncodeError, ProtocolErrorKind};

/// A close status code (RFC 6455 §7.4), with the registered ones as named constants (the
/// tungstenite / tokio-websockets style). Converts to and from `u16`, and compares with one.
///
/// ```
/// use wsprism::close::CloseCode;
/// assert_eq!(CloseCode::PROTOCOL_ERROR, 1002);
/// assert!(CloseCode::from(4000).is_sendable());
/// assert!(!CloseCode::NO_STATUS.is_sendable());
/// assert_eq!(CloseCode::MESSAGE_TOO_BIG.to_string(), "1009 (message too big)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(transparent))]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: the purpose of the connection was fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: an endpoint is going away (server shutdown, page navigation).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1004: reserved, never sent.
    pub const RESERVED: CloseCode = CloseCode(1004);
    /// 1005: no status code was present. Reported locally, never sent.
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006: closed without a close frame. Reported locally, never sent.
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: data inconsistent with the message type (invalid UTF-8, corrupt deflate data).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a policy was violated.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message (or frame) too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server met an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later.
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014: a gateway got a bad answer upstream.
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// 1015: the TLS handshake failed. Reported locally, never sent.
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// True if the code may appear in a close frame on the wire ([`is_valid_close_code`]).
    pub const fn is_sendable(self) -> bool {
        is_valid_close_code(self.0)
    }

    /// The registered meaning, for humans ([`close_code_meaning`]).
    pub fn meaning(self) -> &'static str {
        close_code_meaning(self.0)
    }
}

impl From<u16> for CloseCode {
    fn from(c: u16) -> Self {
        CloseCode(c)
    }
}

impl From<CloseCode> for u16 {
    fn from(c: CloseCode) -> Self {
        c.0
    }
}

impl From<CloseCode> for u32 {
    fn from(c: CloseCode) -> Self {
        u32::from(c.0)
    }
}

impl From<CloseCode> for u64 {
    fn from(c: CloseCode) -> Self {
        u64::from(c.0)
    }
}

impl PartialEq<CloseCode> for u16 {
    fn eq(&self, other: &CloseCode) -> bool {
        *self == other.0
    }
}

impl PartialEq<u16> for CloseCode {
    fn eq(&self, other: &u16) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.meaning())
    }
}

/// Status 1005 ([`CloseCode::NO_STATUS`]) as a number. Reported locally, never sent.
pub const NO_STATUS: u16 = CloseCode::NO_STATUS.0;
/// Status 1006 ([`CloseCode::ABNORMAL`]) as a number. Reported locally, never sent.
pub const ABNORMAL: u16 = CloseCode::ABNORMAL.0;
/// The longest close reason that fits in a control frame (125 - 2 bytes of status code).
pub const MAX_REASON_LEN: usize = 123;

/// True if `code` may appear in a close frame on the wire: 1000-1003, 1007-1014 and
/// 3000-4999. (1004 is reserved, 1005/1006/1015 are local-only, 0-999, 1016-2999 and 5000+ are
/// not assigned.)
pub const fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// The registered meaning of a close code, for humans.
pub fn close_code_meaning(code: u16) -> &'static str {
    match code {
        1000 => "normal closure",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1004 => "reserved",
        1005 => "no status received (never on the wire)",
        1006 => "abnormal closure (never on the wire)",
        1007 => "invalid frame payload data",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "mandatory extension missing",
        1011 => "internal server error",
        1012 => "service restart",
        1013 => "try again later",
        1014 => "bad gateway",
        1015 => "TLS handshake failure (never on the wire)",
        3000..=3999 => "registered for libraries and frameworks",
        4000..=4999 => "private use",
        _ => "not assigned",
    }
}

/// A parsed close payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseBody<'a> {
    /// The status code, `None` for an empty payload (report it as [`NO_STATUS`]).
    pub code: Option<u16>,
    /// The reason, valid UTF-8, possibly empty.
    pub reason: &'a str,
}

/// Parses and validates a received close payload: empty, or a valid code plus a UTF-8 reason.
pub fn parse_close_payload(payload: &[u8]) -> Result<CloseBody<'_>, ProtocolErrorKind> {
    match payload.split_first_chunk::<2>() {
        None if payload.is_empty() => Ok(CloseBody {
            code: None,
            reason: "",
        }),
        None => Err(ProtocolErrorKind::CloseTooShort),
        Some((code, reason)) => {
            let code = u16::from_be_bytes(*code);
            if !is_valid_close_code(code) {
                return Err(ProtocolErrorKind::InvalidCloseCode(code));
            }
            if !crate::utf8::is_valid_utf8(reason) {
                return Err(ProtocolErrorKind::InvalidUtf8);
            }
            let reason = std::str::from_utf8(reason).map_err(|_| ProtocolErrorKind::InvalidUtf8)?;
            Ok(CloseBody {
                code: Some(code),
                reason,
            })
        }
    }
}

/// Builds a close payload to send. `code: None` gives an empty payload (a reason then is an
/// error).
pub fn encode_close_payload(code: Option<u16>, reason: &str) -> Result<Vec<u8>, EncodeError> {
    match code {
        None if reason.is_empty() => Ok(Vec::new()),
        None => Err(EncodeError::ReasonWithoutCode),
        Some(c) if !is_valid_close_code(c) => Err(EncodeError::InvalidCloseCode(c)),
        Some(_) if reason.len() > MAX_REASON_LEN => {
            Err(EncodeError::CloseReasonTooLong(reason.len()))
        }
        Some(c) => {
            let mut v = Vec::with_capacity(2 + reason.len());
            v.extend_from_slice(&c.to_be_bytes());
            v.extend_from_slice(reason.as_bytes());
            Ok(v)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn validity_table() {
        let valid: Vec<u16> = (0..=u16::MAX).filter(|&c| is_valid_close_code(c)).collect();
        assert_eq!(valid.len(), 4 + 8 + 2000);
        for c in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            assert!(!is_valid_close_code(c), "{c}");
        }
        for c in [1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999] {
            assert!(is_valid_close_code(c), "{c}");
        }
    }

    #[test]
    fn parse() {
        assert_eq!(
            parse_close_payload(&[]).unwrap(),
            CloseBody {
                code: None,
                reason: ""
            }
        );
        assert_eq!(
            parse_close_payload(&[3]),
            Err(ProtocolErrorKind::CloseTooShort)
        );
        assert_eq!(
            parse_close_payload(&[0x03, 0xe8, b'b', b'y', b'e']).unwrap(),
            CloseBody {
                code: Some(1000),
                reason: "bye"
            }
        );
        assert_eq!(
            parse_close_payload(&[0x03, 0xed]),
            Err(ProtocolErrorKind::InvalidCloseCode(1005))
        );
        assert_eq!(
            parse_close_payload(&[0x03, 0xe8, 0xff]),
            Err(ProtocolErrorKind::InvalidUtf8)
        );
    }

    #[test]
    fn encode() {
        assert_eq!(encode_close_payload(None, "").unwrap(), Vec::<u8>::new());
        assert_eq!(
            encode_close_payload(None, "x"),
            Err(EncodeError::ReasonWithoutCode)
        );
        assert_eq!(
            encode_close_payload(Some(1005), ""),
            Err(EncodeError::InvalidCloseCode(1005))
        );
        assert_eq!(
            encode_close_payload(Some(1000), &"a".repeat(124)),
            Err(EncodeError::CloseReasonTooLong(124))
        );
        assert_eq!(
            encode_close_payload(Some(1000), &"a".repeat(123))
                .unwrap()
                .len(),
            125
        );
        assert_eq!(
            encode_close_payload(Some(1000), "bye").unwrap(),
            vec![0x03, 0xe8, b'b', b'y', b'e']
        );
    }
}
