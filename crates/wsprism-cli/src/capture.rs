//! `wsprism capture`: the WebSocket conversations in a pcap, pcapng or HAR file.
//!
//! The file is streamed through [`CaptureReader`]: memory is bounded by the open connections.
//! The text output is printed as the capture is read. `--json` prints the report of
//! `docs/capture.md`; each connection's frames and messages are spilled to unlinked temporary
//! files until the connection ends, so a long capture is not held in memory either.

use crate::{Outcome, UsageError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, Write};
use wsprism_capture::report::{Handshake, TcpReport};
use wsprism_capture::{
    CaptureEvent, CaptureOptions, CaptureReader, ConnectionError, ConnectionInfo, Direction,
    FileError, Frame, Message, MessageKind,
};

/// Decode the WebSocket conversations in a capture (pcap, pcapng or HAR)
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Formats are detected from the first bytes: pcap (micro- or nanosecond, either byte order), pcapng, or HAR (Chrome's _webSocketMessages). Link types: Ethernet, Linux cooked (SLL, SLL2), BSD loopback (NULL, LOOP), raw IP. WebSocket connections are found on any port, from their HTTP upgrade, or by resynchronising on the frames when the capture starts mid-connection.\n\nExit status: 0 no protocol errors, 1 the capture holds protocol errors (or TCP gaps, a rejected upgrade, a truncated file), 2 unreadable or unsupported input.\n\nExamples:\n  wsprism capture ws.pcap\n  wsprism capture --json --max-bytes 0 ws.pcapng > report.json\n  tcpdump -i lo -w - port 8080 | wsprism capture --summary -"
)]
pub struct Args {
    /// Print the report as one JSON document (docs/capture.md)
    #[arg(long)]
    json: bool,
    /// Print only connections, handshakes, counts and errors (no frame or message lines)
    #[arg(long, conflicts_with = "json")]
    summary: bool,
    /// Bytes of each frame and message to report (0: everything)
    #[arg(long, value_name = "N", default_value_t = 4096)]
    max_bytes: usize,
    /// Largest frame payload accepted, in bytes (default: the engine's limit)
    #[arg(long, value_name = "BYTES")]
    max_frame_size: Option<u64>,
    /// Largest message accepted, in bytes (default: the engine's limit)
    #[arg(long, value_name = "BYTES")]
    max_message_size: Option<u64>,
    /// The capture file, or `-` for stdin
    #[arg(value_name = "FILE|-")]
    input: String,
}

fn io_err(e: std::io::Error) -> UsageError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        // The reader went away (`| head`): not an error.
        std::process::exit(0);
    }
    UsageError(format!("cannot write the output: {e}"))
}

/// Runs the subcommand.
pub fn run(a: &Args) -> Result<Outcome, UsageError> {
    let defaults = CaptureOptions::default();
    let opts = CaptureOptions {
        max_bytes: match (a.summary, a.max_bytes) {
            (true, _) => Some(0),
            (false, 0) => None,
            (false, n) => Some(n),
        },
        max_frame_size: a.max_frame_size.unwrap_or(defaults.max_frame_size),
        max_message_size: a.max_message_size.unwrap_or(defaults.max_message_size),
    };
    let input: Box<dyn Read> = if a.input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            File::open(&a.input)
                .map_err(|e| UsageError(format!("cannot read {}: {e}", a.input)))?,
        )
    };
    let mut reader = CaptureReader::new(input, opts)
        .map_err(|e| UsageError(format!("{}: {e} ({})", a.input, e.code())))?;
    let stdout = std::io::stdout();
    let out = BufWriter::with_capacity(1 << 16, stdout.lock());
    if a.summary {
        // Every frame is still decoded and checked; only the per-frame records are skipped.
        reader.set_records(false);
    }
    let errors = if a.json {
        json(&mut reader, out)?
    } else {
        text(&mut reader, out, &a.input)?
    };
    Ok(if errors > 0 {
        Outcome::Invalid
    } else {
        Outcome::Valid
    })
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Where a connection's frames or messages wait until the connection ends.
enum Spill {
    File(BufWriter<File>),
    Mem(Vec<u8>),
}

/// Spill files open at most at once; further connections are buffered in memory.
const MAX_SPILL_FILES: usize = 200;

