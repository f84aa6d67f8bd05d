//! `openCaptureSession`: a capture read once into `wsprism_capture::index::CaptureIndex`, then
//! asked for windows of frames or messages (each a small JSON string that the JS wrapper hands
//! to `JSON.parse`). Unlike `inspectCaptureJson`, nothing here grows with the number of frames
//! on the JS side: a capture of millions of tiny frames opens, and the page holds only the rows
//! it shows. Translation only: the capture logic, the filters and the shapes are the capture
//! crate's (`docs/capture.md`, "Paged index").

use crate::args::{self, get};
use crate::capture::capture_options;
use crate::errors::{self, arg_type, out_of_range, range_error, INVALID_ARG_VALUE};
use wasm_bindgen::prelude::*;
use wsprism_capture::index::{CaptureIndex, DirectionFilter, Filter, IndexError, KindFilter};

/// Largest window (items) one call returns.
pub const MAX_WINDOW: u32 = 100_000;

fn index_error(e: &IndexError) -> JsValue {
    errors::error(e.code(), &e.to_string())
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, JsValue> {
    serde_json::to_string(v).map_err(|e| errors::error("CAPTURE_INTERNAL", &e.to_string()))
}

/// An index argument (connection, position, count): a non-negative integer.
fn index_arg(v: f64, name: &str, max: f64) -> Result<f64, JsValue> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= max {
        Ok(v)
    } else {
        Err(out_of_range(
            name,
            &format!("an integer from 0 to {}", max as u64),
        ))
    }
}

fn position(v: &JsValue, name: &str) -> Result<u64, JsValue> {
    let Some(n) = v.as_f64() else {
        return Err(arg_type(name, "of type number"));
    };
    // Beyond the list is fine (an empty window); beyond 2^53 is not a position.
    Ok(index_arg(n, name, 9_007_199_254_740_991.0)? as u64)
}

fn conn_arg(v: &JsValue) -> Result<usize, JsValue> {
    let Some(n) = v.as_f64() else {
        return Err(arg_type("conn", "of type number"));
    };
    Ok(index_arg(n, "conn", f64::from(u32::MAX))? as usize)
}

fn count_arg(v: &JsValue) -> Result<u64, JsValue> {
    let Some(n) = v.as_f64() else {
        return Err(arg_type("count", "of type number"));
    };
    Ok(index_arg(n, "count", f64::from(MAX_WINDOW))? as u64)
}

/// The filter `{ direction, kind, compressed, errors }` (`undefined`/`null`: everything).
fn filter_arg(v: &JsValue) -> Result<Filter, JsValue> {
    let o = args::options(v, "filter")?;
    let direction =
        match args::opt_string(&get(&o, "direction")?, "filter.direction", 64)?.as_deref() {
            None => None,
            Some("client_to_server") => Some(DirectionFilter::ClientToServer),
            Some("server_to_client") => Some(DirectionFilter::ServerToClient),
            Some(_) => {
                return Err(range_error(
                    INVALID_ARG_VALUE,
                    "filter.direction must be 'client_to_server' or 'server_to_client'",
                ))
            }
        };
    let kind = match args::opt_string(&get(&o, "kind")?, "filter.kind", 64)?.as_deref() {
        None => None,
        Some("data") => Some(KindFilter::Data),
        Some("control") => Some(KindFilter::Control),
        Some(_) => {
            return Err(range_error(
                INVALID_ARG_VALUE,
                "filter.kind must be 'data' or 'control'",
            ))
        }
    };
    Ok(Filter {
        direction,
        kind,
        compressed: args::flag(&get(&o, "compressed")?, "compressed", false)?,
        errors: args::flag(&get(&o, "errors")?, "errors", false)?,
    })
}

/// A capture opened for paged reading (`openCaptureSession`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct CaptureSession {
    ix: CaptureIndex,
}

/// `openCaptureSession(bytes, { maxBytes, maxFrameSize, maxMessageSize })`: reads the capture
/// once. Not a capture: an `Error` with the capture crate's `code`; out of wasm memory:
/// `CAPTURE_OUT_OF_MEMORY`.
#[wasm_bindgen(js_name = openCaptureSession)]
pub fn open_capture_session(bytes: JsValue, opts: JsValue) -> Result<CaptureSession, JsValue> {
    let b = args::bytes(&bytes, "bytes")?;
    let o = capture_options(&opts)?;
    let ix = CaptureIndex::build(&b, &o).map_err(|e| index_error(&e))?;
    Ok(CaptureSession { ix })
}

#[wasm_bindgen]
impl CaptureSession {
    /// The report without frames and messages, with per-connection counts (JSON).
    #[wasm_bindgen(js_name = summaryJson)]
    pub fn summary_json(&self) -> Result<String, JsValue> {
        json(&self.ix.summary())
    }

    /// `{ total, start, frames, message_ends }` of the filtered frames of connection `conn`.
    #[wasm_bindgen(js_name = framesJson)]
    pub fn frames_json(
        &mut self,
        conn: JsValue,
        start: JsValue,
        count: JsValue,
        filter: JsValue,
    ) -> Result<String, JsValue> {
        let (c, s, n, f) = (
            conn_arg(&conn)?,
            position(&start, "start")?,
            count_arg(&count)?,
            filter_arg(&filter)?,
        );
        json(&self.ix.frames(c, s, n, &f))
    }

    /// `{ total, start, messages }` of the filtered messages of connection `conn`.
    #[wasm_bindgen(js_name = messagesJson)]
    pub fn messages_json(
        &mut self,
        conn: JsValue,
        start: JsValue,
        count: JsValue,
        filter: JsValue,
    ) -> Result<String, JsValue> {
        let (c, s, n, f) = (
            conn_arg(&conn)?,
            position(&start, "start")?,
            count_arg(&count)?,
            filter_arg(&filter)?,
        );
        json(&self.ix.messages(c, s, n, &f))
    }

    /// Frame `index` of connection `conn` (`null` when there is none).
    #[wasm_bindgen(js_name = frameJson)]
    pub fn frame_json(&self, conn: JsValue, index: JsValue) -> Result<String, JsValue> {
        let (c, i) = (conn_arg(&conn)?, position(&index, "index")?);
        json(&self.ix.frame(c, i))
    }

    /// Message `index` of connection `conn` (`null` when there is none).
    #[wasm_bindgen(js_name = messageJson)]
    pub fn message_json(&self, conn: JsValue, index: JsValue) -> Result<String, JsValue> {
        let (c, i) = (conn_arg(&conn)?, position(&index, "index")?);
        json(&self.ix.message(c, i))
    }
}
