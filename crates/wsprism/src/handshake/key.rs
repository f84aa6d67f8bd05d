//! The `Sec-WebSocket-Key` and its `Sec-WebSocket-Accept` value (RFC 6455 §1.3, §4.1, §4.2.2).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha1::{Digest, Sha1};

/// The GUID of RFC 6455 §1.3, appended to the key before hashing.
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// `base64(SHA-1(key + GUID))`.
pub fn accept_key(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(GUID.as_bytes());
    B64.encode(h.finalize())
}

/// The intermediate values of [`accept_key`], for teaching: the concatenation, the SHA-1 digest
/// in hex, and the base64 result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AcceptSteps {
    /// `key + GUID`.
    pub concatenated: String,
    /// SHA-1 of that, 40 hex digits.
    pub sha1_hex: String,
    /// base64 of the 20 digest bytes: the `Sec-WebSocket-Accept` value.
    pub accept: String,
}

/// [`accept_key`] with every step shown.
pub fn accept_key_steps(key: &str) -> AcceptSteps {
    let concatenated = format!("{key}{GUID}");
    let digest = Sha1::digest(concatenated.as_bytes());
    AcceptSteps {
        sha1_hex: digest.iter().map(|b| format!("{b:02x}")).collect(),
        accept: B64.encode(digest),
        concatenated,
    }
}

/// Encodes 16 random bytes as a `Sec-WebSocket-Key`.
pub fn key_from_bytes(bytes: [u8; 16]) -> String {
    B64.encode(bytes)
}

/// A fresh random `Sec-WebSocket-Key`.
#[cfg(feature = "getrandom")]
pub fn generate_key() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)?;
    Ok(key_from_bytes(b))
}

/// True if `key` is the base64 encoding of exactly 16 bytes (RFC 6455 §4.1, item 7).
pub fn is_valid_key(key: &str) -> bool {
    key.len() == 24 && matches!(B64.decode(key), Ok(v) if v.len() == 16)
}