impl Spill {
    fn new(open_files: &mut usize) -> Spill {
        if *open_files < MAX_SPILL_FILES {
            if let Some(f) = temp_file() {
                *open_files += 1;
                return Spill::File(BufWriter::with_capacity(1 << 16, f));
            }
        }
        Spill::Mem(Vec::new())
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Spill::File(w) => w,
            Spill::Mem(v) => v,
        }
    }

    /// Copies everything written to `out`.
    fn copy_to(self, out: &mut dyn Write, open_files: &mut usize) -> std::io::Result<()> {
        match self {
            Spill::Mem(v) => out.write_all(&v),
            Spill::File(w) => {
                *open_files = open_files.saturating_sub(1);
                let mut f = w.into_inner().map_err(|e| e.into_error())?;
                f.rewind()?;
                std::io::copy(&mut f, out).map(|_| ())
            }
        }
    }
}

/// A temporary file that is already unlinked (nothing to clean up, whatever happens).
fn temp_file() -> Option<File> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("wsprism-capture-{}-{n}", std::process::id()));
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .ok()?;
    std::fs::remove_file(&path).ok()?;
    Some(f)
}

struct ConnJson {
    info: ConnectionInfo,
    handshake: Option<Box<Handshake>>,
    notes: Vec<String>,
    errors: Vec<ConnectionError>,
    frames: Spill,
    frame_count: u64,
    messages: Spill,
    message_count: u64,
    closed: Option<(f64, TcpReport)>,
}

/// The keys of a connection before its frames.
#[derive(Serialize)]
struct Head<'a> {
    id: u64,
    client: &'a str,
    server: &'a str,
    start: f64,
    end: f64,
    handshake_seen: bool,
    handshake: Option<&'a Handshake>,
    notes: &'a [String],
    tcp: &'a TcpReport,
}

/// The file-level keys, written after the connections.
#[derive(Serialize)]
struct Tail<'a> {
    format: &'a str,
    link_types: &'a [String],
    packets: u64,
    bytes: u64,
    skipped_packets: u64,
    other_tcp_connections: u64,
    errors: &'a [FileError],
}

fn ser(e: serde_json::Error) -> UsageError {
    UsageError(format!("cannot serialize the report: {e}"))
}

/// Serializes `v` into `scratch` (serde_json's many small writes stay inside a `Vec`), then
/// appends it to the spill in one write.
fn append<T: Serialize>(
    s: &mut Spill,
    count: &mut u64,
    v: &T,
    scratch: &mut Vec<u8>,
) -> Result<(), UsageError> {
    scratch.clear();
    if *count > 0 {
        scratch.push(b',');
    }
    *count += 1;
    serde_json::to_writer(&mut *scratch, v).map_err(ser)?;
    s.writer().write_all(scratch).map_err(io_err)
}

fn write_conn(
    out: &mut dyn Write,
    c: ConnJson,
    first: bool,
    files: &mut usize,
) -> Result<(), UsageError> {
    let (end, tcp) = c.closed.unwrap_or((c.info.start, TcpReport::default()));
    let head = serde_json::to_vec(&Head {
        id: c.info.id,
        client: &c.info.client,
        server: &c.info.server,
        start: c.info.start,
        end,
        handshake_seen: c.info.handshake_seen,
        handshake: c.handshake.as_deref(),
        notes: &c.notes,
        tcp: &tcp,
    })
    .map_err(ser)?;
    if !first {
        out.write_all(b",").map_err(io_err)?;
    }
    // The head without its closing brace, then the spilled arrays.
    out.write_all(head.get(..head.len().saturating_sub(1)).unwrap_or_default())
        .map_err(io_err)?;
    out.write_all(b",\"frames\":[").map_err(io_err)?;
    c.frames.copy_to(out, files).map_err(io_err)?;
    out.write_all(b"],\"messages\":[").map_err(io_err)?;
    c.messages.copy_to(out, files).map_err(io_err)?;
    out.write_all(b"],\"errors\":").map_err(io_err)?;
    serde_json::to_writer(&mut *out, &c.errors).map_err(ser)?;
    out.write_all(b"}").map_err(io_err)
}

