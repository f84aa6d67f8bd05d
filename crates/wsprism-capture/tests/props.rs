//! Properties: arbitrary input never panics; any delivery order of the same segments gives
//! the same conversation.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use proptest::prelude::*;
use wsprism_capture::synth::{write_pcap, write_pcapng, ConvOptions, Endpoints, Link};
use wsprism_capture::{inspect_capture, CaptureOptions};

fn sample() -> Vec<u8> {
    let mut s = Script::new(
        Endpoints::v4(),
        ConvOptions {
            mss: 30,
            ..ConvOptions::default()
        },
    );
    s.exchange();
    let (cap, ..) = s.finish();
    write_pcap(&cap, Link::Ethernet)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_bytes_never_panic(magic in prop::sample::select(vec![
        vec![0xd4, 0xc3, 0xb2, 0xa1], vec![0xa1, 0xb2, 0xc3, 0xd4], vec![0x4d, 0x3c, 0xb2, 0xa1],
        vec![0x0a, 0x0d, 0x0d, 0x0a], b"{".to_vec(), vec![],
    ]), body in prop::collection::vec(any::<u8>(), 0..2000)) {
        let mut bytes = magic;
        bytes.extend_from_slice(&body);
        let _ = inspect_capture(&bytes, &CaptureOptions::default());
    }

    #[test]
    fn mutated_captures_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = sample();
        for (i, v) in edits {
            let at = i.index(bytes.len());
            bytes[at] = v;
        }
        let n = cut.index(bytes.len() + 1);
        bytes.truncate(n.max(24));
        let _ = inspect_capture(&bytes, &unlimited());
    }

    #[test]
    fn delivery_order_does_not_matter(seed in any::<u64>(), dups in 0usize..6) {
        let mut s = Script::new(
            Endpoints::v6(),
            ConvOptions { mss: 23, isn: [u32::MAX - 100, 7], ..ConvOptions::default() },
        );
        s.exchange();
        let (mut cap, wire, msgs) = s.finish();
        // Keep the TCP and HTTP handshakes first; shuffle and duplicate the rest.
        let head = 5;
        let mut rest: Vec<_> = cap.segs.split_off(head);
        let mut x = seed | 1;
        let mut rnd = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for i in (1..rest.len()).rev() {
            let j = rnd(i + 1);
            rest.swap(i, j);
        }
        for _ in 0..dups {
            let k = rnd(rest.len());
            let d = rest[k].clone();
            rest.insert(rnd(rest.len()), d);
        }
        cap.segs.extend(rest);
        let bytes = write_pcapng(&[(&cap, Link::Ethernet, 9)]);
        let r = inspect_capture(&bytes, &unlimited()).unwrap();
        prop_assert_eq!(r.connections.len(), 1);
        assert_same(&r.connections[0], &wire, &msgs);
    }
}
