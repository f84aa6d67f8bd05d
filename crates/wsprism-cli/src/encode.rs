//! `wsprism encode`: build one frame and print it in hex.

use crate::input::parse_hex;
use crate::{Outcome, UsageError};
use wsprism::close::encode_close_payload;
use wsprism::encode_frame;
use wsprism::encoder::check_frame;
use wsprism::inspect::hex;
use wsprism::OpCode;

/// Build one WebSocket frame and print it in hex
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Control frames (close, ping, pong and reserved opcodes 0xB-0xF) with more than 125 payload bytes or without FIN are refused (RFC 6455 §5.5, exit status 2) unless --allow-invalid is given. Other rules (RSV bits, reserved opcodes, UTF-8) are not checked: check the result with `wsprism inspect`.\n\nExamples:\n  wsprism encode --opcode text --mask 37fa213d Hello\n  wsprism encode --opcode close --code 1000 --reason bye\n  wsprism encode --opcode binary --hex 'de ad be ef'"
)]
pub struct Args {
    /// text, binary, ping, pong, close, continuation, or a number 0-15
    #[arg(long, value_parser = parse_opcode)]
    opcode: u8,
    /// Mask the payload with this 4-byte key (8 hex digits), as a client must
    #[arg(long, value_name = "HEX", conflicts_with = "mask_random")]
    mask: Option<String>,
    /// Mask the payload with a random key from the operating system
    #[arg(long)]
    mask_random: bool,
    /// Clear the FIN bit (more fragments follow)
    #[arg(long)]
    no_fin: bool,
    /// Set RSV1 (the "compressed" bit of permessage-deflate)
    #[arg(long)]
    rsv1: bool,
    /// Set RSV2
    #[arg(long)]
    rsv2: bool,
    /// Set RSV3
    #[arg(long)]
    rsv3: bool,
    /// PAYLOAD is hex (whitespace allowed) instead of text
    #[arg(long)]
    hex: bool,
    /// Close frames: the status code; the payload is built from --code and --reason
    #[arg(long, value_name = "N", conflicts_with = "payload")]
    code: Option<u16>,
    /// Close frames: the reason (UTF-8, at most 123 bytes)
    #[arg(long, value_name = "TEXT", conflicts_with = "payload")]
    reason: Option<String>,
    /// Build control frames that break RFC 6455 §5.5 (over 125 bytes, or no FIN)
    #[arg(long)]
    allow_invalid: bool,
    /// The payload: text (UTF-8) by default, hex with --hex; empty if omitted
    payload: Option<String>,
}

fn parse_opcode(s: &str) -> Result<u8, String> {
    let named = match s.to_ascii_lowercase().as_str() {
        "continuation" | "cont" => Some(OpCode::Continuation),
        "text" => Some(OpCode::Text),
        "binary" => Some(OpCode::Binary),
        "close" => Some(OpCode::Close),
        "ping" => Some(OpCode::Ping),
        "pong" => Some(OpCode::Pong),
        _ => None,
    };
    if let Some(op) = named {
        return Ok(op.as_u8());
    }
    let n = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u8::from_str_radix(h, 16),
        None => s.parse::<u8>(),
    };
    n.map_err(|_| {
        format!("{s:?} is not text, binary, ping, pong, close, continuation or a number 0-15")
    })
}

fn mask_key(a: &Args) -> Result<Option<[u8; 4]>, UsageError> {
    if let Some(m) = &a.mask {
        let b = parse_hex(m)?;
        let key: [u8; 4] = b.as_slice().try_into().map_err(|_| {
            UsageError(format!(
                "--mask needs exactly 4 bytes (8 hex digits), got {}",
                b.len()
            ))
        })?;
        return Ok(Some(key));
    }
    if a.mask_random {
        let mut key = [0u8; 4];
        getrandom::getrandom(&mut key)
            .map_err(|e| UsageError(format!("no random masking key available: {e}")))?;
        return Ok(Some(key));
    }
    Ok(None)
}

fn payload(a: &Args) -> Result<Vec<u8>, UsageError> {
    if a.code.is_some() || a.reason.is_some() {
        if a.opcode != OpCode::Close.as_u8() {
            return Err(UsageError(
                "--code and --reason are for close frames (--opcode close)".into(),
            ));
        }
        return encode_close_payload(a.code, a.reason.as_deref().unwrap_or(""))
            .map_err(|e| UsageError(e.to_string()));
    }
    match &a.payload {
        None => Ok(Vec::new()),
        Some(p) if a.hex => parse_hex(p),
        Some(p) => Ok(p.as_bytes().to_vec()),
    }
}

/// Runs `encode`.
pub fn run(a: &Args) -> Result<Outcome, UsageError> {
    let payload = payload(a)?;
    let fin = !a.no_fin;
    if !a.allow_invalid {
        check_frame(a.opcode, fin, payload.len())
            .map_err(|e| UsageError(format!("{e}; pass --allow-invalid to build it anyway")))?;
    }
    let mut out = Vec::new();
    encode_frame(
        &mut out,
        fin,
        [a.rsv1, a.rsv2, a.rsv3],
        a.opcode,
        mask_key(a)?,
        &payload,
    )
    .map_err(|e| UsageError(e.to_string()))?;
    println!("{}", hex(&out));
    Ok(Outcome::Valid)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn opcode_names_and_numbers() {
        assert_eq!(parse_opcode("text").unwrap(), 1);
        assert_eq!(parse_opcode("Close").unwrap(), 8);
        assert_eq!(parse_opcode("continuation").unwrap(), 0);
        assert_eq!(parse_opcode("11").unwrap(), 11);
        assert_eq!(parse_opcode("0xa").unwrap(), 10);
        assert!(parse_opcode("texts").is_err());
        assert!(parse_opcode("300").is_err());
    }
}
