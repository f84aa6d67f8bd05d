//! Frames: masking, UTF-8, frame encoding, the streaming decoder and the encoder.
//!
//! Hot paths (masking, UTF-8 checks, `Decoder.push`) avoid per-call allocations and argument
//! marshalling: the JS side asks once for a buffer in wasm memory (`reserve` returns its
//! address; it is reused and only grows), copies its bytes there with one `TypedArray.set`, and
//! makes one call that works on the first `len` bytes. Results are read back from wasm memory.

use crate::args::{self, get, get_any};
use crate::errors::{arg_type, encode_error, error, protocol_error, range_error};
use wasm_bindgen::prelude::*;
use wsprism::close;
use wsprism::decoder::{DEFAULT_MAX_FRAME_SIZE, DEFAULT_MAX_MESSAGE_SIZE};
use wsprism::encoder::check_frame;
use wsprism::{
    apply_mask, encode_frame, is_valid_utf8, Decoder, DecoderConfig, Encoder, EncoderConfig, Event,
    MessageOptions, Payload, ProtocolError, Role,
};

fn ptr_of(v: &[u8]) -> u32 {
    v.as_ptr() as usize as u32
}

/// A reusable input buffer in wasm memory for `mask` and `isValidUtf8`.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct Scratch {
    buf: Vec<u8>,
}

#[wasm_bindgen]
impl Scratch {
    /// An empty scratch buffer.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// Makes room for `len` bytes and returns the buffer's address in wasm memory (valid
    /// until the next `reserve`). Throws `RangeError` for a bad or impossible length.
    pub fn reserve(&mut self, len: f64) -> Result<u32, JsValue> {
        let len = args::length(len, "length")?;
        args::grow(&mut self.buf, len)?;
        Ok(ptr_of(&self.buf))
    }

    /// Bytes available at the address `reserve` returned.
    pub fn capacity(&self) -> u32 {
        self.buf.len() as u32
    }

    /// XORs the first `len` bytes with `key` (4 bytes, little-endian in a u32), where byte 0
    /// is byte `offset` of the payload. Returns 0, or 1 if `len` exceeds the reserved bytes
    /// (a status, not a `Result`: this is the hot path, and a `Result` return costs an array
    /// allocation per call in the JS glue; the wrapper throws a `RangeError` for 1).
    pub fn mask(&mut self, len: u32, key: u32, offset: u32) -> u32 {
        match self.buf.get_mut(..len as usize) {
            Some(s) => {
                apply_mask(s, key.to_le_bytes(), offset as usize);
                0
            }
            None => 1,
        }
    }

    /// 1 if the first `len` bytes are valid UTF-8, 0 if not, 2 if `len` exceeds the reserved
    /// bytes (a status for the same reason as `mask`).
    pub fn utf8(&self, len: u32) -> u32 {
        match self.buf.get(..len as usize) {
            Some(s) => u32::from(is_valid_utf8(s)),
            None => 2,
        }
    }
}

/// Event kinds in the decoder's table.
const EV_TEXT: u32 = 1;
const EV_BINARY: u32 = 2;
const EV_PING: u32 = 3;
const EV_PONG: u32 = 4;
const EV_CLOSE: u32 = 5;
const EV_ERROR: u32 = 6;

/// The streaming decoder. `decode(len)` decodes the bytes copied to `reserve(len)`'s address
/// and returns the address of a `u32` table: `[count, (kind, ptr, len, code) × count]` where
/// `ptr`/`len` locate the (unmasked, reassembled, inflated) payload in wasm memory, `kind` is
/// 1 text, 2 binary, 3 ping, 4 pong, 5 close (`code`: status, 1005 for none), 6 error
/// (`code`: close code; details from `error()`). Valid until the next call.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmDecoder {
    dec: Decoder,
    input: Vec<u8>,
    table: Vec<u32>,
    owned: Vec<Vec<u8>>,
    error: Option<ProtocolError>,
    /// The reason of the close frame decoded (the engine's parse of its payload).
    close_reason: String,
}

