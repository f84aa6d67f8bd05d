//! The streaming reader: container (pcap, pcapng, HAR) → packets → flows → events.

use crate::link::{link_type_name, tcp_segment, LinkType};
use crate::report::{FileError, Format};
use crate::ws::{Call, Emit, Flow, Settings, Shared};
use crate::{har, CaptureError, CaptureEvent, CaptureOptions, Summary};
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{Block, LegacyPcapReader, PcapBlockOwned, PcapError, PcapNGReader};
use std::collections::HashMap;
use std::collections::VecDeque;
use std::io::{Chain, Cursor, Read};
use std::net::SocketAddr;

/// The pcap reader's buffer starts at this size...
const BUF_START: usize = 256 * 1024;
/// ...and grows up to this for large records; a record larger than this ends the read.
const BUF_MAX: usize = 64 << 20;
/// Bytes read before the format is decided (the pcapng section header must fit).
const HEAD: usize = 64 * 1024;
/// Finished flows kept (to ignore late retransmissions) before they are forgotten.
const MAX_TOMBSTONES: usize = 100_000;

type Input<R> = Chain<Cursor<Vec<u8>>, R>;

/// One pcapng interface.
#[derive(Debug, Clone, Copy)]
struct Iface {
    link: Option<LinkType>,
    /// Timestamp units per second.
    units: f64,
    offset: i64,
}

enum Source<R: Read> {
    Pcap {
        r: Box<LegacyPcapReader<Input<R>>>,
        link: Option<LinkType>,
        /// Fraction units per second (1e6 or 1e9).
        units: f64,
    },
    Ng {
        r: Box<PcapNGReader<Input<R>>>,
        ifaces: Vec<Iface>,
    },
    Done,
}

/// Reads a capture and yields [`CaptureEvent`]s, holding only the open connections' state.
///
/// ```no_run
/// use wsprism_capture::{CaptureEvent, CaptureOptions, CaptureReader};
/// let file = std::fs::File::open("ws.pcap")?;
/// let mut reader = CaptureReader::new(file, CaptureOptions::default())?;
/// while let Some(ev) = reader.next_event() {
///     if let CaptureEvent::Message { conn, message } = ev {
///         println!("#{conn} {:?} {}", message.kind, message.length);
///     }
/// }
/// println!("{} packets", reader.summary().packets);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct CaptureReader<R: Read> {
    src: Source<R>,
    opts: Settings,
    events: VecDeque<CaptureEvent>,
    flows: HashMap<(SocketAddr, SocketAddr), Flow>,
    flow_order: u64,
    shared: Shared,
    summary: Summary,
    last_time: f64,
    refills: u32,
    finished: bool,
}

impl<R: Read> std::fmt::Debug for CaptureReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

fn pcap_err(e: &PcapError<&[u8]>) -> String {
    match e {
        PcapError::Eof => "end of file".into(),
        PcapError::UnexpectedEof => "the file ends inside a record".into(),
        PcapError::ReadError => "read error".into(),
        PcapError::BufferTooSmall => "record larger than the read buffer".into(),
        PcapError::Incomplete(_) => "incomplete record".into(),
        PcapError::HeaderNotRecognized => "header not recognized".into(),
        PcapError::NomError(_, k) | PcapError::OwnedNomError(_, k) => {
            format!("malformed record ({k:?})")
        }
    }
}

