//! Node.js bindings for the wsprism engine (napi-rs). Glue only: every protocol rule lives in
//! the `wsprism` crate; this crate converts arguments and results and nothing else.
//!
//! The JavaScript wrapper (`packages/wsprism/index.js`) is the public API; the functions here
//! are its private native half and are shaped for speed rather than comfort:
//!
//! - [`NativeDecoder::push`] decodes a whole socket chunk in **one** call, unmasking it in place
//!   in the caller's `Buffer`, and describes the events as rows of a caller-provided
//!   `Uint32Array` (type/flags, start, end). Payloads that lie in the chunk are described by
//!   their range, so JS turns them into `chunk.subarray(start, end)` without copying; only
//!   payloads the engine had to assemble (fragmented, compressed, or split across chunks) cross
//!   as `Buffer`s, handed over without a copy.
//! - Structured results that are not on a hot path (inspection reports, handshakes) cross as
//!   JSON text produced by the engine's serde derives.

#![allow(missing_docs)]
// the napi macros generate undocumented items; the .d.ts documents the API
// napi-derive leaves the registration (and so the raw callbacks) out of test builds.
#![cfg_attr(test, allow(dead_code))]

use napi::bindgen_prelude::{Array, Buffer, BufferSlice, Either, ObjectFinalize};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;

mod raw;

#[cfg(target_os = "linux")]
mod alloc;
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: alloc::Alloc = alloc::Alloc;
use serde_json::{json, Value};
use wsprism::close::{self, CloseCode};
use wsprism::deflate::{self, DeflateConfig};
use wsprism::handshake::{self, Extension, HandshakeError, HandshakeErrorKind, Parsed};
use wsprism::inspect::{self, InspectOptions};
use wsprism::{
    Decoder, DecoderConfig, DeflateParams, EncodeError, Encoder, EncoderConfig, Event, Lookahead,
    MessageOptions, Payload, Role,
};
use wsprism_capture::{CaptureError, CaptureOptions, MAX_JS_STRING};

// ---------------------------------------------------------------------------------------------
// Errors

/// The engine's `WS_ERR_*` code for an encoder error.
fn encode_error_code(e: &EncodeError) -> &'static str {
    e.code()
}

/// Thrown as a JS `Error` whose `code` is the `WS_ERR_*` string; the JS wrapper turns the
/// argument-shaped ones into `RangeError`s.
fn encode_err(e: EncodeError) -> Error<String> {
    Error::new(encode_error_code(&e).to_string(), e.to_string())
}

/// Thrown as a JS `Error` whose `code` is the engine's (`ERR_INVALID_HTTP_TOKEN`,
/// `ERR_INVALID_CHAR`, `ERR_UNESCAPED_CHARACTERS`); the JS wrapper makes it a `TypeError`.
fn header_err(e: wsprism::HeaderError) -> Error<String> {
    Error::new(e.code().to_string(), e.to_string())
}

fn json_err(e: serde_json::Error) -> Error {
    Error::new(Status::GenericFailure, format!("JSON: {e}"))
}

fn json_string(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(json_err)
}

fn role(server: bool) -> Role {
    if server {
        Role::Server
    } else {
        Role::Client
    }
}

/// JS numbers to u64 limits: non-finite or huge means "no limit"; the wrapper checks the rest.
fn limit(v: f64) -> u64 {
    if v.is_finite() && v >= 0.0 && v < u64::MAX as f64 {
        v as u64
    } else {
        u64::MAX
    }
}

