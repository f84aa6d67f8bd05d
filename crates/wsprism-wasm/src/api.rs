//! Handshake, permessage-deflate negotiation and inspection: values in, plain JS objects out
//! (the engine's serde field names).

use crate::args::{self, get, get_any, MAX_SHORT_STRING};
use crate::errors::{self, arg_type, handshake_error, out_of_range, range_error};
use js_sys::{Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wsprism::deflate;
use wsprism::frame::Parsed;
use wsprism::handshake::{self, Extension, DEFAULT_MAX_HEAD_SIZE};
use wsprism::inspect::{inspect_frame, inspect_stream, InspectOptions};

/// Serializes a report: plain objects, `null` for absent values, numbers as JS numbers. A
/// report holding an integer beyond 2^53 (only absurd declared frame lengths) is serialized
/// with its 64-bit integers as `BigInt`s instead.
pub fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    match v.serialize(&ser) {
        Ok(js) => Ok(js),
        Err(_) => v
            .serialize(&ser.serialize_large_number_types_as_bigints(true))
            .map_err(|e| errors::error("ERR_SERIALIZE", &e.to_string())),
    }
}

fn set(obj: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(obj, &JsValue::from_str(key), value).map(|_| ())
}

fn object(pairs: &[(&str, JsValue)]) -> Result<JsValue, JsValue> {
    let o: JsValue = js_sys::Object::new().into();
    for (k, v) in pairs {
        set(&o, k, v)?;
    }
    Ok(o)
}

/// `acceptKey(key)`: the `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`.
#[wasm_bindgen(js_name = acceptKey)]
pub fn accept_key(key: JsValue) -> Result<String, JsValue> {
    Ok(handshake::accept_key(&args::string(
        &key,
        "key",
        MAX_SHORT_STRING,
    )?))
}

/// `acceptKeySteps(key)`: the engine's `accept_key_steps`, for teaching: `{ concatenated }` (the
/// key followed by the RFC 6455 GUID), `{ sha1Hex }` (its SHA-1 digest, 40 hex digits) and
/// `{ accept }` (base64 of the digest: the `Sec-WebSocket-Accept` value).
#[wasm_bindgen(js_name = acceptKeySteps)]
pub fn accept_key_steps(key: JsValue) -> Result<JsValue, JsValue> {
    let s = handshake::accept_key_steps(&args::string(&key, "key", MAX_SHORT_STRING)?);
    object(&[
        ("concatenated", JsValue::from_str(&s.concatenated)),
        ("sha1Hex", JsValue::from_str(&s.sha1_hex)),
        ("accept", JsValue::from_str(&s.accept)),
    ])
}

/// `generateKey()`: a random `Sec-WebSocket-Key` (16 bytes from `crypto.getRandomValues`).
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key() -> Result<String, JsValue> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).map_err(|e| errors::error("ERR_RANDOM", &e.to_string()))?;
    Ok(handshake::key_from_bytes(b))
}

/// `liveStates()`: the engine states alive in this instance, `{ decoders, encoders, inflaters,
/// deflaters }` (inflaters/deflaters: allocated permessage-deflate states), as the Node
/// addon's `liveStates()` reports them. For leak tests and diagnostics.
#[wasm_bindgen(js_name = liveStates)]
pub fn live_states() -> Result<JsValue, JsValue> {
    let l = wsprism::stats::live();
    let o = js_sys::Object::new();
    for (k, v) in [
        ("decoders", l.decoders),
        ("encoders", l.encoders),
        ("inflaters", l.inflaters),
        ("deflaters", l.deflaters),
    ] {
        Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(v as f64))?;
    }
    Ok(o.into())
}

fn inspect_options(opts: &JsValue) -> Result<InspectOptions, JsValue> {
    let o = args::options(opts, "options")?;
    let d = InspectOptions::default();
    Ok(InspectOptions {
        role: args::role(&get(&o, "role")?)?,
        deflate: args::deflate_params(&get_any(&o, &["perMessageDeflate", "deflate"])?)?,
        max_frame_size: args::limit(&get(&o, "maxFrameSize")?, "maxFrameSize", d.max_frame_size)?,
        max_message_size: args::limit(
            &get(&o, "maxMessageSize")?,
            "maxMessageSize",
            d.max_message_size,
        )?,
    })
}