/// Streams the report; returns the number of errors.
fn json<R: Read>(reader: &mut CaptureReader<R>, mut out: impl Write) -> Result<u64, UsageError> {
    let mut conns: BTreeMap<u64, ConnJson> = BTreeMap::new();
    let mut next = 0u64;
    let mut files = 0usize;
    let mut file_errors = Vec::new();
    let mut errors = 0u64;
    let mut scratch = Vec::with_capacity(1024);
    out.write_all(b"{\"connections\":[").map_err(io_err)?;
    let mut handle = |ev: CaptureEvent| -> Result<(), UsageError> {
        match ev {
            CaptureEvent::Connection(info) => {
                let frames = Spill::new(&mut files);
                let messages = Spill::new(&mut files);
                conns.insert(
                    info.id,
                    ConnJson {
                        info: *info,
                        handshake: None,
                        notes: Vec::new(),
                        errors: Vec::new(),
                        frames,
                        frame_count: 0,
                        messages,
                        message_count: 0,
                        closed: None,
                    },
                );
            }
            CaptureEvent::Handshake { conn, handshake } => {
                if let Some(c) = conns.get_mut(&conn) {
                    c.handshake = Some(handshake);
                }
            }
            CaptureEvent::Note { conn, note } => {
                if let Some(c) = conns.get_mut(&conn) {
                    c.notes.push(note);
                }
            }
            CaptureEvent::Frame { conn, frame } => {
                if let Some(c) = conns.get_mut(&conn) {
                    append(&mut c.frames, &mut c.frame_count, &frame, &mut scratch)?;
                }
            }
            CaptureEvent::Message { conn, message } => {
                if let Some(c) = conns.get_mut(&conn) {
                    append(
                        &mut c.messages,
                        &mut c.message_count,
                        &message,
                        &mut scratch,
                    )?;
                }
            }
            CaptureEvent::Error { conn, error } => {
                errors += 1;
                if let Some(c) = conns.get_mut(&conn) {
                    c.errors.push(*error);
                }
            }
            CaptureEvent::Closed { conn, end, tcp, .. } => {
                if let Some(c) = conns.get_mut(&conn) {
                    c.closed = Some((end, *tcp));
                }
                // Write every finished connection that is next in line.
                while conns.get(&next).is_some_and(|c| c.closed.is_some()) {
                    if let Some(c) = conns.remove(&next) {
                        write_conn(&mut out, c, next == 0, &mut files)?;
                    }
                    next += 1;
                }
            }
            CaptureEvent::FileError(e) => {
                errors += 1;
                file_errors.push(*e);
            }
        }
        Ok(())
    };
    let mut result = Ok(());
    reader.for_each(|ev| {
        if result.is_ok() {
            result = handle(ev);
        }
    });
    result?;
    // Connections without a Closed event cannot exist at the end, but write them anyway.
    let rest: Vec<ConnJson> = std::mem::take(&mut conns).into_values().collect();
    for c in rest {
        let first = next == 0;
        next += 1;
        write_conn(&mut out, c, first, &mut files)?;
    }
    let s = reader.summary();
    out.write_all(b"],").map_err(io_err)?;
    let tail = serde_json::to_vec(&Tail {
        format: s.format.name(),
        link_types: &s.link_types,
        packets: s.packets,
        bytes: s.bytes,
        skipped_packets: s.skipped_packets,
        other_tcp_connections: s.other_tcp_connections,
        errors: &file_errors,
    })
    .map_err(ser)?;
    out.write_all(tail.get(1..).unwrap_or_default())
        .map_err(io_err)?;
    out.write_all(b"\n").map_err(io_err)?;
    out.flush().map_err(io_err)?;
    Ok(errors)
}

// ---------------------------------------------------------------------------------------------
// Text

fn arrow(d: Direction) -> &'static str {
    match d {
        Direction::ClientToServer => "C→S",
        Direction::ServerToClient => "S→C",
    }
}

/// A short, printable rendering of a payload.
/// A short, printable rendering of a payload (quoted, escaped text or hex), without
/// allocating.
struct Preview<'a> {
    text: Option<&'a str>,
    data: &'a [u8],
    truncated: bool,
}

fn preview<'a>(text: Option<&'a str>, data: &'a [u8], truncated: bool) -> Preview<'a> {
    Preview {
        text,
        data,
        truncated,
    }
}