#[wasm_bindgen]
impl WasmDecoder {
    /// `new WasmDecoder({ role, maxFrameSize, maxMessageSize, perMessageDeflate, maxFragments,
    /// maxBufferedChunks })`.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue) -> Result<WasmDecoder, JsValue> {
        let o = args::options(&opts, "options")?;
        let cfg = DecoderConfig {
            role: args::role(&get(&o, "role")?)?,
            max_frame_size: args::limit(
                &get(&o, "maxFrameSize")?,
                "maxFrameSize",
                DEFAULT_MAX_FRAME_SIZE,
            )?,
            max_message_size: args::limit(
                &get(&o, "maxMessageSize")?,
                "maxMessageSize",
                DEFAULT_MAX_MESSAGE_SIZE,
            )?,
            deflate: args::deflate_params(&get(&o, "perMessageDeflate")?)?,
            max_fragments: args::count_limit(&get(&o, "maxFragments")?, "maxFragments")?,
            max_buffered_chunks: args::count_limit(
                &get(&o, "maxBufferedChunks")?,
                "maxBufferedChunks",
            )?,
        };
        Ok(WasmDecoder {
            dec: Decoder::new(cfg),
            input: Vec::new(),
            table: Vec::new(),
            owned: Vec::new(),
            error: None,
            close_reason: String::new(),
        })
    }

    /// Makes room for `len` input bytes; returns their address in wasm memory.
    pub fn reserve(&mut self, len: f64) -> Result<u32, JsValue> {
        let len = args::length(len, "length")?;
        args::grow(&mut self.input, len)?;
        Ok(ptr_of(&self.input))
    }

    /// Bytes available at the address `reserve` returned.
    pub fn capacity(&self) -> u32 {
        self.input.len() as u32
    }

    /// Decodes the first `len` reserved bytes; returns the event table's address, or 0 if
    /// `len` exceeds the reserved bytes (a status, not a `Result`, on this hot path: see
    /// `Scratch::mask`).
    pub fn decode(&mut self, len: u32) -> u32 {
        self.table.clear();
        self.owned.clear();
        self.table.push(0);
        let Some(input) = self.input.get_mut(..len as usize) else {
            return 0;
        };
        let base = ptr_of(input);
        let mut pos = 0usize;
        let mut count = 0u32;
        loop {
            match self.dec.next_event(input, &mut pos) {
                Ok(Some(ev)) => {
                    let (kind, payload, code) = match ev {
                        Event::Message {
                            text: true,
                            payload,
                        } => (EV_TEXT, payload, 0),
                        Event::Message { payload, .. } => (EV_BINARY, payload, 0),
                        Event::Ping(p) => (EV_PING, p, 0),
                        Event::Pong(p) => (EV_PONG, p, 0),
                        Event::Close { code, payload } => {
                            let bytes = match &payload {
                                Payload::Input(r) => input.get(r.clone()).unwrap_or_default(),
                                Payload::Owned(v) => v.as_slice(),
                            };
                            self.close_reason = close::parse_close_payload(bytes)
                                .map_or("", |b| b.reason)
                                .to_owned();
                            (EV_CLOSE, payload, u32::from(code.unwrap_or(1005)))
                        }
                    };
                    let (ptr, n) = match payload {
                        Payload::Input(r) => (base + r.start as u32, r.len() as u32),
                        Payload::Owned(v) => {
                            let at = (ptr_of(&v), v.len() as u32);
                            self.owned.push(v);
                            at
                        }
                    };
                    self.table.extend_from_slice(&[kind, ptr, n, code]);
                    count += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    self.table
                        .extend_from_slice(&[EV_ERROR, 0, 0, u32::from(e.close_code())]);
                    count += 1;
                    self.error = Some(e);
                    break;
                }
            }
        }
        if let Some(c) = self.table.first_mut() {
            *c = count;
        }
        self.table.as_ptr() as usize as u32
    }

    /// The protocol error the decoder stopped at, as an `Error` with `code`, `closeCode`,
    /// `rfcSection`, `offset`, `kind`; `undefined` if none.
    pub fn error(&self) -> JsValue {
        self.error
            .as_ref()
            .map_or(JsValue::UNDEFINED, protocol_error)
    }

    /// Bytes of the stream consumed so far.
    pub fn offset(&self) -> f64 {
        self.dec.offset() as f64
    }

    /// The reason of the close frame decoded (a `close` event's reason; empty before one).
    #[wasm_bindgen(js_name = closeReason)]
    pub fn close_reason(&self) -> String {
        self.close_reason.clone()
    }

    /// True once a close frame was decoded.
    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.dec.is_closed()
    }

    /// What the decoder waits for, in words.
    #[wasm_bindgen(js_name = waitingFor)]
    pub fn waiting_for(&self) -> String {
        self.dec.waiting_for()
    }

    /// Bytes held in reassembly buffers.
    pub fn buffered(&self) -> f64 {
        self.dec.buffered() as f64
    }

    /// True while a frame or a fragmented message is incomplete.
    pub fn partial(&self) -> bool {
        self.dec.is_partial()
    }
}

/// A mask option: `undefined` → the role's default, `false` → none, `true` → random,
/// 4 bytes → that key.
enum MaskOpt {
    Default,
    None,
    Random,
    Key([u8; 4]),
}