impl<R: Read> CaptureReader<R> {
    /// Detects the format from the first bytes and prepares to read. HAR input is read whole
    /// (it is one JSON document); pcap and pcapng are streamed.
    pub fn new(mut input: R, opts: CaptureOptions) -> Result<Self, CaptureError> {
        // The pcap readers parse their file header from their first read, which a chained
        // reader serves from `head` alone: read enough of the file up front.
        let mut head = vec![0u8; HEAD];
        let mut got = 0;
        while got < HEAD {
            let Some(dst) = head.get_mut(got..) else {
                break;
            };
            match input.read(dst) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(CaptureError::Io(e.to_string())),
            }
        }
        head.truncate(got);
        let mut summary = Summary {
            format: Format::Pcap,
            ..Summary::default()
        };
        let first_text = head
            .iter()
            .copied()
            .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xef | 0xbb | 0xbf));
        let magic = head.first_chunk::<4>().map(|m| u32::from_be_bytes(*m));
        let mut events = VecDeque::new();
        let src = match magic {
            Some(
                0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 | 0xa1b2_cd34 | 0x34cd_b2a1,
            ) => {
                let r = LegacyPcapReader::new(BUF_START, Cursor::new(head).chain(input))
                    .map_err(|e| CaptureError::Truncated(pcap_err(&e)))?;
                Source::Pcap {
                    r: Box::new(r),
                    link: None,
                    units: 1e6,
                }
            }
            Some(0x0a0d_0d0a) => {
                summary.format = Format::Pcapng;
                let r = PcapNGReader::new(BUF_START, Cursor::new(head).chain(input))
                    .map_err(|e| CaptureError::Truncated(pcap_err(&e)))?;
                Source::Ng {
                    r: Box::new(r),
                    ifaces: Vec::new(),
                }
            }
            _ if first_text == Some(b'{') || (got > 0 && first_text.is_none()) => {
                summary.format = Format::Har;
                let mut all = head;
                input
                    .read_to_end(&mut all)
                    .map_err(|e| CaptureError::Io(e.to_string()))?;
                summary.bytes = all.len() as u64;
                let (entries, next) = har::read(&all, &opts, &mut events)?;
                summary.packets = entries;
                let shared = Shared {
                    next_conn: next,
                    other_tcp: 0,
                };
                return Ok(Self {
                    src: Source::Done,
                    opts: Settings {
                        opts,
                        records: true,
                    },
                    events,
                    flows: HashMap::new(),
                    flow_order: 0,
                    shared,
                    summary,
                    last_time: 0.0,
                    refills: 0,
                    finished: true,
                });
            }
            _ => return Err(CaptureError::UnsupportedFormat),
        };
        Ok(Self {
            src,
            opts: Settings {
                opts,
                records: true,
            },
            events,
            flows: HashMap::new(),
            flow_order: 0,
            shared: Shared::default(),
            summary,
            last_time: 0.0,
            refills: 0,
            finished: false,
        })
    }

    /// Turns frame and message records off (or back on): [`CaptureEvent::Frame`] and
    /// [`CaptureEvent::Message`] are then not produced, but every frame is still decoded and
    /// checked, errors are reported, and [`CaptureEvent::Closed`] still counts frames and
    /// messages. For summaries of large captures.
    pub fn set_records(&mut self, on: bool) {
        self.opts.records = on;
    }

    /// The file-level facts so far (complete once [`CaptureReader::next_event`] returned `None`).
    pub fn summary(&self) -> Summary {
        let mut s = self.summary.clone();
        s.other_tcp_connections = self.shared.other_tcp;
        s
    }

    /// The next event, or `None` at the end of the capture. Never fails: problems in the file
    /// are events ([`CaptureEvent::FileError`]).
    pub fn next_event(&mut self) -> Option<CaptureEvent> {
        loop {
            if let Some(ev) = self.events.pop_front() {
                return Some(ev);
            }
            if self.finished {
                return None;
            }
            let mut q = std::mem::take(&mut self.events);
            if !self.pump(&mut q) {
                self.finish_all(&mut q);
            }
            self.events = q;
        }
    }

    /// Calls `f` with every event, in order (the same events as [`CaptureReader::next_event`],
    /// handed over as they are produced: a little faster, as nothing is queued).
    pub fn for_each(&mut self, f: impl FnMut(CaptureEvent)) {
        self.for_each_sink(&mut Call(f));
    }

    /// [`CaptureReader::for_each`] into any sink (frames and messages as borrowed views).
    pub(crate) fn for_each_sink(&mut self, sink: &mut dyn Emit) {
        while let Some(ev) = self.events.pop_front() {
            sink.push_back(ev);
        }
        if self.finished {
            return;
        }
        while self.pump(sink) {}
        self.finish_all(sink);
    }

    fn file_error(&mut self, sink: &mut dyn Emit, code: &'static str, message: String) {
        sink.push_back(CaptureEvent::FileError(Box::new(FileError {
            code,
            message,
            packet: self.summary.packets,
        })));
    }

    /// Reads one block. Returns false at the end of the input.
    fn pump(&mut self, sink: &mut dyn Emit) -> bool {
        enum Step {
            Packet(Option<LinkType>, f64, usize),
            Header(Option<LinkType>, i32, f64),
            Iface(Iface, i32),
            Section,
            Other,
        }
        let mut packet: Vec<u8> = Vec::new();
        let (step, consumed) = {
            let (r, link0, units0, ifaces): (&mut dyn PcapReaderIterator, _, _, &[Iface]) =
                match &mut self.src {
                    Source::Pcap { r, link, units } => (&mut **r, *link, *units, &[]),
                    Source::Ng { r, ifaces } => (&mut **r, None, 1e6, ifaces.as_slice()),
                    Source::Done => return false,
                };
            match r.next() {
                Ok((n, block)) => {
                    self.refills = 0;
                    let step = match block {
                        PcapBlockOwned::LegacyHeader(h) => Step::Header(
                            LinkType::from_value(h.network.0),
                            h.network.0,
                            if h.is_nanosecond_precision() {
                                1e9
                            } else {
                                1e6
                            },
                        ),
                        PcapBlockOwned::Legacy(b) => {
                            packet_into(&mut packet, b.data);
                            let t = f64::from(b.ts_sec) + f64::from(b.ts_usec) / units0;
                            Step::Packet(link0, t, 0)
                        }
                        PcapBlockOwned::NG(Block::SectionHeader(_)) => Step::Section,
                        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                            let units = ts_units(idb.if_tsresol);
                            Step::Iface(
                                Iface {
                                    link: LinkType::from_value(idb.linktype.0),
                                    units,
                                    offset: idb.if_tsoffset,
                                },
                                idb.linktype.0,
                            )
                        }
                        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                            let iface = ifaces.get(epb.if_id as usize).copied();
                            packet_into(&mut packet, epb.packet_data());
                            match iface {
                                Some(i) => {
                                    let ts = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                                    let t = ts as f64 / i.units + i.offset as f64;
                                    Step::Packet(i.link, t, 0)
                                }
                                None => Step::Packet(None, self.last_time, 1),
                            }
                        }
                        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                            let iface = ifaces.first().copied();
                            packet_into(&mut packet, spb.packet_data());
                            Step::Packet(iface.and_then(|i| i.link), self.last_time, 0)
                        }
                        PcapBlockOwned::NG(_) => Step::Other,
                    };
                    (Ok(step), n)
                }
                Err(PcapError::Eof) => return false,
                Err(PcapError::Incomplete(_)) => {
                    // Refill; a reader may return little at a time, so only give up when a
                    // refill brings nothing new.
                    let before = r.data().len();
                    let refilled = r.refill().map_err(|e| pcap_err(&e));
                    match refilled {
                        Ok(()) if r.data().len() > before => {
                            self.refills = 0;
                            return true;
                        }
                        Ok(()) => {
                            self.refills += 1;
                            if self.refills > 2 {
                                (
                                    Err((
                                        "CAPTURE_TRUNCATED",
                                        "the file ends inside a record".to_string(),
                                    )),
                                    0,
                                )
                            } else {
                                return true;
                            }
                        }
                        Err(e) => (Err(("CAPTURE_READ_ERROR", e)), 0),
                    }
                }
                Err(PcapError::BufferTooSmall) => {
                    let size = r.data().len().max(BUF_START).saturating_mul(2);
                    if size <= BUF_MAX && r.grow(size) {
                        match r.refill() {
                            Ok(()) => return true,
                            Err(e) => (Err(("CAPTURE_READ_ERROR", pcap_err(&e))), 0),
                        }
                    } else {
                        (
                            Err((
                                "CAPTURE_RECORD_TOO_LARGE",
                                format!("a record is larger than {} MiB", BUF_MAX >> 20),
                            )),
                            0,
                        )
                    }
                }
                Err(PcapError::UnexpectedEof) => (
                    Err((
                        "CAPTURE_TRUNCATED",
                        "the file ends inside a record".to_string(),
                    )),
                    0,
                ),
                Err(e) => (Err(("CAPTURE_BAD_RECORD", pcap_err(&e))), 0),
            }
        };
        let step = match step {
            Ok(s) => s,
            Err((code, msg)) => {
                self.file_error(sink, code, msg);
                self.src = Source::Done;
                return false;
            }
        };
        match &mut self.src {
            Source::Pcap { r, .. } => r.consume(consumed),
            Source::Ng { r, .. } => r.consume(consumed),
            Source::Done => {}
        }
        self.summary.bytes += consumed as u64;
        match step {
            Step::Header(link, raw, units) => {
                self.summary.link_types.push(link_type_name(raw));
                if link.is_none() {
                    self.file_error(
                        sink,
                        "CAPTURE_UNSUPPORTED_LINKTYPE",
                        format!("link type {raw} ({}) is not supported", link_type_name(raw)),
                    );
                }
                if let Source::Pcap {
                    link: l, units: u, ..
                } = &mut self.src
                {
                    *l = link;
                    *u = units;
                }
            }
            Step::Section => {
                if let Source::Ng { ifaces, .. } = &mut self.src {
                    ifaces.clear();
                }
            }
            Step::Iface(i, raw) => {
                self.summary.link_types.push(link_type_name(raw));
                if i.link.is_none() {
                    self.file_error(
                        sink,
                        "CAPTURE_UNSUPPORTED_LINKTYPE",
                        format!(
                            "interface {} has link type {raw} ({}), not supported",
                            self.summary.link_types.len() - 1,
                            link_type_name(raw)
                        ),
                    );
                }
                if let Source::Ng { ifaces, .. } = &mut self.src {
                    ifaces.push(i);
                }
            }
            Step::Packet(link, time, bad_iface) => {
                if bad_iface > 0 {
                    self.file_error(
                        sink,
                        "CAPTURE_BAD_RECORD",
                        "packet on an interface that was not described".into(),
                    );
                }
                self.summary.packets += 1;
                let time = if time.is_finite() {
                    time
                } else {
                    self.last_time
                };
                self.last_time = time;
                match link {
                    Some(lt) => self.packet(lt, &packet, time, sink),
                    None => self.summary.skipped_packets += 1,
                }
            }
            Step::Other => {}
        }
        true
    }

    fn packet(&mut self, lt: LinkType, data: &[u8], time: f64, sink: &mut dyn Emit) {
        let seg = match tcp_segment(lt, data) {
            Ok(s) => s,
            Err(_) => {
                self.summary.skipped_packets += 1;
                return;
            }
        };
        let key = if seg.src <= seg.dst {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        let fresh = match self.flows.get(&key) {
            None => true,
            // A new connection on the same addresses.
            Some(f) => f.finished && seg.syn,
        };
        if fresh {
            if self.flows.len() >= MAX_TOMBSTONES {
                self.flows.retain(|_, f| !f.finished);
            }
            self.flow_order += 1;
            self.flows
                .insert(key, Flow::new(seg.src, seg.dst, time, self.flow_order));
        }
        let Some(flow) = self.flows.get_mut(&key) else {
            return;
        };
        let side = usize::from(flow.ends[0] != seg.src);
        flow.segment(side, &seg, time, &self.opts, &mut self.shared, sink);
    }

    /// End of input: every open flow is finished, in the order they started.
    fn finish_all(&mut self, sink: &mut dyn Emit) {
        self.finished = true;
        self.src = Source::Done;
        let mut open: Vec<&mut Flow> = self.flows.values_mut().filter(|f| !f.finished).collect();
        open.sort_by_key(|f| f.order);
        for f in open {
            let t = f.end;
            f.finish(t, &self.opts, &mut self.shared, sink);
        }
        self.flows.clear();
    }
}

