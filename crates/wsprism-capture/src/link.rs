//! Link layers and IP/TCP headers (with `etherparse`): from a captured packet to a TCP segment.

use etherparse::{EtherType, NetSlice, SlicedPacket, TransportSlice};
use std::net::{IpAddr, SocketAddr};

/// The link types this crate decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkType {
    /// DLT_EN10MB (1).
    Ethernet,
    /// Linux cooked capture v1 (113).
    LinuxSll,
    /// Linux cooked capture v2 (276).
    LinuxSll2,
    /// BSD loopback, host byte order family (0).
    Null,
    /// OpenBSD loopback, network byte order family (108).
    Loop,
    /// Raw IP (101, and DLT 12/14, 228, 229).
    Raw,
}

impl LinkType {
    /// The link type for a pcap `LINKTYPE_*` value, if supported.
    pub fn from_value(v: i32) -> Option<LinkType> {
        Some(match v {
            1 => LinkType::Ethernet,
            113 => LinkType::LinuxSll,
            276 => LinkType::LinuxSll2,
            0 => LinkType::Null,
            108 => LinkType::Loop,
            101 | 12 | 14 | 228 | 229 => LinkType::Raw,
            _ => return None,
        })
    }
}

/// A report name for a `LINKTYPE_*` value: `ethernet`, `linux_sll`, `linux_sll2`, `null`,
/// `loop`, `raw`, `ipv4`, `ipv6`, or `linktype_N`.
pub fn link_type_name(v: i32) -> String {
    match v {
        1 => "ethernet".into(),
        113 => "linux_sll".into(),
        276 => "linux_sll2".into(),
        0 => "null".into(),
        108 => "loop".into(),
        101 | 12 | 14 => "raw".into(),
        228 => "ipv4".into(),
        229 => "ipv6".into(),
        n => format!("linktype_{n}"),
    }
}

/// A TCP segment pulled out of a packet.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// Sequence number.
    pub seq: u32,
    /// SYN flag.
    pub syn: bool,
    /// FIN flag.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// TCP payload.
    pub payload: &'a [u8],
}

/// Why a packet gave no TCP segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Not TCP over IP (ARP, UDP, ICMP...).
    NotTcp,
    /// An IP fragment (not reassembled).
    Fragment,
    /// Headers could not be parsed (truncated or malformed).
    Malformed,
}

/// Decodes a packet of link type `lt` down to its TCP segment.
pub fn tcp_segment(lt: LinkType, data: &[u8]) -> Result<Segment<'_>, Skip> {
    let sliced = match lt {
        LinkType::Ethernet => SlicedPacket::from_ethernet(data),
        LinkType::LinuxSll => SlicedPacket::from_linux_sll(data),
        LinkType::LinuxSll2 => {
            // 20-byte header; the protocol (an EtherType) comes first.
            let Some((&[p0, p1], _)) = data.split_first_chunk::<2>() else {
                return Err(Skip::Malformed);
            };
            let rest = data.get(20..).ok_or(Skip::Malformed)?;
            SlicedPacket::from_ether_type(EtherType(u16::from_be_bytes([p0, p1])), rest)
        }
        LinkType::Null | LinkType::Loop => {
            // A 4-byte address family (host or network order); the IP version nibble decides.
            SlicedPacket::from_ip(data.get(4..).ok_or(Skip::Malformed)?)
        }
        LinkType::Raw => SlicedPacket::from_ip(data),
    }
    .map_err(|_| Skip::Malformed)?;
    if sliced.is_ip_payload_fragmented() {
        return Err(Skip::Fragment);
    }
    let (sip, dip): (IpAddr, IpAddr) = match &sliced.net {
        Some(NetSlice::Ipv4(v4)) => (
            v4.header().source_addr().into(),
            v4.header().destination_addr().into(),
        ),
        Some(NetSlice::Ipv6(v6)) => (
            v6.header().source_addr().into(),
            v6.header().destination_addr().into(),
        ),
        _ => return Err(Skip::NotTcp),
    };
    let Some(TransportSlice::Tcp(t)) = &sliced.transport else {
        return Err(Skip::NotTcp);
    };
    Ok(Segment {
        src: SocketAddr::new(sip, t.source_port()),
        dst: SocketAddr::new(dip, t.destination_port()),
        seq: t.sequence_number(),
        syn: t.syn(),
        fin: t.fin(),
        rst: t.rst(),
        payload: t.payload(),
    })
}
