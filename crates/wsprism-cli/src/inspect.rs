//! `wsprism inspect`: decode a byte stream frame by frame.

use crate::input::{parse_hex, read_stdin};
use crate::{Outcome, UsageError};
use serde::Serialize;
use std::fmt::Write as _;
use wsprism::inspect::{inspect_stream, ErrorReport, FrameReport, InspectOptions, StreamReport};
use wsprism::{DeflateParams, Role};

/// Which side receives the bytes.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleArg {
    /// The server receives them: frames must be masked.
    Server,
    /// The client receives them: frames must not be masked.
    Client,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Server => Role::Server,
            RoleArg::Client => Role::Client,
        }
    }
}

/// Decode a WebSocket byte stream: every frame's fields, the messages, the first error
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit status: 0 if the bytes decode cleanly (an incomplete last frame is not an error), 1 if they contain a protocol error, 2 for bad hex or arguments.\n\nExamples:\n  wsprism inspect 818537fa213d7f9f4d5158\n  wsprism inspect --role client --json '81 05 48 65 6c 6c 6f'\n  xxd -r -p capture.hex | wsprism inspect -"
)]
pub struct Args {
    /// The side that RECEIVES the bytes: a server expects masked frames, a client unmasked ones
    #[arg(long, value_enum, default_value = "server")]
    role: RoleArg,
    /// Print one JSON document (frames, messages, error) instead of the tables
    #[arg(long)]
    json: bool,
    /// Decode as if permessage-deflate had been negotiated with default parameters
    /// (RSV1 marks compressed messages)
    #[arg(long)]
    deflate: bool,
    /// Largest frame payload accepted, in bytes (default: the engine's limit)
    #[arg(long, value_name = "BYTES")]
    max_frame_size: Option<u64>,
    /// Largest message accepted, in bytes (default: the engine's limit)
    #[arg(long, value_name = "BYTES")]
    max_message_size: Option<u64>,
    /// The bytes as hex (whitespace allowed, also between several arguments; optional leading
    /// 0x), or `-` to read RAW bytes from stdin (also the default when stdin is not a terminal)
    #[arg(value_name = "HEX|-")]
    input: Vec<String>,
}

/// One frame in `inspect --json`.
#[derive(Serialize, Debug)]
struct JsonFrame<'a> {
    offset: u64,
    fin: bool,
    rsv1: bool,
    rsv2: bool,
    rsv3: bool,
    opcode: u8,
    masked: bool,
    masking_key: Option<&'a str>,
    payload_len: u64,
    header_len: usize,
    payload_hex: &'a str,
    #[serde(flatten)]
    close: Option<JsonClose<'a>>,
}

/// The close-frame keys, present on close frames only.
#[derive(Serialize, Debug)]
struct JsonClose<'a> {
    close_code: Option<u16>,
    close_reason: Option<&'a str>,
}

/// One message in `inspect --json`.
#[derive(Serialize, Debug)]
struct JsonMessage<'a> {
    opcode: u8,
    data_hex: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

/// The `inspect --json` document.
#[derive(Serialize, Debug)]
struct JsonReport<'a> {
    frames: Vec<JsonFrame<'a>>,
    messages: Vec<JsonMessage<'a>>,
    error: Option<&'a ErrorReport>,
}

/// The frames the decoder accepted: complete frames before the one holding the error.
fn clean_frames(r: &StreamReport) -> impl Iterator<Item = &FrameReport> {
    r.frames
        .iter()
        .take(r.error_frame.unwrap_or(usize::MAX))
        .filter(|f| f.complete)
}

fn to_json(r: &StreamReport) -> JsonReport<'_> {
    JsonReport {
        frames: clean_frames(r)
            .map(|f| JsonFrame {
                offset: f.offset,
                fin: f.fin,
                rsv1: f.rsv1,
                rsv2: f.rsv2,
                rsv3: f.rsv3,
                opcode: f.opcode,
                masked: f.masked,
                masking_key: f.masking_key.as_deref(),
                payload_len: f.payload_len,
                header_len: f.header_len,
                payload_hex: &f.payload_hex,
                close: (f.opcode == 8).then_some(JsonClose {
                    close_code: f.close_code,
                    close_reason: f.close_reason.as_deref(),
                }),
            })
            .collect(),
        messages: r
            .messages
            .iter()
            .map(|m| JsonMessage {
                opcode: m.opcode,
                data_hex: &m.data_hex,
                text: m.text.as_deref(),
            })
            .collect(),
        error: r.error.as_ref(),
    }
}

/// Runs `inspect`.
pub fn run(a: &Args) -> Result<Outcome, UsageError> {
    let bytes = match a.input.as_slice() {
        [] => read_stdin(false)?,
        [one] if one == "-" => read_stdin(true)?,
        many if many.iter().any(|s| s == "-") => {
            return Err(UsageError(
                "`-` (read stdin) cannot be combined with hex arguments".into(),
            ))
        }
        many => parse_hex(&many.join(" "))?,
    };
    let defaults = InspectOptions::default();
    let opts = InspectOptions {
        role: a.role.into(),
        deflate: a.deflate.then(DeflateParams::default),
        max_frame_size: a.max_frame_size.unwrap_or(defaults.max_frame_size),
        max_message_size: a.max_message_size.unwrap_or(defaults.max_message_size),
    };
    let report = inspect_stream(&bytes, &opts);
    if a.json {
        let doc = serde_json::to_string_pretty(&to_json(&report))
            .map_err(|e| UsageError(format!("cannot serialize the report: {e}")))?;
        println!("{doc}");
    } else {
        print!("{}", human(&report, bytes.len(), a.role));
    }
    Ok(if report.error.is_some() {
        Outcome::Invalid
    } else {
        Outcome::Valid
    })
}

