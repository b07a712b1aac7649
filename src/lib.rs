//! napi binding: converts arguments, results and errors only. The types and checks live in crates/
//! (feature "napi" makes their types the JavaScript ones; `pg_rollback_db::args` reads the arguments).
use std::future::Future;

use napi::bindgen_prelude::{JsError, Object, PromiseRaw, ToNapiValue, Unknown};
use napi::{Env, ValueType};
use pg_rollback_db::panic::{catch_panic, CatchPanic};
use pg_rollback_db::{args, Error};
use serde::de::DeserializeOwned;

mod archive;
mod db;
mod generate;
mod rollbacks;
mod verify;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// `e` as a JavaScript `Error` with `code` (an `ErrorCode`), the same message, and the data it is about as
/// fields (`version`, `statement`, `sqlstate`); wrapped so that napi throws or rejects with exactly this
/// object. Runs on the JS thread.
pub(crate) fn js_error(env: &Env, e: Error) -> napi::Error {
    let (version, statement) = (e.version().map(str::to_owned), e.statement().cloned());
    let sqlstate = e.sqlstate().map(str::to_owned);
    // SAFETY: `env` is the live environment of the JS thread we are called on.
    let value = unsafe { JsError::from(napi::Error::new(e.code(), e.to_string())).into_value(env.raw()) };
    if value.is_null() {
        // The environment is tearing down; nothing can receive the error anyway.
        return napi::Error::from_reason("environment is shutting down");
    }
    // SAFETY: `value` was just created in this `env` and is an Error object.
    let unknown = unsafe { Unknown::from_raw_unchecked(env.raw(), value) };
    // SAFETY: an Error is an object.
    if let Ok(mut object) = unsafe { unknown.cast::<Object>() } {
        let _ = version.map(|v| object.set("version", v));
        let _ = statement.map(|s| object.set("statement", s));
        let _ = sqlstate.map(|s| object.set("sqlstate", s));
    }
    napi::Error::from(unknown)
}

/// A synchronous export's result: its error thrown as `js_error`.
pub(crate) fn sync<T>(env: &Env, f: impl FnOnce() -> Result<T>) -> napi::Result<T> {
    catch_panic(f).map_err(|e| js_error(env, e))
}

/// Argument `name` read as `T` from its JSON form (`undefined` reads as `null`).
pub(crate) fn arg<T: DeserializeOwned>(name: &str, value: &Unknown<'_>) -> Result<T> {
    let json = match value.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => serde_json::Value::Null,
        // SAFETY: serde_json::Value reads any JavaScript value (failing for functions, symbols, ...).
        _ => unsafe { value.cast::<serde_json::Value>() }
            .map_err(|e| Error::InvalidArgument(format!("{name}: {}", e.reason)))?,
    };
    args::from_json(name, json)
}

/// An optional argument: absent, `undefined` or `null` is `T::default()`.
pub(crate) fn opt_arg<T: DeserializeOwned + Default>(name: &str, value: Option<&Unknown<'_>>) -> Result<T> {
    match value {
        Some(v) if !matches!(v.get_type(), Ok(ValueType::Undefined | ValueType::Null)) => arg(name, v),
        _ => Ok(T::default()),
    }
}

/// Run `fut` on napi's tokio runtime; its error becomes the rejection (a `js_error`).
pub(crate) fn promise<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> napi::Result<PromiseRaw<'env, T>> {
    let guarded = CatchPanic(Box::pin(fut));
    env.spawn_future_with_callback(async move { Ok(guarded.await) }, |env, result: Result<T>| {
        result.map_err(|e| js_error(env, e))
    })
}