fn mask_opt(v: &JsValue) -> Result<MaskOpt, JsValue> {
    if args::is_nullish(v) {
        return Ok(MaskOpt::Default);
    }
    match v.as_bool() {
        Some(true) => Ok(MaskOpt::Random),
        Some(false) => Ok(MaskOpt::None),
        None => args::key4(v, "mask").map(MaskOpt::Key),
    }
}

fn random_key() -> Result<[u8; 4], JsValue> {
    let mut k = [0u8; 4];
    getrandom::getrandom(&mut k).map_err(|e| error("ERR_RANDOM", &e.to_string()))?;
    Ok(k)
}

fn opcode_of(v: &JsValue) -> Result<u8, JsValue> {
    match args::opt_int(v, "opcode", 0.0, 15.0)? {
        Some(n) => Ok(n as u8),
        None => Err(arg_type("opcode", "a number from 0 to 15")),
    }
}

/// `encodeFrame({ opcode, payload, fin = true, rsv1, rsv2, rsv3, mask, allowInvalid })`: one
/// frame, built bit by bit. Control frames longer than 125 bytes or without FIN are refused
/// (`RangeError`) unless `allowInvalid`.
#[wasm_bindgen(js_name = encodeFrame)]
pub fn encode_frame_js(opts: JsValue) -> Result<Vec<u8>, JsValue> {
    let o = args::options(&opts, "options")?;
    if o.is_none() {
        return Err(arg_type("options", "an object"));
    }
    let opcode = opcode_of(&get(&o, "opcode")?)?;
    let p = get(&o, "payload")?;
    let payload = if args::is_nullish(&p) {
        Vec::new()
    } else {
        args::bytes_or_string(&p, "payload")?
    };
    let fin = args::flag(&get(&o, "fin")?, "fin", true)?;
    let rsv = [
        args::flag(&get(&o, "rsv1")?, "rsv1", false)?,
        args::flag(&get(&o, "rsv2")?, "rsv2", false)?,
        args::flag(&get(&o, "rsv3")?, "rsv3", false)?,
    ];
    let allow_invalid = args::flag(&get(&o, "allowInvalid")?, "allowInvalid", false)?;
    if !allow_invalid {
        check_frame(opcode, fin, payload.len()).map_err(|e| encode_error(&e))?;
    }
    let mask = match mask_opt(&get(&o, "mask")?)? {
        MaskOpt::Default | MaskOpt::None => None,
        MaskOpt::Random => Some(random_key()?),
        MaskOpt::Key(k) => Some(k),
    };
    let mut out = Vec::new();
    out.try_reserve(payload.len() + 14)
        .map_err(|_| crate::errors::out_of_memory(payload.len()))?;
    encode_frame(&mut out, fin, rsv, opcode, mask, &payload).map_err(|e| encode_error(&e))?;
    Ok(out)
}

/// The encoder: `new WasmEncoder({ role, perMessageDeflate, level, memLevel })`. A client masks every
/// frame with a random key from `crypto.getRandomValues` unless a key is given.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmEncoder {
    enc: Encoder,
    role: Role,
}

struct MsgArgs {
    text: bool,
    fin: bool,
    opts: MessageOptions,
}