/// A count limit from JS (checked there): 0 (none) unless a positive number; capped at u32::MAX.
fn count_limit(v: Option<f64>) -> u32 {
    match v {
        Some(n) if n >= 1.0 => n.min(f64::from(u32::MAX)) as u32,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Small functions

#[napi]
pub fn accept_key(key: String) -> String {
    handshake::accept_key(&key)
}

#[napi]
pub fn generate_key() -> Result<String> {
    handshake::generate_key()
        .map_err(|e| Error::new(Status::GenericFailure, format!("no random source: {e}")))
}

/// One frame. `mask` is the key as a big-endian u32 (`None`: unmasked). Control-frame rules
/// (FIN, payload ≤ 125) are the engine's `check_frame`, skipped with `allow_invalid`.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn encode_frame(
    opcode: u32,
    payload: BufferSlice,
    fin: bool,
    rsv1: bool,
    rsv2: bool,
    rsv3: bool,
    mask: Option<u32>,
    allow_invalid: bool,
) -> std::result::Result<Buffer, Error<String>> {
    let op = u8::try_from(opcode).map_err(|_| encode_err(EncodeError::OpcodeOutOfRange(255)))?;
    if !allow_invalid {
        wsprism::encoder::check_frame(op, fin, payload.len()).map_err(encode_err)?;
    }
    let mut out = Vec::new();
    wsprism::encode_frame(
        &mut out,
        fin,
        [rsv1, rsv2, rsv3],
        op,
        mask.map(u32::to_be_bytes),
        &payload,
    )
    .map_err(encode_err)?;
    Ok(out.into())
}

// ---------------------------------------------------------------------------------------------
// permessage-deflate parameters and configuration

/// Agreed permessage-deflate parameters (RFC 7692 §7.1), as JS passes them.
#[napi(object)]
pub struct DeflateParamsJs {
    pub server_no_context_takeover: Option<bool>,
    pub client_no_context_takeover: Option<bool>,
    pub server_max_window_bits: Option<u32>,
    pub client_max_window_bits: Option<u32>,
}

fn bits(v: Option<u32>) -> u8 {
    v.and_then(|b| u8::try_from(b).ok()).unwrap_or(15)
}

impl From<DeflateParamsJs> for DeflateParams {
    fn from(p: DeflateParamsJs) -> Self {
        DeflateParams {
            server_no_context_takeover: p.server_no_context_takeover.unwrap_or(false),
            client_no_context_takeover: p.client_no_context_takeover.unwrap_or(false),
            server_max_window_bits: bits(p.server_max_window_bits),
            client_max_window_bits: bits(p.client_max_window_bits),
        }
    }
}

fn params_json(p: &DeflateParams) -> Value {
    json!({
        "serverNoContextTakeover": p.server_no_context_takeover,
        "clientNoContextTakeover": p.client_no_context_takeover,
        "serverMaxWindowBits": p.server_max_window_bits,
        "clientMaxWindowBits": p.client_max_window_bits,
    })
}

/// What a server agrees to or a client asks for (`ws` option names, validated by the wrapper).
#[napi(object)]
pub struct DeflateConfigJs {
    pub server_no_context_takeover: Option<bool>,
    pub client_no_context_takeover: Option<bool>,
    pub server_max_window_bits: Option<u32>,
    pub client_max_window_bits: Option<u32>,
    pub level: Option<u32>,
}

impl From<DeflateConfigJs> for DeflateConfig {
    fn from(c: DeflateConfigJs) -> Self {
        let d = DeflateConfig::default();
        DeflateConfig {
            server_no_context_takeover: c.server_no_context_takeover.unwrap_or(false),
            client_no_context_takeover: c.client_no_context_takeover.unwrap_or(false),
            server_max_window_bits: c.server_max_window_bits.and_then(|b| u8::try_from(b).ok()),
            client_max_window_bits: c.client_max_window_bits.and_then(|b| u8::try_from(b).ok()),
            level: c.level.unwrap_or(d.level),
        }
    }
}

fn extensions_from_header(value: &str) -> std::result::Result<Vec<Extension>, HandshakeError> {
    handshake::parse_extensions(value)
}

/// Extensions as a `Sec-WebSocket-Extensions` value, written and checked by the engine
/// (`handshake::format_extensions`). Each entry is `[name, key, value, key, value, ...]`, a
/// `null` value for a parameter without one (index.js flattens `[{ name, params }]` to this).
#[napi]
pub fn format_extensions(
    list: Vec<Vec<Option<String>>>,
) -> std::result::Result<String, Error<String>> {
    let exts: Vec<Extension> = list
        .into_iter()
        .map(|e| {
            let mut it = e.into_iter();
            let name = it.next().flatten().unwrap_or_default();
            let mut params = Vec::new();
            while let Some(k) = it.next() {
                params.push((k.unwrap_or_default(), it.next().flatten()));
            }
            Extension { name, params }
        })
        .collect();
    handshake::format_extensions(&exts).map_err(header_err)
}

/// Server side: `Sec-WebSocket-Extensions` offers → `{"response", "params"}` JSON, or `None`.
#[napi]
pub fn negotiate_deflate(offers: String, config: DeflateConfigJs) -> Result<Option<String>> {
    let Ok(exts) = extensions_from_header(&offers) else {
        return Ok(None);
    };
    match deflate::negotiate(&exts, &config.into()) {
        Some(n) => Ok(Some(json_string(
            &json!({ "response": n.response, "params": params_json(&n.params) }),
        )?)),
        None => Ok(None),
    }
}

#[napi]
pub fn deflate_offer(config: DeflateConfigJs) -> String {
    deflate::client_offer(&config.into())
}

/// Client side: the server's `Sec-WebSocket-Extensions` value → params JSON, `None` if it did
/// not accept permessage-deflate; throws on an unacceptable answer.
#[napi]
pub fn accept_deflate(response: String, config: DeflateConfigJs) -> Result<Option<String>> {
    let exts = extensions_from_header(&response)
        .map_err(|e| Error::new(Status::InvalidArg, e.to_string()))?;
    let Some(ext) = exts.iter().find(|e| e.name == deflate::NAME) else {
        return Ok(None);
    };
    let p = deflate::accept_response(ext, &config.into())
        .map_err(|e| Error::new(Status::InvalidArg, e.to_string()))?;
    Ok(Some(json_string(&params_json(&p))?))
}

// ---------------------------------------------------------------------------------------------
// Inspection

fn inspect_options(
    server: bool,
    deflate: Option<DeflateParamsJs>,
    max_frame_size: f64,
    max_message_size: f64,
) -> InspectOptions {
    InspectOptions {
        role: role(server),
        deflate: deflate.map(Into::into),
        max_frame_size: limit(max_frame_size),
        max_message_size: limit(max_message_size),
    }
}

#[napi]
pub fn inspect_frame(
    bytes: BufferSlice,
    server: bool,
    deflate: Option<DeflateParamsJs>,
    max_frame_size: f64,
    max_message_size: f64,
) -> Result<String> {
    let opts = inspect_options(server, deflate, max_frame_size, max_message_size);
    json_string(&inspect::inspect_frame(&bytes, &opts))
}

#[napi]
pub fn inspect_stream(
    bytes: BufferSlice,
    server: bool,
    deflate: Option<DeflateParamsJs>,
    max_frame_size: f64,
    max_message_size: f64,
) -> Result<String> {
    let opts = inspect_options(server, deflate, max_frame_size, max_message_size);
    json_string(&inspect::inspect_stream(&bytes, &opts))
}

// ---------------------------------------------------------------------------------------------
// Captures

fn capture_err(e: CaptureError) -> Error<String> {
    Error::new(e.code().to_string(), e.to_string())
}

/// `maxBytes` as the capture crate takes it: absent → its default, 0 or non-finite → all.
fn capture_max_bytes(v: Option<f64>, default: Option<usize>) -> Option<usize> {
    match v {
        None => default,
        Some(n) if n.is_finite() && n >= 1.0 && n < usize::MAX as f64 => Some(n as usize),
        Some(_) => None,
    }
}

/// The report of a pcap, pcapng or HAR file (`docs/capture.md`) as JSON text; the JS wrapper
/// checks the options and parses it. A file that is not a capture at all throws an `Error`
/// whose `code` is the capture crate's (`CAPTURE_UNSUPPORTED_FORMAT`, ...).
#[napi]
pub fn inspect_capture(
    bytes: BufferSlice,
    max_bytes: Option<f64>,
    max_frame_size: Option<f64>,
    max_message_size: Option<f64>,
) -> std::result::Result<String, Error<String>> {
    let d = CaptureOptions::default();
    let opts = CaptureOptions {
        max_bytes: capture_max_bytes(max_bytes, d.max_bytes),
        max_frame_size: max_frame_size.map_or(d.max_frame_size, limit),
        max_message_size: max_message_size.map_or(d.max_message_size, limit),
    };
    wsprism_capture::inspect_capture_json(&bytes, &opts, MAX_JS_STRING).map_err(capture_err)
}

// ---------------------------------------------------------------------------------------------
// Handshake

fn handshake_error_json(e: &HandshakeError) -> Value {
    json!({ "status": e.status, "code": e.code(), "message": e.to_string() })
}

fn headers_json(hs: &[handshake::Header]) -> Value {
    Value::Array(
        hs.iter()
            .map(|h| json!([h.name, h.value]))
            .collect::<Vec<_>>(),
    )
}

fn extensions_json(exts: &[Extension]) -> Value {
    Value::Array(
        exts.iter()
            .map(|e| {
                let params: serde_json::Map<String, Value> = e
                    .params
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.clone().map_or(Value::Bool(true), Value::String),
                        )
                    })
                    .collect();
                json!({ "name": e.name, "params": params })
            })
            .collect(),
    )
}

