//! # wsprism-wasm
//!
//! WebAssembly bindings of the [`wsprism`] engine for the `wsprism-web` npm package. Glue only:
//! every function checks its JS arguments, calls the engine and converts the result. There is
//! no protocol logic here.
//!
//! **Nothing traps.** A trapped wasm instance is dead for the rest of the page, so every
//! export returns `Result<_, JsValue>`: bad arguments become a `TypeError`/`RangeError` with a
//! `code` (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`, ...), a peer's protocol violation an
//! `Error` with `code` (`WS_ERR_*`), `closeCode`, `rfcSection` and `offset`. Sizes are checked
//! before anything is copied into wasm memory and buffers grow with `try_reserve`, so even an
//! impossible length is a `RangeError`, not an out-of-memory abort. The crate is built with
//! `panic = "abort"`; the engine and this crate deny `unwrap`/`expect`/indexing/`panic!`.
//!
//! The JS wrapper (`packages/wsprism-web/src/api.js`) gives these exports the public names and
//! shapes shared with the Node package; the raw exports here are not a public API.

//!
//! Cargo features: `codec` (the engine: frames, masking, UTF-8, handshakes, deflate, inspect)
//! and `capture` (the capture decoder and writer) are built into two separate `.wasm` modules
//! by `scripts/build-wasm.sh`, so a page that decodes frames does not load pcap parsing.

#[cfg(feature = "codec")]
pub mod api;
pub mod args;
#[cfg(feature = "capture")]
pub mod capture;
#[cfg(feature = "capture")]
pub mod capture_session;
#[cfg(feature = "codec")]
pub mod codec;
pub mod errors;
#[cfg(feature = "capture")]
pub mod write_capture;

#[cfg(feature = "codec")]
pub use api::*;
#[cfg(feature = "capture")]
pub use capture::inspect_capture_json;
#[cfg(feature = "capture")]
pub use capture_session::{open_capture_session, CaptureSession};
#[cfg(feature = "codec")]
pub use codec::{encode_frame_js, Scratch, WasmDecoder, WasmEncoder};
#[cfg(feature = "capture")]
pub use write_capture::write_capture;
