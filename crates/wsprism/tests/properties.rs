//! Property tests: encode → decode gives the messages back, whatever the options and however
//! the bytes are cut; arbitrary bytes never panic the decoder or the inspector.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]

mod common;
use common::*;
use proptest::prelude::*;
use wsprism::inspect::{inspect_stream, InspectOptions};
use wsprism::{DecoderConfig, DeflateParams, Encoder, EncoderConfig, MessageOptions, Role};

#[derive(Debug, Clone)]
enum Msg {
    Text(String),
    Binary(Vec<u8>),
    Ping(Vec<u8>),
}

fn msg() -> impl Strategy<Value = Msg> {
    prop_oneof![
        ".{0,300}".prop_map(Msg::Text),
        proptest::collection::vec(any::<u8>(), 0..2000).prop_map(Msg::Binary),
        proptest::collection::vec(any::<u8>(), 0..=125).prop_map(Msg::Ping),
    ]
}

fn params() -> impl Strategy<Value = Option<DeflateParams>> {
    prop_oneof![
        Just(None),
        (any::<bool>(), any::<bool>(), 8u8..=15, 8u8..=15).prop_map(|(s, c, sb, cb)| Some(
            DeflateParams {
                server_no_context_takeover: s,
                client_no_context_takeover: c,
                server_max_window_bits: sb,
                client_max_window_bits: cb,
            }
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn roundtrip_any_chunking(
        msgs in proptest::collection::vec(msg(), 1..8),
        deflate in params(),
        client in any::<bool>(),
        fragment in proptest::option::of(1usize..64),
        compress in any::<bool>(),
        cuts in proptest::collection::vec(0usize..20_000, 0..12),
    ) {
        let (send_role, recv_role) = if client { (Role::Client, Role::Server) } else { (Role::Server, Role::Client) };
        let mut enc = Encoder::new(EncoderConfig { role: send_role, deflate, level: None, mem_level: None });
        let mut wire = Vec::new();
        let mut want = Vec::new();
        for m in &msgs {
            let opts = MessageOptions { fragment_size: fragment, compress: compress && deflate.is_some(), mask: None, unmasked: false };
            match m {
                Msg::Text(t) => { enc.message(true, t.as_bytes(), &opts, &mut wire).unwrap(); want.push(Ev::Text(t.clone())); }
                Msg::Binary(b) => { enc.message(false, b, &opts, &mut wire).unwrap(); want.push(Ev::Binary(b.clone())); }
                Msg::Ping(p) => { enc.ping(p, &mut wire).unwrap(); want.push(Ev::Ping(p.clone())); }
            }
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (wire.len() + 1)).collect();
        cuts.sort_unstable();
        let cfg = DecoderConfig { role: recv_role, deflate, ..Default::default() };
        let (evs, e) = decode_chunks(cfg, &wire, &cuts);
        prop_assert!(e.is_none(), "{:?}", e);
        prop_assert_eq!(evs, want);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_chunking_never_matters(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        server in any::<bool>(),
        deflate in params(),
        cut in 0usize..600,
    ) {
        let role = if server { Role::Server } else { Role::Client };
        let cfg = DecoderConfig { role, deflate, max_frame_size: 1 << 16, max_message_size: 1 << 16, ..Default::default() };
        let whole = decode_chunks(cfg, &bytes, &[]);
        let split = decode_chunks(cfg, &bytes, &[cut.min(bytes.len())]);
        prop_assert_eq!(&whole, &split);
        let r = inspect_stream(&bytes, &InspectOptions { role, deflate, max_frame_size: 1 << 16, max_message_size: 1 << 16 });
        prop_assert_eq!(r.error.map(|e| e.offset), whole.1.map(|e| e.offset));
    }
}