/// `{"complete":false}`, `{"complete":true,...}` or `{"error":{status,message}}`.
#[napi]
pub fn parse_request(buf: BufferSlice, max_size: u32) -> Result<String> {
    let v = match handshake::parse_request(&buf, max_size as usize) {
        Ok(Parsed::NeedMore(_)) => json!({ "complete": false }),
        Ok(Parsed::Complete { value: r, len }) => json!({
            "complete": true,
            "length": len,
            "method": r.method,
            "path": r.path,
            "httpVersion": format!("1.{}", r.http_minor),
            "headers": headers_json(&r.headers),
        }),
        Err(e) => json!({ "error": handshake_error_json(&e) }),
    };
    json_string(&v)
}

fn rejection(e: &HandshakeError) -> Value {
    let mut v = handshake_error_json(e);
    if let Value::Object(m) = &mut v {
        m.insert("ok".into(), Value::Bool(false));
        m.insert(
            "response".into(),
            Value::String(String::from_utf8_lossy(&handshake::build_rejection(e)).into_owned()),
        );
    }
    v
}

/// Parses and validates an upgrade request (RFC 6455 §4.2.1).
#[napi]
pub fn validate_request(buf: BufferSlice, max_size: u32) -> Result<String> {
    let v = match handshake::parse_request(&buf, max_size as usize) {
        Ok(Parsed::Complete { value: r, len }) => match r.validate() {
            Ok(u) => json!({
                "ok": true,
                "length": len,
                "accept": u.accept,
                "key": u.key,
                "path": u.path,
                "host": u.host,
                "origin": u.origin,
                "protocols": u.protocols,
                "extensions": extensions_json(&u.extensions),
                "headers": headers_json(&r.headers),
            }),
            Err(e) => rejection(&e),
        },
        Ok(Parsed::NeedMore(_)) => rejection(&HandshakeError {
            status: 400,
            kind: HandshakeErrorKind::Http("incomplete request head".into()),
        }),
        Err(e) => rejection(&e),
    };
    json_string(&v)
}

