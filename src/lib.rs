//! napi binding: converts types and errors only. All logic lives in crates/.
use std::panic::{catch_unwind, AssertUnwindSafe};

mod db;
mod generate;
mod rollbacks;
mod verify;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The stable `error.code` seen by JavaScript.
///
/// napi-rs sets a thrown error's `code` property from the error's status string, and its own
/// `Status` enum only has napi status names, so a custom status type carries our codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCode(String);

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An error thrown to JS as `Error` with `code` and `message`.
pub(crate) type CodedError = napi::Error<ErrorCode>;
/// Internal result type. Exported `#[napi]` functions must spell it `napi::Result<T, ErrorCode>`:
/// the macro recognises a fallible return only by the name `Result`.
pub(crate) type JsResult<T> = napi::Result<T, ErrorCode>;

/// Build an error whose JS `code` property is exactly `code`.
pub(crate) fn js_error(code: &str, message: impl Into<String>) -> CodedError {
    napi::Error::new(ErrorCode(code.to_owned()), message.into())
}

/// Materialise a coded error as a real JS `Error` object and wrap it in a plain `napi::Error`
/// that keeps a reference to that object. Needed where napi-rs only accepts `napi::Error`
/// (async fns, promise callbacks, `Task::reject`): napi rejects/throws with the retained object
/// as is, so `code` survives. Must run on the JS thread (it has an `Env`), e.g.
/// `env.spawn_future_with_callback(fut_yielding_Ok(Result<T, CodedError>), |env, r| r.map_err(|e| to_napi_error(env, e)))`.
#[allow(dead_code)] // used by the DB module
pub(crate) fn to_napi_error(env: &napi::Env, err: CodedError) -> napi::Error {
    // SAFETY: `env` is a live environment on its own JS thread (we were handed a `&Env`).
    let value = unsafe { napi::bindgen_prelude::JsError::from(err).into_value(env.raw()) };
    if value.is_null() {
        // The environment is tearing down; nothing can receive a coded error anyway.
        return napi::Error::from_reason("environment is shutting down");
    }
    // SAFETY: `value` was just created in this `env` and is a non-null JS value.
    napi::Error::from(unsafe { napi::Unknown::from_raw_unchecked(env.raw(), value) })
}

/// Run `f`, turning a panic into an `INTERNAL_ERROR` instead of letting it unwind into Node
/// (which would abort the process).
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> JsResult<T>) -> JsResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(js_error("INTERNAL_ERROR", format!("internal error: panic: {detail}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_panic_passes_through_ok_and_err() {
        assert_eq!(catch_panic(|| Ok(7)).unwrap(), 7);
        let err = catch_panic::<()>(|| Err(js_error("PARSE_ERROR", "bad"))).unwrap_err();
        assert_eq!(err.status.as_ref(), "PARSE_ERROR");
        assert_eq!(err.reason, "bad");
    }

    #[test]
    fn catch_panic_turns_str_and_string_panics_into_internal_error() {
        let err = catch_panic::<()>(|| panic!("boom")).unwrap_err();
        assert_eq!(err.status.as_ref(), "INTERNAL_ERROR");
        assert!(err.reason.contains("boom"), "{}", err.reason);

        let n = 3;
        let err = catch_panic::<()>(|| panic!("formatted {n}")).unwrap_err();
        assert_eq!(err.status.as_ref(), "INTERNAL_ERROR");
        assert!(err.reason.contains("formatted 3"), "{}", err.reason);

        let err = catch_panic::<()>(|| std::panic::panic_any(42_u8)).unwrap_err();
        assert_eq!(err.status.as_ref(), "INTERNAL_ERROR");
        assert!(err.reason.contains("unknown panic"), "{}", err.reason);
    }

    #[test]
    fn js_error_keeps_code_and_message() {
        let err = js_error("INVALID_INPUT", String::from("NUL byte"));
        assert_eq!(err.status.as_ref(), "INVALID_INPUT");
        assert_eq!(err.reason, "NUL byte");
    }
}
