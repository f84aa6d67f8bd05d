//! `writeCapture(connections, options)`: TCP conversations → a pcap file, written by the capture
//! crate's packet builder (`wsprism_capture::synth`: Ethernet, IPv4/IPv6 and TCP headers with
//! their checksums, built with `etherparse`). The visualizer's "Make a small example capture"
//! uses it; nothing here builds a header itself: this module only reads the JS description.
//!
//! A connection is `{ client: "10.0.0.2:50312", server: "10.0.0.1:8080", segments, close }`:
//! each segment `{ from: "client" | "server", data, cuts, retransmit }` sends `data` (bytes) in
//! TCP segments cut after the byte counts in `cuts`, each sent twice if `retransmit`; the
//! connection opens with the three-way handshake and ends with `close` (`"fin"`, the default,
//! `"rst"`, or `"none"`). Connections follow each other in time; packets are `stepUs`
//! microseconds apart, the first at `start` seconds since the epoch.

use crate::args::{self, get, MAX_SHORT_STRING};
use crate::errors::{arg_type, out_of_range, range_error, OUT_OF_RANGE};
use js_sys::{Array, Uint8Array};
use std::net::SocketAddr;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wsprism_capture::synth::{
    self, ConvOptions, Conversation, Dir, Endpoints, Link, PcapFlavor, PcapWriter, TcpSeg,
};

/// Most connections in one file.
const MAX_CONNECTIONS: u32 = 4096;
/// Most segment descriptions in one connection.
const MAX_SEGMENTS: u32 = 1 << 16;

fn addr(v: &JsValue, name: &str) -> Result<SocketAddr, JsValue> {
    let s = args::string(v, name, 128)?;
    s.parse().map_err(|_| {
        arg_type(
            name,
            "an address with a port (\"10.0.0.2:50312\", \"[2001:db8::1]:443\")",
        )
    })
}

fn array(v: &JsValue, name: &str, max: u32) -> Result<Array, JsValue> {
    if !Array::is_array(v) {
        return Err(arg_type(name, "an array"));
    }
    let a: Array = v.clone().unchecked_into();
    if a.length() > max {
        return Err(out_of_range(
            name,
            &format!("an array of at most {max} items"),
        ));
    }
    Ok(a)
}

/// The cut positions inside `0..len`, sorted, without repeats.
fn cuts(v: &JsValue, len: usize) -> Result<Vec<usize>, JsValue> {
    if args::is_nullish(v) {
        return Ok(Vec::new());
    }
    let a = array(v, "cuts", MAX_SEGMENTS)?;
    let mut out = Vec::new();
    for c in a.iter() {
        let n = args::opt_int(&c, "cuts[i]", 1.0, (len.max(1) - 1).max(1) as f64)?.unwrap_or(0.0)
            as usize;
        if n >= 1 && n < len {
            out.push(n);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `writeCapture(connections, { start, stepUs, mss })`: a pcap file (microsecond timestamps,
/// little-endian, Ethernet) holding the connections' packets.
#[wasm_bindgen(js_name = writeCapture)]
pub fn write_capture(connections: JsValue, options: JsValue) -> Result<Uint8Array, JsValue> {
    let o = args::options(&options, "options")?;
    let start = args::opt_int(&get(&o, "start")?, "start", 0.0, f64::from(u32::MAX))?
        .unwrap_or(1_732_240_000.0) as u64;
    let step_us =
        args::opt_int(&get(&o, "stepUs")?, "stepUs", 0.0, 3.6e9)?.unwrap_or(12_500.0) as u64;
    // at most one IPv4 packet: 65535 - 20 (IP) - 20 (TCP)
    let mss = args::opt_int(&get(&o, "mss")?, "mss", 1.0, 65_495.0)?.unwrap_or(1448.0) as usize;
    let list = array(&connections, "connections", MAX_CONNECTIONS)?;
    let mut time_ns = start * 1_000_000_000 + step_us * 1000;
    let mut packets: Vec<(u64, Endpoints, TcpSeg)> = Vec::new();
    for c in list.iter() {
        let co = args::options(&c, "connections[i]")?;
        if co.is_none() {
            return Err(arg_type("connections[i]", "an object"));
        }
        let ep = Endpoints {
            client: addr(&get(&co, "client")?, "client")?,
            server: addr(&get(&co, "server")?, "server")?,
        };
        if ep.client.is_ipv4() != ep.server.is_ipv4() {
            return Err(arg_type("server", "an address of the client's IP version"));
        }
        let mut conv = Conversation::with_options(
            ep,
            ConvOptions {
                isn: [
                    1000 + u32::from(ep.client.port()),
                    50_000 + u32::from(ep.client.port()),
                ],
                upgrade: false,
                mss,
                start_ns: time_ns,
                step_ns: step_us * 1000,
                ..ConvOptions::default()
            },
        );
        let mut segs = conv.take();
        let seg_list = array(&get(&co, "segments")?, "segments", MAX_SEGMENTS)?;
        for s in seg_list.iter() {
            let so = args::options(&s, "segments[i]")?;
            let from = args::string(&get(&so, "from")?, "from", MAX_SHORT_STRING)?;
            let dir = match from.as_str() {
                "client" => Dir::ClientToServer,
                "server" => Dir::ServerToClient,
                _ => return Err(arg_type("from", "\"client\" or \"server\"")),
            };
            let data = args::bytes_or_string(&get(&so, "data")?, "data")?;
            let bounds = cuts(&get(&so, "cuts")?, data.len())?;
            let retransmit = args::flag(&get(&so, "retransmit")?, "retransmit", false)?;
            let mut at = 0;
            for end in bounds.into_iter().chain(std::iter::once(data.len())) {
                conv.send(dir, data.get(at..end).unwrap_or_default());
                at = end;
                for seg in conv.take() {
                    if retransmit {
                        segs.push(seg.clone());
                    }
                    segs.push(seg);
                }
            }
        }
        let close = args::opt_string(&get(&co, "close")?, "close", 16)?;
        match close.as_deref().unwrap_or("fin") {
            "fin" => {
                conv.close();
                conv.control(Dir::ClientToServer, false, false, false);
            }
            "rst" => conv.reset(Dir::ClientToServer),
            "none" => {}
            _ => return Err(arg_type("close", "\"fin\", \"rst\" or \"none\"")),
        }
        segs.extend(conv.take());
        for seg in segs {
            time_ns = time_ns.max(seg.time_ns + step_us * 1000);
            packets.push((seg.time_ns, ep, seg));
        }
    }
    let mut w = PcapWriter::new(Vec::new(), Link::Ethernet, PcapFlavor::default())
        .map_err(|e| range_error(OUT_OF_RANGE, &e.to_string()))?;
    for (t, ep, seg) in &packets {
        let p = synth::packet(ep, seg, Link::Ethernet)
            .map_err(|e| range_error(OUT_OF_RANGE, &format!("writeCapture: {e}")))?;
        w.packet(*t, &p)
            .map_err(|e| range_error(OUT_OF_RANGE, &e.to_string()))?;
    }
    let out = w.into_inner();
    let a = Uint8Array::new_with_length(out.len() as u32);
    a.copy_from(&out);
    Ok(a)
}
