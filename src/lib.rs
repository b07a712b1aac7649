//! napi binding: converts arguments, results and errors only. The types and checks live in crates/
//! (feature "napi" makes their types the JavaScript ones; `pg_rollback_db::args` reads the arguments).
// Unit tests build napi as "noop": the exports are not registered and look unused.
#![cfg_attr(test, allow(dead_code))]
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use napi::bindgen_prelude::{JsError, Object, PromiseRaw, ToNapiValue, Unknown};
use napi::{Env, ValueType};
use pg_rollback_db::{args, Error};
use serde::de::DeserializeOwned;

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

/// Run `f`, turning a panic into `INTERNAL_ERROR` instead of letting it unwind into Node (which aborts).
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(Error::Internal(format!("panic: {detail}")))
    })
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

/// Polls the inner future inside `catch_panic`, so a panic settles the promise as `INTERNAL_ERROR`.
struct CatchPanic<T>(Pin<Box<dyn Future<Output = Result<T>> + Send>>);

impl<T> Future for CatchPanic<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_panic(|| Ok(inner.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => Poll::Ready(Err(panic)),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use pg_rollback_db::ErrorCode;

    #[test]
    fn catch_panic_passes_results_through_and_turns_panics_into_internal_error() {
        assert_eq!(catch_panic(|| Ok(7)).unwrap(), 7);
        let e = catch_panic::<()>(|| Err(Error::InvalidArgument("bad".into()))).unwrap_err();
        assert_eq!((e.code(), e.to_string()), (ErrorCode::InvalidArgument, "bad".into()));
        let n = 3;
        for (result, text) in [
            (catch_panic::<()>(|| panic!("boom")), "boom"),
            (catch_panic::<()>(|| panic!("formatted {n}")), "formatted 3"),
            (catch_panic::<()>(|| std::panic::panic_any(42_u8)), "unknown panic"),
        ] {
            let e = result.unwrap_err();
            assert_eq!(e.code(), ErrorCode::InternalError);
            assert!(e.to_string().contains(text), "{e}");
        }
    }

    #[test]
    fn a_panicking_future_becomes_internal_error() {
        let mut fut = Box::pin(CatchPanic::<()>(Box::pin(async { panic!("kaboom") })));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(Err(e)) => assert!(e.code() == ErrorCode::InternalError && e.to_string().contains("kaboom")),
            _ => panic!("expected an INTERNAL_ERROR"),
        }
    }
}
