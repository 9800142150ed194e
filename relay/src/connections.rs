//! Every TCP connection the server accepts: the accept loop, the caps on open connections
//! (overall and per client address), and the timeouts that close slow and idle clients.
//!
//! hyper serves each connection; a watchdog beside it closes the connection when a request's
//! headers take longer than the header timeout to arrive, when an answer takes longer than
//! the send timeout to be written whole (a reader that takes 1 KB now and then keeps bytes
//! moving, so idleness alone never closes it), or when nothing moves for the idle timeout.
//! (hyper's own header timeout also runs while a keep-alive connection waits for its next
//! request, which would make the two timeouts one.) hyper buffers at most 64 KiB of a
//! request's head and answers 431 past it. Past a cap, a new connection gets a 503 with
//! `Retry-After` at once and is closed: no client is left hanging.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_service::Service as _;

/// File descriptors kept free for files, upstream sockets, refusals and the process itself:
/// the connection cap never reaches into them.
pub const RESERVED_FDS: u64 = 64;

/// Refused connections that may stay open for a moment so the client reads its 503 (part of
/// the reserve). Past this, under a flood, a refusal is written and closed at once.
const LINGERING_REFUSALS: usize = 16;

/// The timeouts every connection gets.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// From a request's first byte to the end of its headers.
    pub header_read: Duration,
    /// With nothing read or written: between requests on a keep-alive connection, before
    /// the first byte of a new one, or a client that stopped reading its answer.
    pub idle: Duration,
    /// From an answer's head to its last byte written out.
    pub send: Duration,
}

/// The most of a request's head hyper buffers; a larger head gets 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The caps, and how many connections are open now, by client.
#[derive(Debug)]
pub struct Connections {
    max: usize,
    max_per_client: usize,
    /// Whose connections count only against `max` (the operator's proxies).
    clients: crate::clients::Clients,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// Why a connection was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// The server holds its maximum of connections.
    Server,
    /// This client address (an IPv6 client's /64) holds its maximum.
    Client,
}

impl Connections {
    /// Caps of `max` connections in all and `max_per_client` per client address; the
    /// trusted proxies of `clients` carry many clients, so only `max` counts for them.
    pub fn new(max: usize, max_per_client: usize, clients: crate::clients::Clients) -> Arc<Self> {
        Arc::new(Connections {
            max: max.max(1),
            max_per_client: max_per_client.clamp(1, max.max(1)),
            clients,
            open: Mutex::new(Open::default()),
        })
    }

    /// Takes a place for a connection from `ip`, or says which cap is reached.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Full> {
        let key = crate::clients::client_key(ip);
        let cap = if self.clients.is_proxy(ip) {
            self.max
        } else {
            self.max_per_client
        };
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.max {
            return Err(Full::Server);
        }
        let mine = open.by_client.entry(key).or_insert(0);
        if *mine >= cap {
            return Err(Full::Client);
        }
        *mine += 1;
        open.total += 1;
        Ok(Slot {
            connections: Arc::clone(self),
            key,
        })
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).total
    }

    /// The overall cap.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The cap per client address.
    pub fn max_per_client(&self) -> usize {
        self.max_per_client
    }
}

/// One admitted connection's place; it is given back when dropped.
#[derive(Debug)]
pub struct Slot {
    connections: Arc<Connections>,
    key: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .connections
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(mine) = open.by_client.get_mut(&self.key) {
            *mine -= 1;
            if *mine == 0 {
                open.by_client.remove(&self.key);
            }
        }
    }
}

/// The most connections a process that may hold `fd_limit` open files should take: half of
/// what is left after the reserve (each connection may need a file or an upstream socket
/// too), at most 10,000.
pub fn safe_max(fd_limit: u64) -> usize {
    (fd_limit.saturating_sub(RESERVED_FDS) / 2).clamp(4, 10_000) as usize
}

/// The default cap per client address: a quarter of `max`. (A trusted proxy's connections
/// count only against `max`.)
pub fn default_per_client(max: usize) -> usize {
    (max / 4).max(1)
}

/// Raises the soft limit on open files to the hard limit; returns (soft before, soft now,
/// hard). Where the limit cannot be read, returns `None`.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not on every unix
pub fn raise_fd_limit() -> Option<(u64, u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        let before = limit.rlim_cur as u64;
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
        Some((before, limit.rlim_cur as u64, limit.rlim_max as u64))
    }
}