#[napi]
pub fn build_response(
    accept: String,
    protocol: Option<String>,
    extensions: Option<String>,
    headers: Vec<Vec<String>>,
) -> std::result::Result<Buffer, Error<String>> {
    let extra: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|h| match h.as_slice() {
            [k, v] => Some((k.as_str(), v.as_str())),
            _ => None,
        })
        .collect();
    handshake::build_response(&accept, protocol.as_deref(), extensions.as_deref(), &extra)
        .map(Buffer::from)
        .map_err(header_err)
}

/// Parses a server's response head and validates it for `key`, the offered `protocols` and the
/// offered extension names (RFC 6455 §4.1).
#[napi]
pub fn parse_response(
    buf: BufferSlice,
    max_size: u32,
    key: Option<String>,
    protocols: Vec<String>,
    extensions: Vec<String>,
) -> std::result::Result<String, Error<String>> {
    if let Some(k) = &key {
        // never written anywhere, but held to the same rule as a key the client sends
        handshake::check_value("options.key", k).map_err(header_err)?;
    }
    let v = match handshake::parse_response(&buf, max_size as usize) {
        Ok(Parsed::NeedMore(_)) => json!({ "complete": false }),
        Ok(Parsed::Complete { value: r, len }) => {
            let mut v = json!({
                "complete": true,
                "length": len,
                "status": r.status,
                "reason": r.reason,
                "headers": headers_json(&r.headers),
            });
            let verdict = match &key {
                None => json!({ "ok": r.status == 101 }),
                Some(key) => {
                    let ps: Vec<&str> = protocols.iter().map(String::as_str).collect();
                    let es: Vec<&str> = extensions.iter().map(String::as_str).collect();
                    match r.validate(key, &ps, &es) {
                        Ok(a) => json!({
                            "ok": true,
                            "protocol": a.protocol,
                            "extensions": extensions_json(&a.extensions),
                        }),
                        Err(e) => {
                            json!({ "ok": false, "code": e.code(), "message": e.to_string() })
                        }
                    }
                }
            };
            if let (Value::Object(m), Value::Object(add)) = (&mut v, verdict) {
                m.extend(add);
            }
            v
        }
        Err(e) => json!({ "error": handshake_error_json(&e) }),
    };
    json_string(&v).map_err(|e| Error::new(e.status.as_ref().to_string(), e.reason.clone()))
}

/// A client's upgrade request head.
#[napi]
pub fn build_request(
    host: String,
    path: String,
    key: String,
    protocols: Vec<String>,
    extensions: Option<String>,
    origin: Option<String>,
    headers: Vec<Vec<String>>,
) -> std::result::Result<Buffer, Error<String>> {
    let ps: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let extra: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|h| match h.as_slice() {
            [k, v] => Some((k.as_str(), v.as_str())),
            _ => None,
        })
        .collect();
    handshake::ClientRequest {
        host: &host,
        path: &path,
        key: &key,
        protocols: &ps,
        extensions: extensions.as_deref(),
        origin: origin.as_deref(),
        extra_headers: &extra,
    }
    .to_bytes()
    .map(Buffer::from)
    .map_err(header_err)
}

// ---------------------------------------------------------------------------------------------
// The decoder: one call per socket chunk

/// Row `type` values (low 4 bits: the opcode of the event; 15 = error). A close row is
/// `T_CLOSE | F_EXTRA | code << 16` (1005 for "no status", RFC 6455 §7.1.5), its payload
/// `extra[start]` and its reason `extra[start + 1]`.
const T_TEXT: u32 = 1;
const T_BINARY: u32 = 2;
const T_CLOSE: u32 = 8;
const T_PING: u32 = 9;
const T_PONG: u32 = 10;
const T_ERROR: u32 = 15;
/// Flag: the payload (or error) is `extra[start]`, not the chunk range `start..end`.
const F_EXTRA: u32 = 16;