impl std::fmt::Display for Preview<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const MAX: usize = 60;
        let more = |cut: bool| if cut || self.truncated { "…" } else { "" };
        match self.text {
            Some(t) => {
                let end = t.char_indices().nth(MAX).map_or(t.len(), |(i, _)| i);
                let shown = t.get(..end).unwrap_or_default();
                write!(f, "\"{}\"{}", shown.escape_debug(), more(end < t.len()))
            }
            None => {
                let n = self.data.len().min(MAX / 2);
                for b in self.data.get(..n).unwrap_or_default() {
                    write!(f, "{b:02x}")?;
                }
                f.write_str(more(n < self.data.len()))
            }
        }
    }
}

fn text<R: Read>(
    reader: &mut CaptureReader<R>,
    mut out: impl Write,
    name: &str,
) -> Result<u64, UsageError> {
    let mut errors: Vec<String> = Vec::new();
    let mut conns = 0u64;
    let w = |out: &mut dyn Write, s: std::fmt::Arguments<'_>| out.write_fmt(s).map_err(io_err);
    w(
        &mut out,
        format_args!("{name}: {}\n", reader.summary().format.name()),
    )?;
    let mut handle = |ev: CaptureEvent| -> Result<(), UsageError> {
        match ev {
            CaptureEvent::Connection(i) => {
                conns += 1;
                w(
                    &mut out,
                    format_args!(
                        "\nconnection #{}  client {}  server {}  from {}{}\n",
                        i.id,
                        if i.client.is_empty() { "?" } else { &i.client },
                        i.server,
                        Clock(i.start),
                        if i.handshake_seen {
                            ""
                        } else {
                            "  (no handshake seen)"
                        }
                    ),
                )?;
            }
            CaptureEvent::Handshake { conn, handshake: h } => {
                let resp = match &h.response {
                    Some(r) => format!("{} {}", r.status, r.reason),
                    None => "(no response)".into(),
                };
                w(
                    &mut out,
                    format_args!(
                        "  #{conn} handshake: {} {} → {resp}; accept {}; subprotocol {}; extensions {}\n",
                        h.request.method,
                        h.request.target,
                        if h.accept_valid { "valid" } else { "INVALID" },
                        h.subprotocol.as_deref().unwrap_or("none"),
                        h.extensions.as_deref().unwrap_or("none"),
                    ),
                )?;
                if let Some(d) = h.deflate {
                    w(
                        &mut out,
                        format_args!(
                            "  #{conn} permessage-deflate: client {} window 2^{}, server {} window 2^{}\n",
                            if d.client_no_context_takeover { "no context takeover," } else { "context takeover," },
                            d.client_max_window_bits,
                            if d.server_no_context_takeover { "no context takeover," } else { "context takeover," },
                            d.server_max_window_bits
                        ),
                    )?;
                }
            }
            CaptureEvent::Note { conn, note } => {
                w(&mut out, format_args!("  #{conn} note: {note}\n"))?;
            }
            CaptureEvent::Frame { conn, frame: f } => frame_line(&mut out, conn, &f)?,
            CaptureEvent::Message { conn, message: m } => message_line(&mut out, conn, &m)?,
            CaptureEvent::Error { conn, error: e } => {
                let mut why = Vec::new();
                if e.close_code != 0 {
                    why.push(format!("close code {}", e.close_code));
                }
                if !e.rfc_section.is_empty() {
                    why.push(e.rfc_section.to_string());
                }
                let line = format!(
                    "#{conn} {} {} {}{} at stream offset {}: {}{}",
                    Clock(e.time),
                    arrow(e.direction),
                    e.code,
                    e.frame
                        .map(|f| format!(" in frame {f}"))
                        .unwrap_or_default(),
                    e.stream_offset,
                    e.message,
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", why.join(", "))
                    }
                );
                w(&mut out, format_args!("  ERROR {line}\n"))?;
                errors.push(line);
            }
            CaptureEvent::Closed {
                conn,
                end,
                frames,
                messages,
                tcp,
            } => {
                let t = |s: &wsprism_capture::report::TcpDirStats| {
                    format!(
                        "{} segments, {} retransmitted, {} out of order, {} overlaps, {} gaps",
                        s.segments, s.retransmitted, s.out_of_order, s.overlaps, s.gaps
                    )
                };
                w(
                    &mut out,
                    format_args!(
                        "  #{conn} end {} ({}): {frames} frames, {messages} messages; stream bytes {} C→S, {} S→C\n    tcp C→S: {}\n    tcp S→C: {}\n",
                        Clock(end),
                        match tcp.closed {
                            Some(wsprism_capture::report::TcpClose::Fin) => "FIN",
                            Some(wsprism_capture::report::TcpClose::Rst) => "RST",
                            None => "still open",
                        },
                        tcp.client_to_server.bytes,
                        tcp.server_to_client.bytes,
                        t(&tcp.client_to_server),
                        t(&tcp.server_to_client)
                    ),
                )?;
            }
            CaptureEvent::FileError(e) => {
                let line = format!("{} at record {}: {}", e.code, e.packet, e.message);
                w(&mut out, format_args!("ERROR {line}\n"))?;
                errors.push(line);
            }
        }
        Ok(())
    };
    let mut result = Ok(());
    reader.for_each(|ev| {
        if result.is_ok() {
            result = handle(ev);
        }
    });
    result?;
    let s = reader.summary();
    w(
        &mut out,
        format_args!(
            "\n{} records, {} bytes, link types: {}; {} WebSocket connection{}, {} other TCP connection{}, {} packets without TCP\n",
            s.packets,
            s.bytes,
            if s.link_types.is_empty() { "none".to_string() } else { s.link_types.join(", ") },
            conns,
            if conns == 1 { "" } else { "s" },
            s.other_tcp_connections,
            if s.other_tcp_connections == 1 { "" } else { "s" },
            s.skipped_packets
        ),
    )?;
    if errors.is_empty() {
        w(&mut out, format_args!("no errors\n"))?;
    } else {
        w(
            &mut out,
            format_args!(
                "{} error{}:\n",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ),
        )?;
        for e in &errors {
            w(&mut out, format_args!("  {e}\n"))?;
        }
    }
    out.flush().map_err(io_err)?;
    Ok(errors.len() as u64)
}