/// Cuts long hex for the table, keeping the start.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    }
}

fn bit_range(offset: u64, width: u64) -> String {
    match width {
        0 => "-".into(),
        1 => offset.to_string(),
        w => format!("{}-{}", offset, offset + w - 1),
    }
}

/// Hex wrapped to 64 digits (32 bytes) per line, continuation lines indented by `indent`.
fn wrap_hex(s: &str, indent: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let lines: Vec<String> = chars.chunks(64).map(|c| c.iter().collect()).collect();
    if lines.is_empty() {
        return "(empty)".into();
    }
    lines.join(&format!("\n{}", " ".repeat(indent)))
}

fn frame_block(out: &mut String, i: usize, f: &FrameReport, after_error: bool) {
    let _ = writeln!(
        out,
        "frame #{i} at byte {}: {} (opcode 0x{:x}), {}-byte header + {}-byte payload{}",
        f.offset,
        f.opcode_name,
        f.opcode,
        f.header_len,
        f.payload_len,
        if f.complete {
            String::new()
        } else {
            format!(
                ", INCOMPLETE: {} of {} payload bytes present",
                f.payload_available, f.payload_len
            )
        }
    );
    if after_error {
        let _ = writeln!(
            out,
            "  (after the error: a real endpoint has already failed the connection)"
        );
    }
    let _ = writeln!(out, "  {:<24} {:<8} {:<34} value", "field", "bits", "raw");
    for fd in &f.fields {
        let _ = writeln!(
            out,
            "  {:<24} {:<8} {:<34} {}",
            fd.name,
            bit_range(fd.bit_offset, fd.bit_width),
            shorten(&fd.raw, 32),
            fd.value
        );
    }
    if let Some(m) = &f.masked_payload_hex {
        let _ = writeln!(out, "  {:<19} {}", "payload (masked)", wrap_hex(m, 22));
        let _ = writeln!(
            out,
            "  {:<19} {}",
            "payload (unmasked)",
            wrap_hex(&f.payload_hex, 22)
        );
    } else {
        let _ = writeln!(out, "  {:<19} {}", "payload", wrap_hex(&f.payload_hex, 22));
    }
    if let Some(t) = &f.text {
        let _ = writeln!(out, "  {:<19} {:?}", "text", t);
    }
    if let Some(c) = f.close_code {
        let _ = writeln!(
            out,
            "  {:<19} {} ({}), reason {:?}",
            "close",
            c,
            f.close_code_meaning.unwrap_or("?"),
            f.close_reason.as_deref().unwrap_or("")
        );
    }
    for v in &f.violations {
        let _ = writeln!(
            out,
            "  VIOLATION at byte {}: {} [{}, {}, close code {}, {}]",
            v.offset, v.message, v.code, v.kind, v.close_code, v.rfc_section
        );
    }
    let _ = writeln!(out);
}

fn human(r: &StreamReport, len: usize, role: RoleArg) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{len} bytes, received by the {} ({})\n",
        match role {
            RoleArg::Server => "server",
            RoleArg::Client => "client",
        },
        match role {
            RoleArg::Server => "frames must be masked",
            RoleArg::Client => "frames must not be masked",
        }
    );
    if r.frames.is_empty() {
        let _ = writeln!(out, "no complete frame header\n");
    }
    for (i, f) in r.frames.iter().enumerate() {
        frame_block(&mut out, i, f, r.error_frame.is_some_and(|e| i > e));
    }
    if r.events.is_empty() {
        let _ = writeln!(out, "decoded: nothing delivered");
    } else {
        let _ = writeln!(out, "decoded (in delivery order):");
    }
    for ev in &r.events {
        match (ev.kind, ev.message.and_then(|i| r.messages.get(i))) {
            ("message", Some(m)) => {
                let _ = writeln!(
                    out,
                    "  message: {}, {} bytes",
                    if m.opcode == 1 { "text" } else { "binary" },
                    m.length
                );
                if let Some(t) = &m.text {
                    let _ = writeln!(out, "    text {t:?}");
                }
                let _ = writeln!(out, "    hex  {}", wrap_hex(&m.data_hex, 9));
            }
            ("close", _) => {
                let _ = writeln!(
                    out,
                    "  close: code {}, reason {:?}",
                    ev.close_code.map_or("-".into(), |c| c.to_string()),
                    ev.close_reason.as_deref().unwrap_or("")
                );
            }
            (kind, _) => {
                let _ = writeln!(
                    out,
                    "  {kind}: payload {}",
                    wrap_hex(ev.payload_hex.as_deref().unwrap_or(""), 17)
                );
            }
        }
    }
    let _ = writeln!(out);
    match (&r.error, &r.waiting_for) {
        (Some(e), _) => {
            let _ = writeln!(
                out,
                "ERROR at byte {}: {}\n  kind {} ({}), close code {}, {}",
                e.offset, e.message, e.kind, e.code, e.close_code, e.rfc_section
            );
            match r.error_frame {
                Some(0) => {
                    let _ = writeln!(out, "  in frame #0, the first frame");
                }
                Some(1) => {
                    let _ = writeln!(out, "  in frame #1; frame #0 decoded cleanly");
                }
                Some(i) => {
                    let _ = writeln!(
                        out,
                        "  in frame #{i}; frames #0 to #{} decoded cleanly",
                        i - 1
                    );
                }
                None => {}
            }
        }
        (None, Some(w)) => {
            let _ = writeln!(
                out,
                "valid so far; incomplete: the decoder is waiting for {w}"
            );
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "valid: {} frame(s), {} message(s)",
                r.frames.len(),
                r.messages.len()
            );
        }
    }
    out
}