/// Copies packet bytes out of the reader's buffer (it is reused by the next read).
fn packet_into(dst: &mut Vec<u8>, src: &[u8]) {
    dst.clear();
    dst.extend_from_slice(src);
}

/// pcapng `if_tsresol`: bit 7 clear, 10^-n seconds; set, 2^-n. Invalid values fall back to
/// microseconds.
fn ts_units(tsresol: u8) -> f64 {
    let n = i32::from(tsresol & 0x7f);
    match tsresol & 0x80 {
        // As pcap-parser: 10^-n for n <= 19, 2^-n for n <= 63; anything else is invalid.
        0 if n <= 19 => 10f64.powi(n),
        0x80 if n <= 63 => 2f64.powi(n),
        _ => 1e6,
    }
}

#[cfg(test)]
mod tests {
    use super::ts_units;

    #[test]
    fn pcapng_timestamp_resolutions() {
        assert_eq!(ts_units(6), 1e6);
        assert_eq!(ts_units(9), 1e9);
        assert_eq!(ts_units(0), 1.0);
        assert_eq!(ts_units(0x80 | 10), 1024.0);
        assert_eq!(ts_units(0x80 | 20), 1_048_576.0);
        assert_eq!(ts_units(0x80 | 72), 1e6, "2^-72 s: invalid, microseconds");
        assert_eq!(ts_units(25), 1e6, "10^-25 s: invalid, microseconds");
    }
}
