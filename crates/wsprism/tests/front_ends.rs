//! The engine functions the front ends (napi, wasm, CLI) call instead of judging frames or
//! header strings themselves: `encoder::check_frame` for a hand-built frame, and the
//! `handshake::http` checks behind every head builder.

#![allow(clippy::unwrap_used)]

use wsprism::encoder::check_frame;
use wsprism::EncodeError;

#[test]
fn check_frame_applies_control_rules_to_0x8_and_up() {
    for op in 0x0..=0x7u8 {
        assert_eq!(
            check_frame(op, false, 1 << 20),
            Ok(()),
            "data opcode {op:#x}"
        );
    }
    for op in 0x8..=0xfu8 {
        assert_eq!(check_frame(op, true, 125), Ok(()), "{op:#x}");
        assert_eq!(check_frame(op, true, 0), Ok(()), "{op:#x}");
        assert_eq!(
            check_frame(op, true, 126),
            Err(EncodeError::ControlTooLong(126)),
            "{op:#x}"
        );
        assert_eq!(
            check_frame(op, false, 0),
            Err(EncodeError::FragmentedControl),
            "{op:#x}"
        );
    }
    assert_eq!(
        check_frame(16, true, 0),
        Err(EncodeError::OpcodeOutOfRange(16))
    );
    assert_eq!(
        check_frame(0xff, true, 0).unwrap_err().code(),
        "WS_ERR_INVALID_OPCODE"
    );
}
