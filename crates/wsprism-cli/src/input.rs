//! Reading input: hex strings, files and stdin.

use crate::UsageError;
use std::io::{IsTerminal, Read};

/// Decodes a hex string. Whitespace anywhere is ignored, and one leading `0x` is allowed.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, UsageError> {
    let digits: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = match digits.as_slice() {
        ['0', 'x' | 'X', rest @ ..] => rest,
        all => all,
    };
    let mut out = Vec::with_capacity(digits.len() / 2);
    let mut pairs = digits.chunks_exact(2);
    for (i, pair) in pairs.by_ref().enumerate() {
        let mut byte = 0u8;
        for &c in pair {
            let Some(v) = c.to_digit(16) else {
                return Err(UsageError(format!(
                    "invalid hex: {c:?} is not a hex digit (near byte {i})"
                )));
            };
            byte = (byte << 4) | (v as u8);
        }
        out.push(byte);
    }
    if !pairs.remainder().is_empty() {
        return Err(UsageError(format!(
            "invalid hex: odd number of digits ({}); every byte needs two",
            digits.len()
        )));
    }
    Ok(out)
}

/// Reads all of stdin as raw bytes. Refuses a terminal unless `explicit` (the user typed `-`),
/// so that a forgotten argument does not hang.
pub fn read_stdin(explicit: bool) -> Result<Vec<u8>, UsageError> {
    let stdin = std::io::stdin();
    if !explicit && stdin.is_terminal() {
        return Err(UsageError(
            "no input: give it as an argument, or `-` to read stdin".into(),
        ));
    }
    let mut buf = Vec::new();
    stdin
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| UsageError(format!("cannot read stdin: {e}")))?;
    Ok(buf)
}

/// Reads a file, or stdin for `-`.
pub fn read_file_or_stdin(path: &str) -> Result<Vec<u8>, UsageError> {
    if path == "-" {
        return read_stdin(true);
    }
    std::fs::read(path).map_err(|e| UsageError(format!("cannot read {path}: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_with_whitespace_and_prefix() {
        assert_eq!(
            parse_hex("81 05\n48\t65").unwrap(),
            [0x81, 0x05, 0x48, 0x65]
        );
        assert_eq!(parse_hex("0x8A00").unwrap(), [0x8a, 0x00]);
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn bad_hex_is_refused() {
        assert!(parse_hex("810").unwrap_err().0.contains("odd number"));
        assert!(parse_hex("81zz").unwrap_err().0.contains("'z'"));
        assert!(parse_hex("81:05").is_err());
    }
}
