//! `wsprism`: look inside WebSocket traffic from a terminal.
//!
//! Subcommands: `inspect` (decode a byte stream frame by frame), `accept` (compute
//! `Sec-WebSocket-Accept`), `handshake` (validate an upgrade request or response), `encode`
//! (build a frame) and `capture` (the WebSocket conversations in a pcap, pcapng or HAR file).
//! Every protocol rule is the engine's (`wsprism`); this crate only parses arguments and
//! formats what the engine reports.
//!
//! Exit status: 0 when the input is valid, 1 when it is a protocol error or a rejected
//! handshake, 2 for usage errors (bad arguments, bad hex, unreadable input).

mod accept;
mod capture;
mod encode;
mod handshake;
mod input;
mod inspect;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit status for valid input.
const EXIT_OK: u8 = 0;
/// Exit status for input that breaks a protocol rule or a rejected handshake.
const EXIT_INVALID: u8 = 1;
/// Exit status for usage errors.
const EXIT_USAGE: u8 = 2;

/// A usage error: bad arguments or unreadable input. Printed to stderr, exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a subcommand found: valid input (exit 0) or invalid input (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The input is valid.
    Valid,
    /// The input breaks a protocol rule, or the handshake is rejected.
    Invalid,
}

#[derive(Parser, Debug)]
#[command(
    name = "wsprism",
    version,
    about = "Inspect WebSocket frames and handshakes (RFC 6455, RFC 7692)",
    after_help = "Exit status: 0 valid input, 1 protocol error or rejected handshake, 2 usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Inspect(inspect::Args),
    Accept(accept::Args),
    Handshake(handshake::Args),
    Encode(encode::Args),
    Capture(capture::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(a) => inspect::run(&a),
        Command::Accept(a) => accept::run(&a),
        Command::Handshake(a) => handshake::run(&a),
        Command::Encode(a) => encode::run(&a),
        Command::Capture(a) => capture::run(&a),
    };
    match result {
        Ok(Outcome::Valid) => ExitCode::from(EXIT_OK),
        Ok(Outcome::Invalid) => ExitCode::from(EXIT_INVALID),
        Err(e) => {
            eprintln!("wsprism: error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
