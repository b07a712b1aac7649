//! Long-lived threads that decode part of a large migration's parse tree (`wire::parse_statements`) and drop
//! big trees off the caller's thread: the allocators' per-thread caches stay warm between calls (threads
//! spawned per call paid for fresh pages every time).
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, LazyLock, Mutex};

type Job = Box<dyn FnOnce() + Send>;

static JOBS: LazyLock<Mutex<Sender<Job>>> = LazyLock::new(|| {
    let (send, receive) = channel::<Job>();
    let receive = Arc::new(Mutex::new(receive));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4) - 1;
    for i in 0..threads.max(1) {
        let receive = receive.clone();
        let _ = std::thread::Builder::new().name(format!("pg-rollback-parse-{i}")).spawn(move || loop {
            let job = match receive.lock() {
                Ok(queue) => queue.recv(),
                Err(_) => return,
            };
            match job {
                Ok(job) => job(),
                Err(_) => return,
            }
        });
    }
    Mutex::new(send)
});

/// Runs `f` on a pool thread; its result arrives on the receiver (nothing when it panicked).
pub fn run<T: Send + 'static>(f: impl FnOnce() -> Option<T> + Send + 'static) -> Receiver<Option<T>> {
    let (send, receive) = channel();
    let job: Job = Box::new(move || {
        let _ = send.send(catch_unwind(AssertUnwindSafe(f)).ok().flatten());
    });
    if let Ok(jobs) = JOBS.lock() {
        let _ = jobs.send(job);
    }
    receive
}

/// Drops `value` on a pool thread (freeing a large parse tree takes a while).
pub fn drop_later<T: Send + 'static>(value: T) {
    let job: Job = Box::new(move || drop(value));
    match JOBS.lock() {
        Ok(jobs) => {
            let _ = jobs.send(job);
        }
        Err(_) => drop(job),
    }
}