/// Assembled payloads up to this size are copied into a buffer V8 allocates, and the engine's
/// `Vec` is freed at once (so the next message reuses that memory, hot in cache). Measured with
/// bench/node-codec.mjs (64 KiB and 1 MiB frames split across 64 KiB chunks): handing the `Vec`
/// over as an external buffer instead was 2-4x slower at 64 KiB and 1.3x slower at 1 MiB —
/// every message then lands in fresh memory (page faults, `clear_page`) that is only freed when
/// V8 collects the buffer. Larger payloads are handed over without a copy, their size reported
/// to V8 (`napi_adjust_external_memory`) so the collector frees them in time.
const COPY_MAX: usize = 64 << 20;

/// A protocol error as JS sees it.
#[napi(object)]
pub struct ProtocolErrorJs {
    pub code: String,
    pub close_code: u32,
    pub rfc_section: String,
    pub message: String,
    pub offset: f64,
    /// The number the violation is about, for messages in `ws`'s words: the opcode (reserved
    /// opcode, continuation expected or unexpected: 0), the control payload length, the close
    /// code, or the frame/message length over the limit.
    pub detail: Option<f64>,
}

/// [`ProtocolErrorJs::detail`] of an engine error ([`wsprism::ProtocolErrorKind::detail`]; f64
/// is exact enough for the JS layer's comparison with 2^53 - 1).
fn protocol_error_detail(kind: &wsprism::ProtocolErrorKind) -> Option<f64> {
    kind.detail().map(|d| d as f64)
}

fn owned_buffer<'env>(env: &'env Env, mut v: Vec<u8>) -> Result<BufferSlice<'env>> {
    if v.len() <= COPY_MAX {
        return BufferSlice::copy_from(env, v.as_slice());
    }
    let cap = i64::try_from(v.capacity()).unwrap_or(i64::MAX);
    let ptr = v.as_mut_ptr();
    let len = v.len();
    env.adjust_external_memory(cap)?;
    // SAFETY: `ptr..ptr+len` is the heap block of `v`, which moves into the finalizer hint
    // (moving a Vec does not move its heap block) and is dropped only by the finalizer, when
    // the JS buffer is collected. No other reference to it exists.
    unsafe {
        BufferSlice::from_external(env, ptr, len, v, move |env, v: Vec<u8>| {
            let _ = env.adjust_external_memory(-cap);
            drop(v);
        })
    }
}

/// Largest frame payload the binding leaves to JS to join (larger ones stream through the engine).
const WITHHOLD_MAX: u64 = 64 << 20;

/// One decoder; JS holds it as a type-tagged object (see [`raw`]).
pub struct DecoderState {
    inner: Decoder,
    /// Incomplete frames with at least this many payload bytes are left to JS to join (0: never).
    withhold_min: u64,
    /// Bytes reported to V8 as external memory for this decoder (see [`DecoderState::held`]).
    pub(crate) reported: i64,
}

/// What a codec object holds natively, as reported to V8 (`napi_adjust_external_memory`): its
/// heap (buffers, compression state) plus the struct itself.
fn held<T>(heap: usize) -> i64 {
    i64::try_from(heap + std::mem::size_of::<T>()).unwrap_or(i64::MAX)
}

impl DecoderState {
    /// Native bytes this decoder holds now.
    pub(crate) fn held(&self) -> i64 {
        held::<Self>(self.inner.heap_size())
    }
}

impl DecoderState {
    /// Plans a push of `input`: `(limit, need)`. The engine gets `input[..limit]`; when
    /// `limit < input.len()`, `input[limit..]` is either a partial frame header (`need` 0) or
    /// the start of an incomplete frame of `need` bytes (header included) with at least
    /// `withhold_min` payload bytes whose header the engine accepts: the caller joins it once
    /// (one copy, as `ws` does) and pushes it whole, so the engine decodes it in place instead
    /// of assembling it piece by piece (two copies plus a copy out). Partial headers go back
    /// too, so that every frame starts at a boundary the engine sees and big frames are always
    /// joined, however the stream is cut. Where frames start and whether their headers are
    /// acceptable is the engine's answer ([`Decoder::lookahead`]).
    fn plan(&self, input: &[u8]) -> (usize, u64) {
        let all = (input.len(), 0);
        if self.withhold_min == 0 {
            return all;
        }
        match self.inner.lookahead(input) {
            Lookahead::PartialHeader { at } => (at, 0),
            // Bounded like the engine's own buffering, and at most WITHHOLD_MAX (a JS Buffer).
            Lookahead::Incomplete {
                at,
                len,
                payload_len,
                acceptable: true,
            } if payload_len >= self.withhold_min && payload_len <= WITHHOLD_MAX => (at, len),
            _ => all,
        }
    }
}