/// `inspectFrame(bytes, { role, perMessageDeflate, maxFrameSize, maxMessageSize })`: the first
/// frame, field by field, or `null` if `bytes` holds less than a header.
#[wasm_bindgen(js_name = inspectFrame)]
pub fn inspect_frame_js(bytes: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let b = args::bytes(&bytes, "bytes")?;
    let o = inspect_options(&opts)?;
    match inspect_frame(&b, &o) {
        Some(r) => to_js(&r),
        None => Ok(JsValue::NULL),
    }
}

/// `inspectStream(bytes, options)`: every frame, the messages and events the decoder makes of
/// them, the first error and what it still waits for.
#[wasm_bindgen(js_name = inspectStream)]
pub fn inspect_stream_js(bytes: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let b = args::bytes(&bytes, "bytes")?;
    let o = inspect_options(&opts)?;
    to_js(&inspect_stream(&b, &o))
}

fn head_bytes(v: &JsValue) -> Result<Vec<u8>, JsValue> {
    args::bytes_or_string(v, "data")
}

/// `maxSize` of a head (default 8 KiB).
fn max_head(o: &Option<js_sys::Object>) -> Result<usize, JsValue> {
    Ok(
        args::opt_int(&get(o, "maxSize")?, "maxSize", 16.0, 4_294_967_295.0)?
            .map_or(DEFAULT_MAX_HEAD_SIZE, |n| n as usize),
    )
}

/// Headers as `[[name, value], ...]`.
fn headers_js(hs: &[handshake::Header]) -> JsValue {
    let arr = Array::new();
    for h in hs {
        arr.push(&Array::of2(&JsValue::from_str(&h.name), &JsValue::from_str(&h.value)).into());
    }
    arr.into()
}

/// Extensions as `[{ name, params: { key: value | true } }]`.
fn extensions_js(exts: &[Extension]) -> Result<JsValue, JsValue> {
    let arr = Array::new();
    for e in exts {
        let params: JsValue = js_sys::Object::new().into();
        for (k, v) in &e.params {
            let v = v.as_deref().map_or(JsValue::TRUE, JsValue::from_str);
            set(&params, k, &v)?;
        }
        arr.push(&object(&[
            ("name", JsValue::from_str(&e.name)),
            ("params", params),
        ])?);
    }
    Ok(arr.into())
}

/// `{ error: { status, message } }`: the JS wrapper throws it as a `HandshakeError`.
fn head_error(e: &handshake::HandshakeError) -> Result<JsValue, JsValue> {
    object(&[(
        "error",
        object(&[
            ("status", JsValue::from(e.status)),
            ("code", JsValue::from_str(e.code())),
            ("message", JsValue::from_str(&e.to_string())),
        ])?,
    )])
}

fn incomplete() -> Result<JsValue, JsValue> {
    object(&[("complete", JsValue::FALSE)])
}

/// `parseHandshakeRequest(data, { maxSize })`: `{ complete: false }` while incomplete, else
/// `{ complete: true, length, method, path, httpVersion, headers: [[name, value]] }`;
/// `{ error: { status, message } }` for a malformed or too large head.
#[wasm_bindgen(js_name = parseHandshakeRequest)]
pub fn parse_handshake_request(data: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let buf = head_bytes(&data)?;
    let o = args::options(&opts, "options")?;
    match handshake::parse_request(&buf, max_head(&o)?) {
        Ok(Parsed::Complete { value, len }) => object(&[
            ("complete", JsValue::TRUE),
            ("length", JsValue::from(len as f64)),
            ("method", JsValue::from_str(&value.method)),
            ("path", JsValue::from_str(&value.path)),
            (
                "httpVersion",
                JsValue::from_str(&format!("1.{}", value.http_minor)),
            ),
            ("headers", headers_js(&value.headers)),
        ]),
        Ok(Parsed::NeedMore(_)) => incomplete(),
        Err(e) => head_error(&e),
    }
}

