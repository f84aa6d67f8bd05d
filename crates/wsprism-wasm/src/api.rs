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

/// `generateKey()`: a random `Sec-WebSocket-Key` (16 bytes from `crypto.getRandomValues`).
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key() -> Result<String, JsValue> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b).map_err(|e| errors::error("ERR_RANDOM", &e.to_string()))?;
    Ok(handshake::key_from_bytes(b))
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

fn extensions_js(exts: &[Extension]) -> Result<JsValue, JsValue> {
    to_js(&exts)
}

/// `parseHandshakeRequest(data)`: the request head (`method`, `path`, `http_minor`,
/// `headers: [{name, value}]`, `length` = bytes of the head), `null` while incomplete. Throws
/// `WS_ERR_INVALID_HANDSHAKE` (with `status`) for malformed HTTP.
#[wasm_bindgen(js_name = parseHandshakeRequest)]
pub fn parse_handshake_request(data: JsValue) -> Result<JsValue, JsValue> {
    let buf = head_bytes(&data)?;
    match handshake::parse_request(&buf, DEFAULT_MAX_HEAD_SIZE) {
        Ok(Parsed::Complete { value, len }) => {
            let o = to_js(&value)?;
            set(&o, "length", &JsValue::from(len as f64))?;
            Ok(o)
        }
        Ok(Parsed::NeedMore(_)) => Ok(JsValue::NULL),
        Err(e) => Err(handshake_error(&e)),
    }
}

fn rejection(e: &handshake::HandshakeError) -> Result<JsValue, JsValue> {
    let response: JsValue = js_sys::Uint8Array::from(&handshake::build_rejection(e)[..]).into();
    let status = if e.status == 0 { 400 } else { e.status };
    object(&[
        ("ok", JsValue::FALSE),
        ("status", JsValue::from(status)),
        ("message", JsValue::from_str(&e.to_string())),
        ("response", response),
    ])
}