#[wasm_bindgen]
impl WasmEncoder {
    /// A new encoder.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue) -> Result<WasmEncoder, JsValue> {
        let o = args::options(&opts, "options")?;
        let role = args::role(&get(&o, "role")?)?;
        let deflate = args::deflate_params(&get(&o, "perMessageDeflate")?)?;
        let level = args::opt_int(&get(&o, "level")?, "level", 0.0, 9.0)?.map(|n| n as u32);
        let mem_level =
            args::opt_int(&get(&o, "memLevel")?, "memLevel", 1.0, 9.0)?.map(|n| n as u8);
        Ok(WasmEncoder {
            enc: Encoder::new(EncoderConfig {
                role,
                deflate,
                level,
                mem_level,
            }),
            role,
        })
    }

    fn msg_args(&mut self, data: &JsValue, opts: &JsValue) -> Result<MsgArgs, JsValue> {
        let o = args::options(opts, "options")?;
        let binary = get(&o, "binary")?;
        let text = if binary.is_undefined() {
            data.is_string()
        } else {
            !binary.is_truthy()
        };
        let compress = args::flag(&get(&o, "compress")?, "compress", false)?;
        let fin = args::flag(&get(&o, "fin")?, "fin", true)?;
        let fragment_size = args::opt_int(
            &get_any(&o, &["fragmentSize", "fragment_size"])?,
            "fragmentSize",
            1.0,
            args::MAX_INPUT as f64,
        )?
        .map(|n| n as usize);
        // `mask: false`: a client's frames go out unmasked (RFC 6455 §5.1 forbids it; a
        // server closes with 1002): for testing servers, as `ws`'s per-send `mask: false`.
        let m = get(&o, "mask")?;
        let unmasked = self.role == Role::Client && m.as_bool() == Some(false);
        let mask = if unmasked { None } else { self.key_for(&m)? };
        Ok(MsgArgs {
            text,
            fin,
            opts: MessageOptions {
                fragment_size,
                compress,
                mask,
                unmasked,
            },
        })
    }

    /// The fixed key for a frame, if any (`None`: the engine's default for the role).
    fn key_for(&self, v: &JsValue) -> Result<Option<[u8; 4]>, JsValue> {
        match mask_opt(v)? {
            MaskOpt::Key(k) if self.role == Role::Client => Ok(Some(k)),
            MaskOpt::Key(_) | MaskOpt::Random => Ok(None),
            MaskOpt::None if self.role == Role::Client => Err(range_error(
                crate::errors::INVALID_ARG_VALUE,
                "a client must mask every frame (RFC 6455 §5.3)",
            )),
            MaskOpt::None | MaskOpt::Default => Ok(None),
        }
    }

    /// `message(data, { binary, compress, fin, mask, fragmentSize })`: a string is sent as
    /// text unless `binary`; bytes as binary unless `binary: false`. `fin: false` sends a
    /// fragment of a message continued by later calls.
    pub fn message(&mut self, data: JsValue, opts: JsValue) -> Result<Vec<u8>, JsValue> {
        let bytes = args::bytes_or_string(&data, "data")?;
        let a = self.msg_args(&data, &opts)?;
        let mut out = Vec::new();
        out.try_reserve(bytes.len() + 14)
            .map_err(|_| crate::errors::out_of_memory(bytes.len()))?;
        let r = if a.fin && !self.enc.in_message() {
            self.enc.message(a.text, &bytes, &a.opts, &mut out)
        } else {
            self.enc.fragment(a.text, &bytes, a.fin, &a.opts, &mut out)
        };
        r.map_err(|e| encode_error(&e))?;
        Ok(out)
    }

    fn control(&mut self, op: u8, data: &JsValue, mask: &JsValue) -> Result<Vec<u8>, JsValue> {
        let bytes = if args::is_nullish(data) {
            Vec::new()
        } else {
            if data.is_string() {
                args::string(data, "data", args::MAX_SHORT_STRING)?;
            }
            args::bytes_or_string(data, "data")?
        };
        let key = self.key_for(mask)?;
        let op = match op {
            9 => wsprism::OpCode::Ping,
            _ => wsprism::OpCode::Pong,
        };
        let mut out = Vec::new();
        self.enc
            .control(op, &bytes, key, &mut out)
            .map_err(|e| encode_error(&e))?;
        Ok(out)
    }

    /// A ping (at most 125 bytes; `RangeError` otherwise).
    pub fn ping(&mut self, data: JsValue, mask: JsValue) -> Result<Vec<u8>, JsValue> {
        self.control(9, &data, &mask)
    }

    /// A pong (at most 125 bytes).
    pub fn pong(&mut self, data: JsValue, mask: JsValue) -> Result<Vec<u8>, JsValue> {
        self.control(10, &data, &mask)
    }

    /// A close frame: `code` (omitted: no status) and `reason` (a string or UTF-8 bytes, at most
    /// 123 bytes).
    pub fn close(&mut self, code: JsValue, reason: JsValue) -> Result<Vec<u8>, JsValue> {
        let code = args::opt_int(&code, "code", 0.0, 65535.0)?.map(|n| n as u16);
        let reason = if args::is_nullish(&reason) {
            String::new()
        } else if reason.is_string() {
            args::string(&reason, "reason", args::MAX_SHORT_STRING)?
        } else {
            let b = args::bytes(&reason, "reason")?;
            String::from_utf8(b).map_err(|_| {
                range_error(
                    "WS_ERR_INVALID_UTF8",
                    "close reason must be valid UTF-8 (RFC 6455 §5.5.1)",
                )
            })?
        };
        let mut out = Vec::new();
        self.enc
            .close(code, &reason, &mut out)
            .map_err(|e| encode_error(&e))?;
        Ok(out)
    }

    /// True if permessage-deflate is on.
    #[wasm_bindgen(js_name = canCompress)]
    pub fn can_compress(&self) -> bool {
        self.enc.can_compress()
    }

    /// True while a message begun with `fin: false` is unfinished.
    #[wasm_bindgen(js_name = inMessage)]
    pub fn in_message(&self) -> bool {
        self.enc.in_message()
    }
}