/// The soft limit on open files now, if it can be read.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not on every unix
pub fn fd_limit() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0)
        .then_some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
pub fn raise_fd_limit() -> Option<(u64, u64, u64)> {
    None
}

#[cfg(not(unix))]
pub fn fd_limit() -> Option<u64> {
    None
}

/// Accepts connections until `shutdown` turns true, then lets open ones finish their
/// requests (for at most `grace`). An accept error (out of file descriptors, say) is logged
/// at most once a second and never stops the loop.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    connections: Arc<Connections>,
    timeouts: Timeouts,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) {
    let mut last_error_log: Option<Instant> = None;
    let tasks = tokio_util::task::TaskTracker::new();
    let lingering = Arc::new(tokio::sync::Semaphore::new(LINGERING_REFUSALS));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                if last_error_log.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                    tracing::warn!(%error, open = connections.open(), "accept failed");
                    last_error_log = Some(Instant::now());
                }
                // Out of descriptors: give closing connections a moment instead of spinning.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        match connections.admit(peer.ip()) {
            Ok(slot) => {
                let app = app.clone();
                let shutdown = shutdown.clone();
                tasks.spawn(async move {
                    serve_connection(stream, peer, app, timeouts, shutdown).await;
                    drop(slot);
                });
            }
            Err(full) => match Arc::clone(&lingering).try_acquire_owned() {
                Ok(permit) => {
                    tasks.spawn(async move {
                        refuse(stream, full).await;
                        drop(permit);
                    });
                }
                // A flood: answer if the socket takes it now, and close.
                Err(_) => {
                    let _ = stream.try_write(refusal(full).as_bytes());
                }
            },
        }
    }
    tracing::info!(
        open = connections.open(),
        "no longer accepting; finishing open requests"
    );
    tasks.close();
    let _ = tokio::time::timeout(grace, tasks.wait()).await;
}

/// Answers 503 with `Retry-After` and closes: the client learns at once that the server is
/// full. The request is read and dropped for a moment first, so closing does not reset the
/// connection before the client has read the answer.
async fn refuse(mut stream: TcpStream, full: Full) {
    let answer = refusal(full);
    let brief = Duration::from_millis(500);
    if tokio::time::timeout(brief, stream.write_all(answer.as_bytes()))
        .await
        .is_ok()
    {
        let _ = tokio::time::timeout(brief, stream.shutdown()).await;
        let mut sink = [0u8; 1024];
        let _ = tokio::time::timeout(brief, async {
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        })
        .await;
    }
}

