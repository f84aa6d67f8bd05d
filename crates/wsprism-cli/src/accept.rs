//! `wsprism accept`: the `Sec-WebSocket-Accept` value for a key.

use crate::{Outcome, UsageError};
use wsprism::handshake::{accept_key, accept_key_steps, is_valid_key, GUID};

/// Compute the Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 §4.2.2)
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The client's Sec-WebSocket-Key, e.g. dGhlIHNhbXBsZSBub25jZQ==
    key: String,
    /// Show the steps: key + GUID, its SHA-1 in hex, and the base64 of the digest
    #[arg(long)]
    steps: bool,
}

/// Prints the accept value (and the steps with `--steps`). A key that is not base64 of 16
/// bytes still gets its value computed, with a warning on stderr.
pub fn run(a: &Args) -> Result<Outcome, UsageError> {
    if !is_valid_key(&a.key) {
        eprintln!(
            "wsprism: warning: {:?} is not a valid Sec-WebSocket-Key (base64 of 16 bytes, RFC 6455 §4.1); a server would refuse it",
            a.key
        );
    }
    if a.steps {
        let s = accept_key_steps(&a.key);
        println!("key:          {}", a.key);
        println!("GUID:         {GUID}");
        println!("key + GUID:   {}", s.concatenated);
        println!("SHA-1 (hex):  {}", s.sha1_hex);
        println!("base64:       {}  (Sec-WebSocket-Accept)", s.accept);
    } else {
        println!("{}", accept_key(&a.key));
    }
    Ok(Outcome::Valid)
}