fn rejection(e: &handshake::HandshakeError) -> Result<JsValue, JsValue> {
    let response: JsValue = js_sys::Uint8Array::from(&handshake::build_rejection(e)[..]).into();
    let status = if e.status == 0 { 400 } else { e.status };
    object(&[
        ("ok", JsValue::FALSE),
        ("status", JsValue::from(status)),
        ("code", JsValue::from_str(e.code())),
        ("message", JsValue::from_str(&e.to_string())),
        ("response", response),
    ])
}

/// `validateHandshakeRequest(data, { maxSize })`: `{ ok: true, accept, key, path, host, origin,
/// protocols, extensions, headers, length }` or `{ ok: false, status, code, message, response }`
/// (`response`: the HTTP rejection to send; an incomplete head is a 400).
#[wasm_bindgen(js_name = validateHandshakeRequest)]
pub fn validate_handshake_request(data: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let buf = head_bytes(&data)?;
    let o = args::options(&opts, "options")?;
    let (req, len) = match handshake::parse_request(&buf, max_head(&o)?) {
        Ok(Parsed::Complete { value, len }) => (value, len),
        Ok(Parsed::NeedMore(_)) => {
            return rejection(&handshake::HandshakeError {
                status: 400,
                kind: handshake::HandshakeErrorKind::Http("incomplete request head".into()),
            })
        }
        Err(e) => return rejection(&e),
    };
    match req.validate() {
        Ok(u) => object(&[
            ("ok", JsValue::TRUE),
            ("length", JsValue::from(len as f64)),
            ("accept", JsValue::from_str(&u.accept)),
            ("key", JsValue::from_str(&u.key)),
            ("path", JsValue::from_str(&u.path)),
            ("host", JsValue::from_str(&u.host)),
            (
                "origin",
                u.origin
                    .as_deref()
                    .map_or(JsValue::UNDEFINED, JsValue::from_str),
            ),
            (
                "protocols",
                u.protocols
                    .iter()
                    .map(|p| JsValue::from_str(p))
                    .collect::<Array>()
                    .into(),
            ),
            ("extensions", extensions_js(&u.extensions)?),
            ("headers", headers_js(&req.headers)),
        ]),
        Err(e) => rejection(&e),
    }
}

/// Extensions as a `Sec-WebSocket-Extensions` header value (the JS wrapper turns
/// `[{ name, params }]` into one).
fn extensions_arg(v: &JsValue, name: &str) -> Result<Vec<Extension>, JsValue> {
    if args::is_nullish(v) {
        return Ok(Vec::new());
    }
    if !v.is_string() {
        return Err(arg_type(
            name,
            "a header value or an array of { name, params }",
        ));
    }
    let s = args::string(v, name, MAX_SHORT_STRING)?;
    handshake::parse_extensions(&s).map_err(|e| handshake_error(&e))
}

/// A number as a decimal integer string (no float formatting code in the module).
fn int_string(n: f64) -> Result<String, JsValue> {
    if n.is_finite() && n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        Ok((n as i64).to_string())
    } else {
        Err(range_error(
            errors::INVALID_ARG_VALUE,
            "numeric header and parameter values must be integers",
        ))
    }
}

fn headers_arg(v: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let mut out = Vec::new();
    if args::is_nullish(v) {
        return Ok(out);
    }
    let mut push = |k: &JsValue, val: &JsValue| -> Result<(), JsValue> {
        let k = args::string(k, "header name", 256)?;
        let values: Vec<JsValue> = if Array::is_array(val) {
            let a: &Array = val.unchecked_ref();
            (0..a.length().min(64)).map(|i| a.get(i)).collect()
        } else {
            vec![val.clone()]
        };
        for v in values {
            let v = if let Some(n) = v.as_f64() {
                int_string(n)?
            } else {
                args::string(&v, "header value", MAX_SHORT_STRING)?
            };
            out.push((k.clone(), v));
        }
        Ok(())
    };
    if Array::is_array(v) {
        let arr: &Array = v.unchecked_ref();
        for i in 0..arr.length().min(256) {
            let pair = Reflect::get_u32(arr, i)?;
            if !Array::is_array(&pair) {
                return Err(arg_type(
                    "headers",
                    "an object or an array of [name, value]",
                ));
            }
            push(&Reflect::get_u32(&pair, 0)?, &Reflect::get_u32(&pair, 1)?)?;
        }
        return Ok(out);
    }
    let Some(o) = args::options(v, "headers")? else {
        return Ok(out);
    };
    let keys = Reflect::own_keys(&o)?;
    for i in 0..keys.length().min(256) {
        let k = keys.get(i);
        if k.is_string() {
            push(&k, &Reflect::get(&o, &k)?)?;
        }
    }
    Ok(out)
}

