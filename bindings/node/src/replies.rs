//! What the client's calls resolve to, as plain JavaScript objects.

use napi::bindgen_prelude::ToNapiValue;
use napi::{Result, sys};
use wxcloud::{CollectionList, MigrateStatus, Pager, UpdateResult};

use crate::raw::{Js, JsValue};
use crate::tape;

/// Records: the service's strings, decoded into objects in one pass when handed to
/// JavaScript, or kept as they are in raw mode.
pub enum Rows {
    /// Records to decode.
    Records(wxcloud::RecordTexts),
    /// Records the core has already decoded (a walk's pages).
    Decoded(Vec<wxcloud::Document>),
    /// Extended JSON strings, untouched.
    Raw(wxcloud::RecordTexts),
}

impl Rows {
    fn to_js(&self, js: Js) -> Result<JsValue> {
        match self {
            Rows::Records(texts) => tape::to_array(js, texts.iter(), true),
            Rows::Decoded(docs) => tape::documents_to_array(js, docs),
            Rows::Raw(strings) => {
                let array = js.array(strings.len())?;
                for (i, s) in strings.iter().enumerate() {
                    js.set_element(array, i as u32, js.string(s)?)?;
                }
                Ok(array)
            }
        }
    }
}

impl ToNapiValue for Rows {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        val.to_js(Js(env))
    }
}

/// A page of records: `{data, offset, limit, total}`.
pub struct Page {
    /// The records.
    pub data: Rows,
    /// The pager.
    pub pager: Pager,
}

impl ToNapiValue for Page {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let js = Js(env);
        let object = js.object()?;
        js.set_named(object, "data", val.data.to_js(js)?)?;
        set_pager(js, object, &val.pager)?;
        Ok(object)
    }
}

fn set_pager(js: Js, object: JsValue, pager: &Pager) -> Result<()> {
    js.set_named(object, "offset", js.double(pager.offset as f64)?)?;
    js.set_named(object, "limit", js.double(pager.limit as f64)?)?;
    js.set_named(object, "total", js.double(pager.total as f64)?)
}

fn string_or_null(js: Js, s: Option<&str>) -> Result<JsValue> {
    match s {
        Some(s) => js.string(s),
        None => js.null(),
    }
}

/// `{matched, modified, id}`.
pub struct Updated(pub UpdateResult);

impl ToNapiValue for Updated {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let js = Js(env);
        let object = js.object()?;
        js.set_named(object, "matched", js.double(val.0.matched as f64)?)?;
        js.set_named(object, "modified", js.double(val.0.modified as f64)?)?;
        js.set_named(object, "id", string_or_null(js, val.0.id.as_deref())?)?;
        Ok(object)
    }
}

/// `{collections: [{name, count, size, indexCount, indexSize}], offset, limit, total}`.
pub struct Collections(pub CollectionList);

impl ToNapiValue for Collections {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let js = Js(env);
        let list = js.array(val.0.collections.len())?;
        for (i, c) in val.0.collections.iter().enumerate() {
            let info = js.object()?;
            js.set_named(info, "name", js.string(&c.name)?)?;
            js.set_named(info, "count", js.double(c.count as f64)?)?;
            js.set_named(info, "size", js.double(c.size as f64)?)?;
            js.set_named(info, "indexCount", js.double(c.index_count as f64)?)?;
            js.set_named(info, "indexSize", js.double(c.index_size as f64)?)?;
            js.set_element(list, i as u32, info)?;
        }
        let object = js.object()?;
        js.set_named(object, "collections", list)?;
        set_pager(js, object, &val.0.pager)?;
        Ok(object)
    }
}

/// `{status, recordSuccess, recordFail, errMsg, fileUrl}`.
pub struct Migration(pub MigrateStatus);

impl ToNapiValue for Migration {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        let js = Js(env);
        let s = &val.0;
        let object = js.object()?;
        js.set_named(object, "status", js.string(&s.status)?)?;
        js.set_named(object, "recordSuccess", js.double(s.record_success as f64)?)?;
        js.set_named(object, "recordFail", js.double(s.record_fail as f64)?)?;
        js.set_named(object, "errMsg", string_or_null(js, s.err_msg.as_deref())?)?;
        js.set_named(
            object,
            "fileUrl",
            string_or_null(js, s.file_url.as_deref())?,
        )?;
        Ok(object)
    }
}

/// A count or job id as a number.
pub struct Count(pub u64);

impl ToNapiValue for Count {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        Js(env).double(val.0 as f64)
    }
}