/// The 503 a refused connection gets.
fn refusal(full: Full) -> String {
    let message = match full {
        Full::Server => {
            "The server holds as many connections as it can. Try again in a few seconds."
        }
        Full::Client => {
            "Too many connections from your address. Close some, or try again in a few seconds."
        }
    };
    let body = serde_json::json!({"error": "server_busy", "message": message}).to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 5\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Where a connection stands, for its watchdog.
const IDLE: u8 = 0;
const READING_HEAD: u8 = 1;
const IN_FLIGHT: u8 = 2;
/// An answer is being written: from its head until its body has ended and been flushed.
const SENDING: u8 = 3;

/// What the watchdog reads: the phase, since when, and the last byte read or written, in
/// milliseconds since the connection opened.
struct Watch {
    opened: Instant,
    phase: AtomicU8,
    since: AtomicU64,
    last_io: AtomicU64,
    /// Wakes the watchdog when its deadline moves earlier (a request's first byte).
    sooner: tokio::sync::Notify,
    /// The answer being sent has handed hyper its last byte; the next flush ends `SENDING`.
    body_done: std::sync::atomic::AtomicBool,
}

impl Watch {
    fn new() -> Arc<Self> {
        Arc::new(Watch {
            opened: Instant::now(),
            phase: AtomicU8::new(IDLE),
            since: AtomicU64::new(0),
            last_io: AtomicU64::new(0),
            sooner: tokio::sync::Notify::new(),
            body_done: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Everything hyper held has reached the socket: an answer whose body ended is sent.
    fn flushed(&self) {
        if self.body_done.swap(false, Ordering::SeqCst) {
            let _ = self
                .phase
                .compare_exchange(SENDING, IDLE, Ordering::SeqCst, Ordering::SeqCst);
            self.since.store(self.now(), Ordering::SeqCst);
        }
    }

    fn now(&self) -> u64 {
        self.opened.elapsed().as_millis() as u64
    }

    fn enter(&self, phase: u8) {
        self.since.store(self.now(), Ordering::SeqCst);
        self.phase.store(phase, Ordering::SeqCst);
    }

    /// Bytes arrived: the first of a new request starts the header clock.
    fn read(&self) {
        self.last_io.store(self.now(), Ordering::SeqCst);
        if self
            .phase
            .compare_exchange(IDLE, READING_HEAD, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            self.since.store(self.now(), Ordering::SeqCst);
            self.sooner.notify_one();
        }
    }

    fn wrote(&self) {
        self.last_io.store(self.now(), Ordering::SeqCst);
    }

    /// When the connection must be closed, in milliseconds since it opened.
    fn deadline(&self, timeouts: Timeouts) -> u64 {
        let quiet_since = self
            .since
            .load(Ordering::SeqCst)
            .max(self.last_io.load(Ordering::SeqCst));
        let idle = quiet_since + timeouts.idle.as_millis() as u64;
        let since = self.since.load(Ordering::SeqCst);
        match self.phase.load(Ordering::SeqCst) {
            READING_HEAD => idle.min(since + timeouts.header_read.as_millis() as u64),
            SENDING => idle.min(since + timeouts.send.as_millis() as u64),
            _ => idle,
        }
    }
}

/// A socket that tells its watchdog when bytes move.
struct Watched {
    stream: TcpStream,
    watch: Arc<Watch>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.watch.wrote();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // hyper flushes once its own buffer is written out, so a flush after the body's end
        // means the whole answer is in the socket.
        let polled = Pin::new(&mut self.stream).poll_flush(cx);
        if matches!(polled, Poll::Ready(Ok(()))) {
            self.watch.flushed();
        }
        polled
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// An answer's body that tells the watchdog when hyper has taken its last byte (or dropped
/// it unfinished).
struct Ended {
    body: axum::body::Body,
    watch: Option<Arc<Watch>>,
}

impl Ended {
    fn end(&mut self) {
        if let Some(watch) = self.watch.take() {
            watch.body_done.store(true, Ordering::SeqCst);
        }
    }
}

impl Drop for Ended {
    fn drop(&mut self) {
        self.end();
    }
}

impl hyper::body::Body for Ended {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.end();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// Serves one connection with hyper until it ends, its watchdog closes it, or shutdown asks
/// it to finish.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    timeouts: Timeouts,
    mut shutdown: watch::Receiver<bool>,
) {
    let watch = Watch::new();
    #[cfg(unix)]
    let socket = std::os::fd::AsRawFd::as_raw_fd(&stream);
    let io = TokioIo::new(Watched {
        stream,
        watch: Arc::clone(&watch),
    });
    let service_watch = Arc::clone(&watch);
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let mut app = app.clone();
            let watch = Arc::clone(&service_watch);
            watch.enter(IN_FLIGHT);
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            async move {
                let response = app.call(request).await;
                watch.enter(SENDING);
                response.map(|response| {
                    response.map(|body| Ended {
                        body,
                        watch: Some(watch),
                    })
                })
            }
        });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The watchdog keeps time; hyper's own header clock would also close idle keep-alives.
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .max_buf_size(MAX_HEAD_BYTES);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let mut finishing = false;
    loop {
        let deadline = tokio::time::Instant::from_std(
            watch.opened + Duration::from_millis(watch.deadline(timeouts)),
        );
        tokio::select! {
            _ = connection.as_mut() => return,
            _ = watch.sooner.notified() => {}
            _ = tokio::time::sleep_until(deadline) => {
                if watch.now() >= watch.deadline(timeouts) {
                    // An overdue answer is cut off: closed gracefully, the kernel would go on
                    // trickling what it holds to the slow reader.
                    #[cfg(unix)]
                    if watch.phase.load(Ordering::SeqCst) == SENDING {
                        reset_on_close(socket);
                    }
                    // Dropping the connection closes the socket.
                    return;
                }
            }
            _ = shutdown.changed(), if !finishing => {
                finishing = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Makes closing `socket` discard what is still unsent and reset the connection
/// (`SO_LINGER` of zero), instead of delivering it first.
#[cfg(unix)]
fn reset_on_close(socket: std::os::fd::RawFd) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `socket` is the connection's descriptor, still open: its owner, the hyper
    // connection, is dropped after this call. setsockopt only reads `linger`.
    unsafe {
        libc::setsockopt(
            socket,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            std::ptr::from_ref(&linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_count_per_client_and_overall() {
        let connections = Connections::new(3, 2, crate::clients::Clients::default());
        let a: IpAddr = "127.0.0.2".parse().expect("an address");
        let b: IpAddr = "127.0.0.1".parse().expect("an address");
        let first = connections.admit(a).expect("room");
        let second = connections.admit(a).expect("room");
        assert_eq!(connections.admit(a).err(), Some(Full::Client));
        let third = connections.admit(b).expect("room for another client");
        assert_eq!(connections.admit(b).err(), Some(Full::Server));
        assert_eq!(connections.open(), 3);
        drop(first);
        assert_eq!(connections.open(), 2);
        let again = connections.admit(a).expect("a place came back");
        drop((second, third, again));
        assert_eq!(connections.open(), 0);
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let connections = Connections::new(10, 1, crate::clients::Clients::default());
        let one: IpAddr = "2001:db8:1:2::1".parse().expect("an address");
        let same_64: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("an address");
        let other_64: IpAddr = "2001:db8:1:3::1".parse().expect("an address");
        let _held = connections.admit(one).expect("room");
        assert_eq!(connections.admit(same_64).err(), Some(Full::Client));
        assert!(connections.admit(other_64).is_ok());
    }

    #[test]
    fn a_trusted_proxy_counts_only_against_the_overall_cap() {
        let clients = crate::clients::Clients::new(
            Some(axum::http::HeaderName::from_static("x-forwarded-for")),
            vec![crate::clients::parse_network("10.0.0.1").expect("net")],
        )
        .expect("valid");
        let connections = Connections::new(4, 1, clients);
        let proxy: IpAddr = "10.0.0.1".parse().expect("an address");
        let other: IpAddr = "10.0.0.2".parse().expect("an address");
        let mut held: Vec<Slot> = (0..3)
            .map(|_| {
                connections
                    .admit(proxy)
                    .expect("the proxy carries many clients")
            })
            .collect();
        let _one = connections.admit(other).expect("room");
        assert_eq!(connections.admit(proxy).err(), Some(Full::Server));
        held.pop();
        assert_eq!(
            connections.admit(other).err(),
            Some(Full::Client),
            "another peer keeps its own cap"
        );
    }

    #[test]
    fn default_caps_leave_room_for_files() {
        // (file limit, overall, per client)
        let cases = [
            (128, 32, 8),
            (1024, 480, 120),
            (1_048_576, 10_000, 2_500),
            (10, 4, 1),
        ];
        for (limit, max, per_client) in cases {
            let got = safe_max(limit);
            assert_eq!((got, default_per_client(got)), (max, per_client), "{limit}");
        }
    }

    #[test]
    fn the_watchdog_gives_headers_and_idleness_their_own_clocks() {
        let timeouts = Timeouts {
            header_read: Duration::from_millis(100),
            idle: Duration::from_millis(1000),
            send: Duration::from_millis(300),
        };
        let watch = Watch::new();
        assert_eq!(
            watch.deadline(timeouts),
            1000,
            "a new, silent connection: idle"
        );
        watch.read();
        let head_started = watch.since.load(Ordering::SeqCst);
        assert_eq!(
            watch.deadline(timeouts),
            head_started + 100,
            "headers under way"
        );
        watch.enter(IN_FLIGHT);
        watch.enter(SENDING);
        let sending_since = watch.since.load(Ordering::SeqCst);
        watch.wrote();
        assert_eq!(
            watch.deadline(timeouts),
            sending_since + 300,
            "an answer under way: writes do not move its deadline"
        );
        watch.flushed();
        assert_eq!(
            watch.phase.load(Ordering::SeqCst),
            SENDING,
            "the body is not done"
        );
        watch.body_done.store(true, Ordering::SeqCst);
        watch.flushed();
        let idle_since = watch.since.load(Ordering::SeqCst);
        assert_eq!(
            watch.deadline(timeouts),
            idle_since + 1000,
            "between requests"
        );
    }
}
