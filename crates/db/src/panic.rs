//! Panics never cross into Node (a Rust panic unwinding into it aborts the process): the binding runs every
//! call through these, and a panic becomes `INTERNAL_ERROR`.
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::error::{Error, Result};

/// Run `f`, turning a panic into `INTERNAL_ERROR` instead of letting it unwind into Node (which aborts).
pub fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(Error::Internal(format!("panic: {detail}")))
    })
}

/// Polls the inner future inside `catch_panic`, so a panic settles the promise as `INTERNAL_ERROR`.
pub struct CatchPanic<T>(pub Pin<Box<dyn Future<Output = Result<T>> + Send>>);

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

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