impl DecoderState {
    /// The body of `decoderPush`: see [`raw::decoder_push`] for the calling convention.
    fn push<'env>(
        &mut self,
        env: &'env Env,
        input: &mut [u8],
        table: &mut [u32],
    ) -> Result<Option<Array<'env>>> {
        if table.len() < 3 + 3 * (input.len() / 2 + 3) {
            return Err(Error::new(
                Status::InvalidArg,
                "event table too small for this chunk",
            ));
        }
        let (limit, need) = self.plan(input);
        if let Some(t) = table.get_mut(1..3) {
            t.copy_from_slice(&[limit as u32, need as u32]);
        }
        // The rest of the chunk is left to the caller (a partial frame it holds for the engine):
        // one chunk ending inside that frame, for `max_buffered_chunks`.
        let mut hold = limit < input.len();
        let input = match input.get_mut(..limit) {
            Some(i) => i,
            None => input,
        };
        let mut rows = 0usize;
        let mut extra: Option<Array<'env>> = None;
        let mut n_extra = 0u32;
        let mut pos = 0usize;
        let mut put = |row: [u32; 3], rows: &mut usize| {
            if let Some(slot) = table.get_mut(3 + 3 * *rows..6 + 3 * *rows) {
                slot.copy_from_slice(&row);
                *rows += 1;
            }
        };
        loop {
            let next = match self.inner.next_event(input, &mut pos) {
                Ok(None) if hold => {
                    hold = false;
                    self.inner.hold_chunk().map(|()| None)
                }
                r => r,
            };
            match next {
                Ok(None) => break,
                Ok(Some(Event::Close { code, payload })) => {
                    // Rare (once per stream): the payload and its reason, both from the engine,
                    // cross as `extra[i]` (a Buffer) and `extra[i + 1]` (a string).
                    let bytes = payload.as_slice(input);
                    let reason = close::parse_close_payload(bytes).map_or("", |b| b.reason);
                    let code = code.unwrap_or(u16::from(CloseCode::NO_STATUS));
                    let b = BufferSlice::copy_from(env, bytes)?;
                    let arr = match &mut extra {
                        Some(a) => a,
                        None => extra.insert(env.create_array(0)?),
                    };
                    arr.set(n_extra, &b)?;
                    arr.set(n_extra + 1, reason)?;
                    put(
                        [T_CLOSE | F_EXTRA | (u32::from(code) << 16), n_extra, 0],
                        &mut rows,
                    );
                    n_extra += 2;
                }
                Ok(Some(ev)) => {
                    let (ty, payload) = match ev {
                        Event::Message { text, payload } => {
                            (if text { T_TEXT } else { T_BINARY }, payload)
                        }
                        Event::Ping(p) => (T_PING, p),
                        Event::Pong(p) => (T_PONG, p),
                        // (matched above)
                        Event::Close { payload, .. } => (T_CLOSE, payload),
                    };
                    let row = match payload {
                        Payload::Input(r) => [ty, r.start as u32, r.end as u32],
                        Payload::Owned(v) => {
                            let len = v.len() as u32;
                            let b = owned_buffer(env, v)?;
                            let arr = match &mut extra {
                                Some(a) => a,
                                None => extra.insert(env.create_array(0)?),
                            };
                            arr.set(n_extra, &b)?;
                            n_extra += 1;
                            [ty | F_EXTRA, n_extra - 1, len]
                        }
                    };
                    put(row, &mut rows);
                }
                Err(e) => {
                    let info = ProtocolErrorJs {
                        code: e.code().to_string(),
                        close_code: u32::from(e.close_code()),
                        rfc_section: e.rfc_section().to_string(),
                        message: e.to_string(),
                        offset: e.offset as f64,
                        detail: protocol_error_detail(&e.kind),
                    };
                    let arr = match &mut extra {
                        Some(a) => a,
                        None => extra.insert(env.create_array(0)?),
                    };
                    arr.set(n_extra, info)?;
                    put([T_ERROR | F_EXTRA, n_extra, 0], &mut rows);
                    break;
                }
            }
        }
        if let Some(first) = table.first_mut() {
            *first = rows as u32;
        }
        Ok(extra)
    }
}

