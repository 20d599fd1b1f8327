//! The server's connections, bounded so that slow or idle clients cannot hold it: at most
//! [`CONNECTIONS`] open at once, each given [`HEAD_TIMEOUT`] to send a request's head, and, when
//! every place is taken, the connection that has waited longest without a request in progress
//! is closed to make room. A client that sends nothing, or its headers a byte at a time, is the
//! first to go; one whose request is being answered is never cut off for another. Bodies are
//! bounded in time by the handlers that read them ([`BODY_TIMEOUT`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

/// Connections open at once: well under the 256 file descriptors a small server is given.
pub const CONNECTIONS: usize = 128;
/// How long a client has to send a request's head, on a new connection and between requests.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an upload's body may take to arrive.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a connection lasts at most, whatever it does.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(600);

/// The open connections: those waiting for a request, oldest first, and those with one.
#[derive(Default)]
struct Slots {
    /// Waiting connections by the order they began to wait, with the handle that closes each.
    waiting: BTreeMap<u64, (u64, AbortHandle)>,
    /// When each connection began to wait, by connection.
    since: BTreeMap<u64, u64>,
    busy: usize,
    tick: u64,
}

impl Slots {
    fn open(&self) -> usize {
        self.waiting.len() + self.busy
    }

    fn wait(&mut self, id: u64, handle: AbortHandle) {
        self.tick += 1;
        self.waiting.insert(self.tick, (id, handle));
        self.since.insert(id, self.tick);
    }

    /// The connection has a request in progress: it is not to be closed for another.
    fn work(&mut self, id: u64) -> Option<AbortHandle> {
        let tick = self.since.remove(&id)?;
        let (_, handle) = self.waiting.remove(&tick)?;
        self.busy += 1;
        Some(handle)
    }

    fn rest(&mut self, id: u64, handle: AbortHandle) {
        self.busy = self.busy.saturating_sub(1);
        self.wait(id, handle);
    }

    fn close(&mut self, id: u64) {
        if let Some(tick) = self.since.remove(&id) {
            self.waiting.remove(&tick);
        }
    }

    /// Makes room for one more: closes the connection that has waited longest.
    fn make_room(&mut self) -> bool {
        if self.open() < CONNECTIONS {
            return true;
        }
        match self.waiting.pop_first() {
            Some((_, (id, handle))) => {
                self.since.remove(&id);
                handle.abort();
                true
            }
            None => false,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl std::future::Future) {
    let slots = Arc::new(Mutex::new(Slots::default()));
    let mut next_id = 0u64;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors, most often: let connections close, then go on.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let room = slots.lock().is_ok_and(|mut slots| slots.make_room());
        if !room {
            // Every connection has a request in progress: this one is closed at once.
            continue;
        }
        next_id += 1;
        let id = next_id;
        let (slots_here, router) = (slots.clone(), router.clone());
        // The task registers its own handle before it serves anything.
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<AbortHandle>();
        let task = tokio::spawn(async move {
            let Ok(handle) = ready_rx.await else {
                return;
            };
            if let Ok(mut slots) = slots_here.lock() {
                slots.wait(id, handle);
            }
            let service_slots = slots_here.clone();
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let (slots, mut router) = (service_slots.clone(), router.clone());
                async move {
                    let handle = slots.lock().ok().and_then(|mut s| s.work(id));
                    let response = tower_service::Service::call(&mut router, request).await;
                    if let (Some(handle), Ok(mut slots)) = (handle, slots.lock()) {
                        slots.rest(id, handle);
                    }
                    response
                }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
            if let Ok(mut slots) = slots_here.lock() {
                slots.close(id);
            }
        });
        let _ = ready_tx.send(task.abort_handle());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_longest_waiting_connection_makes_room_and_a_busy_one_never_does() {
        let mut slots = Slots::default();
        let mut tasks = Vec::new();
        for id in 0..CONNECTIONS as u64 {
            let task = tokio::spawn(std::future::pending::<()>());
            slots.wait(id, task.abort_handle());
            tasks.push(task);
        }
        // Connection 0 has a request in progress; 1 has waited longest of the others.
        let busy = slots.work(0).unwrap();
        assert!(slots.make_room());
        tokio::task::yield_now().await;
        assert!(tasks[1].is_finished(), "the longest waiting one is closed");
        assert!(
            !tasks[0].is_finished(),
            "a connection with a request is kept"
        );
        slots.rest(0, busy);
        assert_eq!(slots.open(), CONNECTIONS - 1);
        // With every place busy, no room is made.
        let mut full = Slots::default();
        for id in 0..CONNECTIONS as u64 {
            let task = tokio::spawn(std::future::pending::<()>());
            full.wait(id, task.abort_handle());
            full.work(id);
        }
        assert!(!full.make_room());
    }
}