/// `HH:MM:SS.ffffff` (UTC) of a capture time, without allocating.
struct Clock(f64);

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.0;
        if !t.is_finite() || t < 0.0 {
            return write!(f, "{t}");
        }
        let micros = (t * 1e6).round() as u64;
        let secs = micros / 1_000_000;
        write!(
            f,
            "{:02}:{:02}:{:02}.{:06}",
            (secs / 3600) % 24,
            (secs / 60) % 60,
            secs % 60,
            micros % 1_000_000
        )
    }
}

fn frame_line(out: &mut dyn Write, conn: u64, f: &Frame) -> Result<(), UsageError> {
    let flag = |on: bool, name: &'static str| if on { name } else { "" };
    write!(
        out,
        "  #{conn} {} {} frame {} @{}: {} (0x{:x}){}{}{}{}, ",
        Clock(f.time),
        arrow(f.direction),
        f.index,
        f.stream_offset,
        f.opcode_name,
        f.opcode,
        flag(f.fin, " FIN"),
        flag(f.rsv1, " RSV1"),
        flag(f.rsv2, " RSV2"),
        flag(f.rsv3, " RSV3"),
    )
    .map_err(io_err)?;
    match &f.masking_key {
        Some(k) => {
            let [a, b, c, d] = k.0;
            write!(out, "mask {a:02x}{b:02x}{c:02x}{d:02x}")
        }
        None => out.write_all(b"unmasked"),
    }
    .map_err(io_err)?;
    writeln!(
        out,
        ", {} + {} bytes{}",
        f.header_len,
        f.payload_len,
        if f.truncated { " (cut)" } else { "" }
    )
    .map_err(io_err)
}

fn message_line(out: &mut dyn Write, conn: u64, m: &Message) -> Result<(), UsageError> {
    write!(
        out,
        "  #{conn} {} {} {} message {}, {} bytes{}",
        Clock(m.time),
        arrow(m.direction),
        m.kind.name(),
        m.index,
        m.length,
        if m.compressed { " (compressed)" } else { "" },
    )
    .map_err(io_err)?;
    match m.frames {
        Some([a, b]) if a == b => write!(out, " (frame {a}): "),
        Some([a, b]) => write!(out, " (frames {a}-{b}): "),
        None => out.write_all(b": "),
    }
    .map_err(io_err)?;
    match m.kind {
        MessageKind::Close => match m.close_code {
            Some(code) => writeln!(
                out,
                "code {code} {}",
                preview(m.close_reason.as_deref(), &[], false)
            ),
            None => writeln!(out, "no status"),
        },
        _ => writeln!(
            out,
            "{}",
            preview(m.text.as_deref(), &m.data_hex.0, m.truncated)
        ),
    }
    .map_err(io_err)
}