/// A new decoder, as an opaque object for `decoderPush` and the `decoder*` getters.
#[napi(ts_return_type = "object")]
// Positional like the JS call site (index.js, backend/wasm.js): one argument per option.
#[allow(clippy::too_many_arguments)]
pub fn decoder_new(
    env: Env,
    server: bool,
    max_frame_size: f64,
    max_message_size: f64,
    deflate: Option<DeflateParamsJs>,
    withhold_min: Option<f64>,
    max_fragments: Option<f64>,
    max_buffered_chunks: Option<f64>,
) -> Result<raw::RawValue> {
    let mut state = DecoderState {
        reported: 0,
        withhold_min: withhold_min.map_or(0, |v| {
            if v.is_finite() && v > 0.0 {
                v as u64
            } else {
                0
            }
        }),
        inner: Decoder::new(DecoderConfig {
            role: role(server),
            max_frame_size: limit(max_frame_size),
            max_message_size: limit(max_message_size),
            deflate: deflate.map(Into::into),
            max_fragments: count_limit(max_fragments),
            max_buffered_chunks: count_limit(max_buffered_chunks),
        }),
    };
    state.reported = state.held();
    env.adjust_external_memory(state.reported)?;
    raw::wrap_decoder(&env, state)
}

/// Live native states of this process (engine counters, `stats` feature): decoders, encoders
/// and allocated inflate / deflate states. For leak tests and diagnostics.
#[napi(object)]
pub struct LiveStatesJs {
    pub decoders: f64,
    pub encoders: f64,
    pub inflaters: f64,
    pub deflaters: f64,
}

#[napi]
pub fn live_states() -> LiveStatesJs {
    let l = wsprism::stats::live();
    LiveStatesJs {
        decoders: l.decoders as f64,
        encoders: l.encoders as f64,
        inflaters: l.inflaters as f64,
        deflaters: l.deflaters as f64,
    }
}

/// `{ closed, buffered, partial, waitingFor, offset }` of a decoder.
#[napi(object)]
pub struct DecoderStatus {
    pub closed: bool,
    pub buffered: u32,
    pub partial: bool,
    pub waiting_for: String,
    pub offset: f64,
}

/// Counts a chunk that the caller holds for the decoder (the pieces of a large frame it joins
/// itself, see `DecoderState::plan`) toward `maxBufferedChunks`. False once the decoder has
/// failed: the caller's next push returns the error.
#[napi]
pub fn decoder_hold(mut decoder: raw::DecoderHandle) -> bool {
    decoder.get_mut().inner.hold_chunk().is_ok()
}

#[napi]
pub fn decoder_status(decoder: raw::DecoderHandle) -> DecoderStatus {
    let d = &decoder.get().inner;
    DecoderStatus {
        closed: d.is_closed(),
        buffered: u32::try_from(d.buffered()).unwrap_or(u32::MAX),
        partial: d.is_partial(),
        waiting_for: d.waiting_for(),
        offset: d.offset() as f64,
    }
}

// ---------------------------------------------------------------------------------------------
// The encoder

/// Outputs up to this size are copied into a fresh JS buffer (the Rust buffer is reused);
/// larger ones are handed over without a copy.
const COPY_LIMIT: usize = 16 * 1024;

/// An encoder. `free()` releases its native state at once; the finalizer does it otherwise.
#[napi(custom_finalize)]
pub struct NativeEncoder {
    /// `None` once freed.
    inner: Option<Encoder>,
    out: Vec<u8>,
    /// Bytes reported to V8 as external memory for this encoder.
    reported: i64,
}

impl ObjectFinalize for NativeEncoder {
    fn finalize(self, env: Env) -> Result<()> {
        env.adjust_external_memory(-self.reported)?;
        Ok(())
    }
}

fn freed() -> Error<String> {
    Error::new("ERR_INVALID_STATE".to_string(), "this object was freed")
}

impl NativeEncoder {
    fn enc(&mut self) -> std::result::Result<&mut Encoder, Error<String>> {
        self.inner.as_mut().ok_or_else(freed)
    }

    /// Tells V8 what this encoder holds now (after a call that may have changed it).
    fn account(&mut self, env: &Env) {
        let now = self
            .inner
            .as_ref()
            .map_or(0, |e| held::<Self>(e.heap_size() + self.out.capacity()));
        if now != self.reported {
            let _ = env.adjust_external_memory(now - self.reported);
            self.reported = now;
        }
    }
}

/// What an encoder call returns: the number of bytes written into the caller's scratch buffer
/// when they fit (JS then copies them into a pooled `Buffer.allocUnsafe`, far cheaper than a
/// `Buffer` made here: `napi_create_buffer_copy` costs ~1 µs), or a Buffer.
type Output<'env> = Either<u32, BufferSlice<'env>>;

