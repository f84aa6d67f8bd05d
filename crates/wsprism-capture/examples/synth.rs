//! Writes a synthetic capture of WebSocket conversations: a real pcap (or pcapng) file of
//! Ethernet/IPv4 (or IPv6) TCP packets, each connection a handshake then many small text frames
//! in both directions (client masked, server echoing), closed with FIN.
//!
//! ```sh
//! cargo run --release -p wsprism-capture --example synth -- --out big.pcap --size-mb 100 \
//!     --frame-bytes 20 [--pcapng] [--deflate] [--connections N] [--ipv6] [--frames N]
//! ```
//!
//! The file is streamed to disk (memory stays small whatever `--size-mb`). It stops once the
//! file reaches the size (or, with `--frames N`, once each side of each connection sent N
//! frames); the stats line on stderr says how many frames it holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufWriter, Write};
use wsprism::DeflateParams;
use wsprism_capture::synth::{
    packet, ConvOptions, Conversation, Dir, Endpoints, Link, PcapFlavor, PcapWriter, PcapngWriter,
};

struct Args {
    out: String,
    size_mb: f64,
    frame_bytes: usize,
    pcapng: bool,
    deflate: bool,
    connections: usize,
    ipv6: bool,
    frames: Option<u64>,
}

fn usage() -> ! {
    eprintln!(
        "usage: synth --out FILE [--size-mb 100] [--frame-bytes 20] [--pcapng] [--deflate] [--connections 1] [--ipv6] [--frames N]"
    );
    std::process::exit(2)
}

fn args() -> Args {
    let mut a = Args {
        out: String::new(),
        size_mb: 100.0,
        frame_bytes: 20,
        pcapng: false,
        deflate: false,
        connections: 1,
        ipv6: false,
        frames: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        match k.as_str() {
            "--out" => a.out = val(),
            "--size-mb" => a.size_mb = val().parse().unwrap_or_else(|_| usage()),
            "--frame-bytes" => a.frame_bytes = val().parse().unwrap_or_else(|_| usage()),
            "--connections" => a.connections = val().parse().unwrap_or_else(|_| usage()),
            "--pcapng" => a.pcapng = true,
            "--deflate" => a.deflate = true,
            "--ipv6" => a.ipv6 = true,
            "--frames" => a.frames = Some(val().parse().unwrap_or_else(|_| usage())),
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if a.out.is_empty() || a.connections == 0 {
        usage()
    }
    a
}

enum Out {
    Pcap(PcapWriter<BufWriter<std::fs::File>>),
    Ng(PcapngWriter<BufWriter<std::fs::File>>),
}

fn main() -> std::io::Result<()> {
    let a = args();
    let file = BufWriter::with_capacity(1 << 20, std::fs::File::create(&a.out)?);
    let link = Link::Ethernet;
    let mut out = if a.pcapng {
        let mut w = PcapngWriter::new(file)?;
        w.interface(link, 6)?;
        Out::Ng(w)
    } else {
        Out::Pcap(PcapWriter::new(file, link, PcapFlavor::default())?)
    };
    let base = if a.ipv6 {
        Endpoints::v6()
    } else {
        Endpoints::v4()
    };
    let mut convs: Vec<Conversation> = (0..a.connections)
        .map(|i| {
            Conversation::with_options(
                base.nth(i as u16),
                ConvOptions {
                    deflate: a.deflate.then(DeflateParams::default),
                    start_ns: ConvOptions::default().start_ns + i as u64 * 10,
                    ..ConvOptions::default()
                },
            )
        })
        .collect();
    let limit = (a.size_mb * 1024.0 * 1024.0) as u64;
    let mut written: u64 = 24;
    let mut frames: u64 = 0;
    let mut packets: u64 = 0;
    let mut counter: u64 = 0;
    let mut payload = vec![b'x'; a.frame_bytes];
    let write = |out: &mut Out,
                 conv: &mut Conversation,
                 written: &mut u64,
                 packets: &mut u64|
     -> std::io::Result<()> {
        for s in conv.take() {
            let p = packet(&conv.ep, &s, link)?;
            match out {
                Out::Pcap(w) => w.packet(s.time_ns, &p)?,
                Out::Ng(w) => w.packet(0, s.time_ns, &p)?,
            }
            *written += p.len() as u64 + if a.pcapng { 32 } else { 16 };
            *packets += 1;
        }
        Ok(())
    };
    let per_side = a.frames.unwrap_or(u64::MAX);
    let mut sent: u64 = 0;
    'outer: loop {
        if sent >= per_side {
            break;
        }
        sent += 1;
        for conv in convs.iter_mut() {
            for dir in [Dir::ClientToServer, Dir::ServerToClient] {
                // One frame per packet with --frames, else as many as fit in ~1400 bytes.
                while conv.queued(dir) < 1400 {
                    // "m<counter> " then filler letters, exactly frame_bytes long.
                    let tag = format!("m{counter} ");
                    for (i, b) in payload.iter_mut().enumerate() {
                        *b = tag
                            .as_bytes()
                            .get(i)
                            .copied()
                            .unwrap_or(b'a' + (i % 26) as u8);
                    }
                    counter += 1;
                    conv.queue(dir, 1, &payload);
                    frames += 1;
                    if a.frame_bytes > 1400 || a.frames.is_some() {
                        break;
                    }
                }
                conv.flush(dir);
            }
            write(&mut out, conv, &mut written, &mut packets)?;
            if written >= limit {
                break 'outer;
            }
        }
    }
    for conv in convs.iter_mut() {
        conv.close();
        write(&mut out, conv, &mut written, &mut packets)?;
    }
    match out {
        Out::Pcap(w) => w.into_inner().flush()?,
        Out::Ng(w) => w.into_inner().flush()?,
    }
    eprintln!(
        "synth: wrote {} ({:.1} MiB, {packets} packets, {} connections, {frames} frames of {} payload bytes{})",
        a.out,
        written as f64 / 1048576.0,
        a.connections,
        a.frame_bytes,
        if a.deflate { ", compressed" } else { "" }
    );
    Ok(())
}
