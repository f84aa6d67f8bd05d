//! Close frames (RFC 6455 §5.5.1, §7.4): status codes and reasons.

use crate::error::{EncodeError, ProtocolErrorKind};

/// Status 1005: "no status code was present". Reported locally, never sent.
pub const NO_STATUS: u16 = 1005;
/// Status 1006: "closed abnormally, without a close frame". Reported locally, never sent.
pub const ABNORMAL: u16 = 1006;
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