fn join_extensions(exts: &[Extension]) -> String {
    exts.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An optional header value (`undefined`/`null`/`''` → none). Whether it may be written (no
/// CR, LF or NUL) is the engine's verdict, given by the builder ([`errors::header_error`]).
fn header_opt(v: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    match args::opt_string(v, name, MAX_SHORT_STRING)? {
        Some(s) if s.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Extensions to send: a header value (checked).
fn extensions_value(v: &JsValue) -> Result<Option<String>, JsValue> {
    let e = extensions_arg(v, "extensions")?;
    Ok((!e.is_empty()).then(|| join_extensions(&e)))
}

/// `buildHandshakeResponse({ key | accept, protocol, extensions, headers })`: the
/// `101 Switching Protocols` response bytes. `extensions`: a header value or
/// `[{ name, params }]`; `headers`: `{ name: value | [values] }` or `[[name, value]]`.
#[wasm_bindgen(js_name = buildHandshakeResponse)]
pub fn build_handshake_response(opts: JsValue) -> Result<Vec<u8>, JsValue> {
    let o = args::options(&opts, "options")?;
    let accept_v = get(&o, "accept")?;
    let accept = if !accept_v.is_undefined() {
        header_opt(&accept_v, "options.accept")?
            .ok_or_else(|| arg_type("options.accept", "a non-empty string"))?
    } else {
        match args::opt_string(&get(&o, "key")?, "options.key", MAX_SHORT_STRING)? {
            Some(k) => handshake::accept_key(&k),
            None => {
                return Err(arg_type(
                    "options.key",
                    "a string (the client's Sec-WebSocket-Key), or options.accept",
                ))
            }
        }
    };
    let protocol = header_opt(&get(&o, "protocol")?, "options.protocol")?;
    let ext_value = extensions_value(&get(&o, "extensions")?)?;
    let headers = headers_arg(&get(&o, "headers")?)?;
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    handshake::build_response(&accept, protocol.as_deref(), ext_value.as_deref(), &refs)
        .map_err(|e| errors::header_error(&e))
}

/// `buildHandshakeRequest({ host, path = '/', key = generateKey(), protocols, extensions,
/// origin, headers })`: a client's upgrade request head.
#[wasm_bindgen(js_name = buildHandshakeRequest)]
pub fn build_handshake_request(opts: JsValue) -> Result<Vec<u8>, JsValue> {
    let o = args::options(&opts, "options")?;
    let host = header_opt(&get(&o, "host")?, "options.host")?
        .ok_or_else(|| arg_type("options.host", "a non-empty string"))?;
    let path = header_opt(&get(&o, "path")?, "options.path")?.unwrap_or_else(|| "/".into());
    let key = match header_opt(&get(&o, "key")?, "options.key")? {
        Some(k) => k,
        None => generate_key()?,
    };
    let protocols = string_list(&get(&o, "protocols")?, "options.protocols")?;
    let ps: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let extensions = extensions_value(&get(&o, "extensions")?)?;
    let origin = header_opt(&get(&o, "origin")?, "options.origin")?;
    let headers = headers_arg(&get(&o, "headers")?)?;
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    handshake::ClientRequest {
        host: &host,
        path: &path,
        key: &key,
        protocols: &ps,
        extensions: extensions.as_deref(),
        origin: origin.as_deref(),
        extra_headers: &refs,
    }
    .to_bytes()
    .map_err(|e| errors::header_error(&e))
}

/// `parseHandshakeResponse(data, { key, protocols, extensions, maxSize })`: `{ complete: false }`
/// or `{ complete: true, length, status, reason, headers, ok, protocol, extensions, message }`
/// (validated against `key`, the offered `protocols` and extension names; without `key` only
/// the status is checked), or `{ error: { status, message } }` for a malformed head.
#[wasm_bindgen(js_name = parseHandshakeResponse)]
pub fn parse_handshake_response(data: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let buf = head_bytes(&data)?;
    let o = args::options(&opts, "options")?;
    let key = header_opt(&get(&o, "key")?, "options.key")?;
    if let Some(k) = &key {
        handshake::check_value("options.key", k).map_err(|e| errors::header_error(&e))?;
    }
    let protocols = string_list(&get(&o, "protocols")?, "options.protocols")?;
    let offered: Vec<String> = string_list(&get(&o, "extensions")?, "options.extensions")?
        .into_iter()
        .map(|e| e.split(';').next().unwrap_or_default().trim().to_string())
        .collect();
    let (resp, len) = match handshake::parse_response(&buf, max_head(&o)?) {
        Ok(Parsed::Complete { value, len }) => (value, len),
        Ok(Parsed::NeedMore(_)) => return incomplete(),
        Err(e) => return head_error(&e),
    };
    let out = object(&[
        ("complete", JsValue::TRUE),
        ("length", JsValue::from(len as f64)),
        ("status", JsValue::from(resp.status)),
        ("reason", JsValue::from_str(&resp.reason)),
        ("headers", headers_js(&resp.headers)),
    ])?;
    match &key {
        None => set(&out, "ok", &JsValue::from(resp.status == 101))?,
        Some(key) => {
            let ps: Vec<&str> = protocols.iter().map(String::as_str).collect();
            let es: Vec<&str> = offered.iter().map(String::as_str).collect();
            match resp.validate(key, &ps, &es) {
                Ok(a) => {
                    set(&out, "ok", &JsValue::TRUE)?;
                    let p = a
                        .protocol
                        .as_deref()
                        .map_or(JsValue::UNDEFINED, JsValue::from_str);
                    set(&out, "protocol", &p)?;
                    set(&out, "extensions", &extensions_js(&a.extensions)?)?;
                }
                Err(e) => {
                    set(&out, "ok", &JsValue::FALSE)?;
                    set(&out, "code", &JsValue::from_str(e.code()))?;
                    set(&out, "message", &JsValue::from_str(&e.to_string()))?;
                }
            }
        }
    }
    Ok(out)
}

fn string_list(v: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    if args::is_nullish(v) {
        return Ok(Vec::new());
    }
    if v.is_string() {
        return Ok(vec![args::string(v, name, 256)?]);
    }
    if !Array::is_array(v) {
        return Err(arg_type(name, "a string or an array of strings"));
    }
    let arr: &Array = v.unchecked_ref();
    if arr.length() > 256 {
        return Err(out_of_range(name, "at most 256 entries"));
    }
    let mut out = Vec::new();
    for i in 0..arr.length() {
        let item = Reflect::get_u32(arr, i)?;
        if item.is_string() {
            out.push(args::string(&item, name, 256)?);
        } else if let Some(o) = args::options(&item, name)? {
            out.push(args::string(&Reflect::get(&o, &"name".into())?, name, 256)?);
        } else {
            return Err(arg_type(name, "an array of strings"));
        }
    }
    Ok(out)
}

/// Agreed parameters with the `ws` option names.
fn params_js(p: &wsprism::DeflateParams) -> Result<JsValue, JsValue> {
    object(&[
        (
            "serverNoContextTakeover",
            JsValue::from(p.server_no_context_takeover),
        ),
        (
            "clientNoContextTakeover",
            JsValue::from(p.client_no_context_takeover),
        ),
        (
            "serverMaxWindowBits",
            JsValue::from(p.server_max_window_bits),
        ),
        (
            "clientMaxWindowBits",
            JsValue::from(p.client_max_window_bits),
        ),
    ])
}

/// `formatExtensions(list)`: extensions as a `Sec-WebSocket-Extensions` value, written and
/// checked by the engine (`handshake::format_extensions`: tokens only, TypeError
/// `ERR_INVALID_HTTP_TOKEN` otherwise). Each entry is `[name, key, value, key, value, ...]`,
/// `null` for a parameter without a value (the JS layer flattens `[{ name, params }]` to this).
#[wasm_bindgen(js_name = formatExtensions)]
pub fn format_extensions(list: JsValue) -> Result<String, JsValue> {
    let shape = || arg_type("extensions", "an array of [name, key, value, ...] arrays");
    if !Array::is_array(&list) {
        return Err(shape());
    }
    let list: &Array = list.unchecked_ref();
    let mut exts = Vec::new();
    for i in 0..list.length().min(256) {
        let e = list.get(i);
        if !Array::is_array(&e) {
            return Err(shape());
        }
        let e: &Array = e.unchecked_ref();
        let mut parts = Vec::new();
        for j in 0..e.length().min(257) {
            let v = e.get(j);
            parts.push(if args::is_nullish(&v) {
                None
            } else {
                Some(args::string(&v, "extension part", MAX_SHORT_STRING)?)
            });
        }
        let mut it = parts.into_iter();
        let name = it.next().flatten().unwrap_or_default();
        let mut params = Vec::new();
        while let Some(k) = it.next() {
            params.push((k.unwrap_or_default(), it.next().flatten()));
        }
        exts.push(Extension { name, params });
    }
    handshake::format_extensions(&exts).map_err(|e| errors::header_error(&e))
}

/// `negotiatePerMessageDeflate(offers, config)`: server side. `offers`: the client's
/// `Sec-WebSocket-Extensions` value or `[{ name, params }]`; `config`: what the server agrees
/// to (`serverNoContextTakeover`, `clientNoContextTakeover`, `serverMaxWindowBits`,
/// `clientMaxWindowBits`, `level`). `{ response, params }` (the header value and the agreed
/// parameters for `Decoder`/`Encoder`), or `null`.
#[wasm_bindgen(js_name = negotiatePerMessageDeflate)]
pub fn negotiate_permessage_deflate(offers: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let cfg = args::deflate_config(&config)?;
    let Ok(offers) = extensions_arg(&offers, "offers") else {
        if offers.is_string() {
            return Ok(JsValue::NULL); // an unparseable header declines compression
        }
        return Err(arg_type(
            "offers",
            "a header value or an array of { name, params }",
        ));
    };
    match deflate::negotiate(&offers, &cfg) {
        Some(n) => object(&[
            ("response", JsValue::from_str(&n.response)),
            ("params", params_js(&n.params)?),
        ]),
        None => Ok(JsValue::NULL),
    }
}

/// `perMessageDeflateOffer(config)`: client side, the `Sec-WebSocket-Extensions` offer.
#[wasm_bindgen(js_name = perMessageDeflateOffer)]
pub fn permessage_deflate_offer(config: JsValue) -> Result<String, JsValue> {
    Ok(deflate::client_offer(&args::deflate_config(&config)?))
}

/// `acceptPerMessageDeflate(response, config)`: client side, checks the server's answer against
/// the offer made with `config`: the agreed parameters, `null` if the server did not accept
/// permessage-deflate; throws `WS_ERR_INVALID_EXTENSION` for an answer the offer does not allow.
#[wasm_bindgen(js_name = acceptPerMessageDeflate)]
pub fn accept_permessage_deflate(response: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let cfg = args::deflate_config(&config)?;
    let Some(value) = args::opt_string(&response, "response", MAX_SHORT_STRING)? else {
        return Ok(JsValue::NULL);
    };
    if value.is_empty() {
        return Ok(JsValue::NULL);
    }
    let invalid = |m: String| errors::error("WS_ERR_INVALID_EXTENSION", &m);
    let exts = handshake::parse_extensions(&value).map_err(|e| invalid(e.to_string()))?;
    let Some(ext) = exts.iter().find(|e| e.name == deflate::NAME) else {
        return Ok(JsValue::NULL);
    };
    let p = deflate::accept_response(ext, &cfg).map_err(|e| invalid(e.to_string()))?;
    params_js(&p)
}