fn hand_over<'env>(
    env: &'env Env,
    out: &mut Vec<u8>,
    scratch: &mut [u8],
) -> std::result::Result<Output<'env>, Error<String>> {
    if let Some(dst) = scratch.get_mut(..out.len()) {
        dst.copy_from_slice(out);
        let n = out.len() as u32;
        out.clear();
        return Ok(Either::A(n));
    }
    let r = if out.len() <= COPY_LIMIT {
        let b = BufferSlice::copy_from(env, out.as_slice());
        out.clear();
        b
    } else {
        owned_buffer(env, std::mem::take(out))
    };
    r.map(Either::B)
        .map_err(|e| Error::new("WS_ERR_NAPI".into(), e.reason))
}

#[napi]
impl NativeEncoder {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        server: bool,
        deflate: Option<DeflateParamsJs>,
        level: Option<u32>,
        mem_level: Option<u32>,
    ) -> Self {
        let mut e = Self {
            inner: Some(Encoder::new(EncoderConfig {
                // The encoder's role is the side that *sends*.
                role: role(server),
                deflate: deflate.map(Into::into),
                level,
                mem_level: mem_level.and_then(|m| u8::try_from(m).ok()),
            })),
            out: Vec::new(),
            reported: 0,
        };
        e.account(&env);
        e
    }

    /// Releases the native encoder and its compression state now (idempotent); later calls
    /// throw `ERR_INVALID_STATE`.
    #[napi]
    pub fn free(&mut self, env: Env) {
        self.inner = None;
        self.out = Vec::new();
        self.account(&env);
    }

    /// One message (or, with `fin: false`, one fragment of it) as wire bytes. `mask` is a fixed
    /// key (big-endian u32) for a client; `None` draws a random key per frame. `unmasked`: a
    /// client sends the frames without a key (see [`MessageOptions::unmasked`]).
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn message<'env>(
        &mut self,
        env: &'env Env,
        text: bool,
        payload: BufferSlice,
        compress: bool,
        fin: bool,
        fragment_size: Option<u32>,
        mask: Option<u32>,
        unmasked: bool,
        mut scratch: BufferSlice,
    ) -> std::result::Result<Output<'env>, Error<String>> {
        let opts = MessageOptions {
            fragment_size: fragment_size.map(|n| n as usize),
            compress,
            mask: mask.map(u32::to_be_bytes),
            unmasked,
        };
        self.out.clear();
        let mut out = std::mem::take(&mut self.out);
        let enc = self.enc()?;
        let r = if fin && !enc.in_message() {
            enc.message(text, &payload, &opts, &mut out)
        } else {
            enc.fragment(text, &payload, fin, &opts, &mut out)
        };
        self.out = out;
        self.account(env);
        r.map_err(encode_err)?;
        hand_over(env, &mut self.out, &mut scratch)
    }

    #[napi]
    pub fn ping<'env>(
        &mut self,
        env: &'env Env,
        payload: BufferSlice,
        mut scratch: BufferSlice,
    ) -> std::result::Result<Output<'env>, Error<String>> {
        self.out.clear();
        let mut out = std::mem::take(&mut self.out);
        let r = self.enc()?.ping(&payload, &mut out);
        self.out = out;
        r.map_err(encode_err)?;
        hand_over(env, &mut self.out, &mut scratch)
    }

    #[napi]
    pub fn pong<'env>(
        &mut self,
        env: &'env Env,
        payload: BufferSlice,
        mut scratch: BufferSlice,
    ) -> std::result::Result<Output<'env>, Error<String>> {
        self.out.clear();
        let mut out = std::mem::take(&mut self.out);
        let r = self.enc()?.pong(&payload, &mut out);
        self.out = out;
        r.map_err(encode_err)?;
        hand_over(env, &mut self.out, &mut scratch)
    }

    /// A close frame; `code` 0 means no status (then `reason` must be empty).
    #[napi]
    pub fn close<'env>(
        &mut self,
        env: &'env Env,
        code: u32,
        reason: String,
        mut scratch: BufferSlice,
    ) -> std::result::Result<Output<'env>, Error<String>> {
        let code = match code {
            0 => None,
            c => Some(
                u16::try_from(c)
                    .map_err(|_| encode_err(EncodeError::InvalidCloseCode(u16::MAX)))?,
            ),
        };
        self.out.clear();
        let mut out = std::mem::take(&mut self.out);
        let r = self.enc()?.close(code, &reason, &mut out);
        self.out = out;
        // The engine released its compression state with the close frame.
        self.account(env);
        r.map_err(encode_err)?;
        hand_over(env, &mut self.out, &mut scratch)
    }

    #[napi(getter)]
    pub fn in_message(&self) -> bool {
        self.inner.as_ref().is_some_and(Encoder::in_message)
    }

    #[napi(getter)]
    pub fn can_compress(&self) -> bool {
        self.inner.as_ref().is_some_and(Encoder::can_compress)
    }
}