/// `validateHandshakeRequest(data)`: `{ ok: true, accept, key, path, host, origin, protocols,
/// extensions: [{name, params}], length }`, or `{ ok: false, status, message, response }`
/// (`response`: the HTTP rejection bytes to send), or `null` while the head is incomplete.
#[wasm_bindgen(js_name = validateHandshakeRequest)]
pub fn validate_handshake_request(data: JsValue) -> Result<JsValue, JsValue> {
    let buf = head_bytes(&data)?;
    let (req, len) = match handshake::parse_request(&buf, DEFAULT_MAX_HEAD_SIZE) {
        Ok(Parsed::Complete { value, len }) => (value, len),
        Ok(Parsed::NeedMore(_)) => return Ok(JsValue::NULL),
        Err(e) => return rejection(&e),
    };
    match req.validate() {
        Ok(u) => {
            let o = to_js(&u)?;
            set(&o, "ok", &JsValue::TRUE)?;
            set(&o, "length", &JsValue::from(len as f64))?;
            Ok(o)
        }
        Err(e) => rejection(&e),
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn header_value_ok(s: &str) -> bool {
    !s.chars().any(|c| c == '\r' || c == '\n' || c == '\0')
}

/// Extensions given as a header value string or as `[{ name, params }]` where `params` is
/// `[[key, value|null]]` (the engine's form) or `{ key: value|true }`.
fn extensions_arg(v: &JsValue, name: &str) -> Result<Vec<Extension>, JsValue> {
    if args::is_nullish(v) {
        return Ok(Vec::new());
    }
    if v.is_string() {
        let s = args::string(v, name, MAX_SHORT_STRING)?;
        return handshake::parse_extensions(&s).map_err(|e| handshake_error(&e));
    }
    if !Array::is_array(v) {
        return Err(arg_type(
            name,
            "a header value string or an array of { name, params }",
        ));
    }
    let arr: &Array = v.unchecked_ref();
    if arr.length() > 64 {
        return Err(out_of_range(name, "at most 64 extensions"));
    }
    let mut out = Vec::new();
    for i in 0..arr.length() {
        let item = Reflect::get_u32(arr, i)?;
        if item.is_string() {
            let n = args::string(&item, name, 256)?;
            out.push(Extension {
                name: n,
                params: Vec::new(),
            });
            continue;
        }
        let o = args::options(&item, name)?;
        let ext_name = args::string(&get(&o, "name")?, "extension name", 256)?;
        if !is_token(&ext_name) {
            return Err(range_error(
                errors::INVALID_ARG_VALUE,
                &format!("invalid extension name {ext_name:?}"),
            ));
        }
        let p = get(&o, "params")?;
        let mut params = Vec::new();
        if Array::is_array(&p) {
            let pa: &Array = p.unchecked_ref();
            for j in 0..pa.length().min(64) {
                let pair = Reflect::get_u32(pa, j)?;
                let k = Reflect::get_u32(&pair, 0).unwrap_or(JsValue::UNDEFINED);
                let val = Reflect::get_u32(&pair, 1).unwrap_or(JsValue::UNDEFINED);
                params.push(param(&k, &val)?);
            }
        } else if let Some(po) = args::options(&p, "params")? {
            let keys = Reflect::own_keys(&po)?;
            for j in 0..keys.length().min(64) {
                let k = keys.get(j);
                if !k.is_string() {
                    continue;
                }
                let val = Reflect::get(&po, &k)?;
                params.push(param(&k, &val)?);
            }
        }
        out.push(Extension {
            name: ext_name,
            params,
        });
    }
    Ok(out)
}

fn param(k: &JsValue, v: &JsValue) -> Result<(String, Option<String>), JsValue> {
    let k = args::string(k, "parameter name", 256)?;
    if !is_token(&k) {
        return Err(range_error(
            errors::INVALID_ARG_VALUE,
            &format!("invalid extension parameter name {k:?}"),
        ));
    }
    let v = if args::is_nullish(v) || v.as_bool() == Some(true) {
        None
    } else if let Some(n) = v.as_f64() {
        Some(int_string(n)?)
    } else {
        let s = args::string(v, "parameter value", 256)?;
        if !is_token(&s) {
            return Err(range_error(
                errors::INVALID_ARG_VALUE,
                &format!("invalid extension parameter value {s:?}"),
            ));
        }
        Some(s)
    };
    Ok((k, v))
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
        let val = if let Some(n) = val.as_f64() {
            int_string(n)?
        } else {
            args::string(val, "header value", MAX_SHORT_STRING)?
        };
        if !is_token(&k) || !header_value_ok(&val) {
            return Err(range_error(
                errors::INVALID_ARG_VALUE,
                &format!("invalid header {k:?}: names are tokens, values have no CR/LF/NUL"),
            ));
        }
        out.push((k, val));
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

/// `buildHandshakeResponse({ key | accept, protocol, extensions, headers })`: the
/// `101 Switching Protocols` response bytes. `extensions`: a header value or
/// `[{ name, params }]`; `headers`: `{ name: value }` or `[[name, value]]`.
#[wasm_bindgen(js_name = buildHandshakeResponse)]
pub fn build_handshake_response(opts: JsValue) -> Result<Vec<u8>, JsValue> {
    let o = args::options(&opts, "options")?;
    let accept = match args::opt_string(&get(&o, "accept")?, "accept", 256)? {
        Some(a) => a,
        None => match args::opt_string(&get(&o, "key")?, "key", MAX_SHORT_STRING)? {
            Some(k) => handshake::accept_key(&k),
            None => return Err(arg_type("options", "an object with a key or accept string")),
        },
    };
    if !header_value_ok(&accept) {
        return Err(range_error(
            errors::INVALID_ARG_VALUE,
            "accept contains CR/LF/NUL",
        ));
    }
    let protocol = args::opt_string(&get(&o, "protocol")?, "protocol", 256)?;
    if let Some(p) = &protocol {
        if !is_token(p) {
            return Err(range_error(
                errors::INVALID_ARG_VALUE,
                "protocol must be a token",
            ));
        }
    }
    let exts = get(&o, "extensions")?;
    let ext_value = if exts.is_string() {
        let s = args::string(&exts, "extensions", MAX_SHORT_STRING)?;
        handshake::parse_extensions(&s).map_err(|e| handshake_error(&e))?;
        Some(s)
    } else {
        let e = extensions_arg(&exts, "extensions")?;
        (!e.is_empty()).then(|| join_extensions(&e))
    };
    let headers = headers_arg(&get(&o, "headers")?)?;
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(handshake::build_response(
        &accept,
        protocol.as_deref(),
        ext_value.as_deref(),
        &refs,
    ))
}

/// `parseHandshakeResponse(data, { key, protocols, extensions, perMessageDeflate })`: checks
/// a server's answer to a request made with `key` offering `protocols` and the extension
/// names `extensions` (plus `permessage-deflate` when `perMessageDeflate` is set, checked
/// against that configuration). `{ ok: true, status, protocol, extensions, headers, length,
/// perMessageDeflate }`, `{ ok: false, status, message }`, or `null` while incomplete.
#[wasm_bindgen(js_name = parseHandshakeResponse)]
pub fn parse_handshake_response(data: JsValue, opts: JsValue) -> Result<JsValue, JsValue> {
    let buf = head_bytes(&data)?;
    let o = args::options(&opts, "options")?;
    let key = args::string(&get(&o, "key")?, "key", MAX_SHORT_STRING)?;
    let protocols = string_list(&get(&o, "protocols")?, "protocols")?;
    let mut offered = string_list(&get(&o, "extensions")?, "extensions")?;
    let pmd = get(&o, "perMessageDeflate")?;
    let pmd_cfg = if args::is_nullish(&pmd) || pmd.as_bool() == Some(false) {
        None
    } else {
        if !offered.iter().any(|e| e == deflate::NAME) {
            offered.push(deflate::NAME.to_string());
        }
        Some(args::deflate_config(&pmd)?)
    };
    let fail = |status: u16, msg: String| {
        object(&[
            ("ok", JsValue::FALSE),
            ("status", JsValue::from(status)),
            ("message", JsValue::from_str(&msg)),
        ])
    };
    let (resp, len) = match handshake::parse_response(&buf, DEFAULT_MAX_HEAD_SIZE) {
        Ok(Parsed::Complete { value, len }) => (value, len),
        Ok(Parsed::NeedMore(_)) => return Ok(JsValue::NULL),
        Err(e) => return fail(0, e.to_string()),
    };
    let protos: Vec<&str> = protocols.iter().map(String::as_str).collect();
    let offered_refs: Vec<&str> = offered.iter().map(String::as_str).collect();
    let accepted = match resp.validate(&key, &protos, &offered_refs) {
        Ok(a) => a,
        Err(e) => return fail(resp.status, e.to_string()),
    };
    let mut params = JsValue::NULL;
    if let Some(cfg) = &pmd_cfg {
        if let Some(ext) = accepted.extensions.iter().find(|e| e.name == deflate::NAME) {
            match deflate::accept_response(ext, cfg) {
                Ok(p) => params = to_js(&p)?,
                Err(e) => return fail(resp.status, e.to_string()),
            }
        }
    }
    object(&[
        ("ok", JsValue::TRUE),
        ("status", JsValue::from(resp.status)),
        (
            "protocol",
            accepted
                .protocol
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str),
        ),
        ("extensions", extensions_js(&accepted.extensions)?),
        ("headers", to_js(&resp.headers)?),
        ("length", JsValue::from(len as f64)),
        ("perMessageDeflate", params),
    ])
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

/// `negotiatePerMessageDeflate(offers, config)`: server side. `offers`: the client's
/// `Sec-WebSocket-Extensions` value or `[{ name, params }]`; `config`: what the server agrees
/// to (`serverNoContextTakeover`, `clientNoContextTakeover`, `serverMaxWindowBits`,
/// `clientMaxWindowBits`, `level`). `{ params, response }` (params: the agreed
/// `DeflateParams` to pass as `perMessageDeflate`; response: the header value), or `null`.
#[wasm_bindgen(js_name = negotiatePerMessageDeflate)]
pub fn negotiate_permessage_deflate(offers: JsValue, config: JsValue) -> Result<JsValue, JsValue> {
    let offers = extensions_arg(&offers, "offers")?;
    let cfg = args::deflate_config(&config)?;
    match deflate::negotiate(&offers, &cfg) {
        Some(n) => object(&[
            ("params", to_js(&n.params)?),
            ("response", JsValue::from_str(&n.response)),
        ]),
        None => Ok(JsValue::NULL),
    }
}
