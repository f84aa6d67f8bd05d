//! # wsprism
//!
//! A sans-io WebSocket protocol engine: RFC 6455 frames and the opening handshake, RFC 7692
//! permessage-deflate, masking, incremental UTF-8 validation, fragmentation, control and close
//! frames, and limits. Bytes in, events out: no sockets, no threads, no global state, so the
//! same code runs in a Node addon, in WebAssembly and in a CLI.
//!
//! ```
//! use wsprism::{Decoder, DecoderConfig, Encoder, EncoderConfig, Event, MessageOptions, Role};
//!
//! // A client encodes a masked text message...
//! let mut client = Encoder::new(EncoderConfig { role: Role::Client, ..Default::default() });
//! let mut wire = Vec::new();
//! client.message(true, "héllo".as_bytes(), &MessageOptions::default(), &mut wire).unwrap();
//!
//! // ...the server decodes it, unmasking in place, in any chunking.
//! let mut server = Decoder::new(DecoderConfig { role: Role::Server, ..Default::default() });
//! let (a, b) = wire.split_at_mut(3);
//! assert!(server.decode_all(a).unwrap().is_empty()); // half a frame: nothing yet
//! let events = server.decode_all(b).unwrap();
//! assert!(matches!(&events[..], [Event::Message { text: true, payload }] if payload.len() == 6));
//! ```
//!
//! Modules, one concern each: [`frame`] (header), [`mask`], [`utf8`], [`decoder`], [`encoder`],
//! [`close`], [`handshake`], [`deflate`], [`error`], [`inspect`], [`stats`].

#![deny(unsafe_code)]
#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod close;
pub mod decoder;
pub mod deflate;
pub mod encoder;
pub mod error;
pub mod frame;
pub mod handshake;
pub mod inspect;
pub mod mask;
pub mod stats;
pub mod utf8;

pub use close::CloseCode;
pub use decoder::{Decoder, DecoderConfig, Event, EventRef, Payload};
pub use deflate::{DeflateConfig, DeflateParams};
pub use encoder::{encode_frame, Encoder, EncoderConfig, MessageOptions};
pub use error::{EncodeError, ProtocolError, ProtocolErrorKind};
pub use frame::{FrameHeader, OpCode, Parsed, Role};
pub use handshake::{accept_key, HandshakeError, HeaderError};
pub use mask::apply_mask;
pub use utf8::{is_valid_utf8, Utf8Validator};
