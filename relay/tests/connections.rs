//! Slow, idle and greedy clients on a real socket: the header and idle timeouts close them,
//! the caps refuse the excess at once, and a normal request is still answered, also when the
//! process may open only 128 files. Slow clients come from 127.0.0.2, the learner from
//! 127.0.0.1, so the per-address cap sees two clients.

// Native test code: reading the clock is fine here.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser as _;
use relay::{AppState, Config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Starts the server in this process with `flags`; returns its address. It stops with the
/// test's runtime.
async fn start(name: &str, flags: &[&str]) -> SocketAddr {
    start_in(common::fake_dist(name), flags).await
}

/// `start`, serving the files of `dist`.
async fn start_in(dist: std::path::PathBuf, flags: &[&str]) -> SocketAddr {
    let dist = dist.display().to_string();
    let mut args = vec!["relay", "--listen", "127.0.0.1:0", "--dist", dist.as_str()];
    args.extend_from_slice(flags);
    let state = AppState::new(&Config::parse_from(args)).expect("the server starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let address = listener.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let _running = stop;
        relay::serve(listener, state, stopped).await;
    });
    address
}

/// A connection from `from` (a loopback address) to `to`.
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .bind(format!("{from}:0").parse().expect("an address"))
        .expect("bind to a loopback address");
    socket.connect(to).await.expect("connect")
}

/// A client that sends half of a request's headers and then nothing.
async fn slow_client(from: &str, to: SocketAddr) -> TcpStream {
    let mut stream = connect_from(from, to).await;
    let _ = stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: playground\r\nX-Slow: ")
        .await;
    stream
}

/// Sends `GET path` on `stream` (keep-alive) and reads one answer's head and body.
async fn request(stream: &mut TcpStream, path: &str) -> String {
    let ask = format!("GET {path} HTTP/1.1\r\nHost: playground\r\n\r\n");
    stream.write_all(ask.as_bytes()).await.expect("send");
    read_answer(stream).await
}

/// Reads one answer: the head, then as many body bytes as Content-Length says.
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => answer.push(byte[0]),
            _ => return String::from_utf8_lossy(&answer).into_owned(),
        }
    }
    let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.expect("the body");
    answer.extend(body);
    String::from_utf8_lossy(&answer).into_owned()
}

/// How long until the server closes `stream` (reads EOF), waiting at most `limit`.
async fn closed_after(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut sink = [0u8; 256];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => continue,
            }
        }
    })
    .await
    .ok()
}

/// `GET /healthz` from 127.0.0.1 on a new connection, answered within two seconds.
async fn learner_gets(to: SocketAddr, path: &str) -> String {
    tokio::time::timeout(Duration::from_secs(2), async {
        let mut stream = connect_from("127.0.0.1", to).await;
        request(&mut stream, path).await
    })
    .await
    .expect("answered within two seconds, never left hanging")
}

#[tokio::test]
async fn half_sent_headers_are_closed_after_the_header_timeout() {
    let server = start(
        "header-timeout",
        &["--header-read-timeout", "1", "--idle-timeout", "30"],
    )
    .await;
    let mut slow = slow_client("127.0.0.2", server).await;
    let closed = closed_after(&mut slow, Duration::from_secs(5))
        .await
        .expect("closed, not left open");
    assert!(
        closed >= Duration::from_millis(800) && closed < Duration::from_secs(3),
        "closed after {closed:?}, the header timeout is 1 s"
    );
    // Control: a whole request on a new connection is answered.
    assert!(learner_gets(server, "/healthz")
        .await
        .starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_after_the_idle_timeout() {
    let server = start(
        "idle-timeout",
        &["--header-read-timeout", "1", "--idle-timeout", "3"],
    )
    .await;
    let mut stream = connect_from("127.0.0.1", server).await;
    assert!(request(&mut stream, "/healthz")
        .await
        .starts_with("HTTP/1.1 200"));
    // Longer than the header timeout, shorter than the idle one: still open for the next.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        request(&mut stream, "/healthz")
            .await
            .starts_with("HTTP/1.1 200"),
        "a keep-alive connection outlives the header timeout"
    );
    let closed = closed_after(&mut stream, Duration::from_secs(8))
        .await
        .expect("closed, not left open");
    assert!(
        closed >= Duration::from_millis(2500) && closed < Duration::from_secs(5),
        "closed after {closed:?}, the idle timeout is 3 s"
    );
    // A connection that never sends a byte is idle too.
    let mut silent = connect_from("127.0.0.2", server).await;
    let closed = closed_after(&mut silent, Duration::from_secs(8)).await;
    assert!(
        closed.is_some_and(|c| c >= Duration::from_millis(2500)),
        "{closed:?}"
    );
}

/// A client that reads its answer 1 KB at a time keeps moving bytes, so the idle timeout
/// never fires: the whole answer has a deadline instead (nginx's send_timeout, Go's
/// WriteTimeout). Before it, such a reader held its connection for as long as it liked.
#[tokio::test]
async fn a_slow_reader_is_closed_when_its_answer_is_overdue() {
    let dist = common::fake_dist("slow-reader");
    // Large enough that the socket buffers cannot take it all at once.
    let big: Vec<u8> = (0..16 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dist.join("big.bin"), &big).expect("write a big file");
    let server = start_in(dist, &["--idle-timeout", "1", "--send-timeout", "2"]).await;

    // The positive control: a reader at full speed gets the whole file.
    let mut fast = connect_from("127.0.0.1", server).await;
    let whole = tokio::time::timeout(Duration::from_secs(10), async {
        fast.write_all(b"GET /big.bin HTTP/1.1\r\nHost: playground\r\n\r\n")
            .await
            .expect("send");
        let mut received = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        while received.len() < big.len() + 100 {
            match fast.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
            if received.ends_with(&big[big.len() - 1024..]) {
                break;
            }
        }
        received
    })
    .await
    .expect("a fast reader is served in time");
    assert!(whole.ends_with(&big[big.len() - 1024..]), "the whole file");

    // The slow reader: a small receive window, 1 KB every 200 ms.
    let socket = TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small window");
    socket
        .bind("127.0.0.2:0".parse().expect("an address"))
        .expect("bind");
    let mut slow = socket.connect(server).await.expect("connect");
    slow.write_all(b"GET /big.bin HTTP/1.1\r\nHost: playground\r\n\r\n")
        .await
        .expect("send");
    let started = Instant::now();
    let mut read = 0;
    let mut chunk = [0u8; 1024];
    let closed = loop {
        match tokio::time::timeout(Duration::from_secs(2), slow.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break Some(started.elapsed()),
            Ok(Ok(n)) => read += n,
            Err(_) => {}
        }
        if started.elapsed() > Duration::from_secs(12) {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let closed = closed.unwrap_or_else(|| panic!("still open after 12 s, {read} bytes read"));
    assert!(
        closed < Duration::from_secs(6) && read < big.len(),
        "closed after {closed:?} with {read} bytes read; the answer's deadline is 2 s"
    );
}

/// hyper buffers a request's head up to a cap; a larger head is refused with 431, so a
/// connection cannot hold hundreds of KiB of unfinished headers (it took 408 KiB before).
#[tokio::test]
async fn a_request_head_over_64_kib_gets_431() {
    let server = start("head-cap", &[]).await;
    let with_header = |bytes: usize| {
        format!(
            "GET /healthz HTTP/1.1\r\nHost: playground\r\nX-Filler: {}\r\n\r\n",
            "a".repeat(bytes)
        )
    };
    let ask = |text: String| async move {
        let mut stream = connect_from("127.0.0.1", server).await;
        let _ = stream.write_all(text.as_bytes()).await;
        let mut answer = vec![0u8; 64];
        let n = stream.read(&mut answer).await.unwrap_or(0);
        String::from_utf8_lossy(&answer[..n]).into_owned()
    };
    let fine = ask(with_header(60 * 1024)).await;
    assert!(
        fine.starts_with("HTTP/1.1 200"),
        "60 KiB of headers: {fine}"
    );
    // hyper checks the cap between reads, and its last read may take a head up to twice the
    // cap; past that, nothing is read.
    let refused = ask(with_header(130 * 1024)).await;
    assert!(
        refused.starts_with("HTTP/1.1 431"),
        "130 KiB of headers: {refused}"
    );
}

#[tokio::test]
async fn a_capped_server_answers_everyone_at_once() {
    let server = start("caps", &["--max-connections", "20"]).await;
    // 40 slow clients from one address: 5 (a quarter of 20) are admitted and held, the other
    // 35 get 503 with Retry-After right away.
    let mut slow = Vec::new();
    for _ in 0..40 {
        slow.push(slow_client("127.0.0.2", server).await);
    }
    let mut refused = 0;
    for stream in &mut slow {
        let answer = tokio::time::timeout(Duration::from_millis(300), read_answer(stream)).await;
        if let Ok(answer) = answer {
            assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
            assert!(
                answer.to_ascii_lowercase().contains("retry-after: 5"),
                "{answer}"
            );
            assert!(answer.contains("server_busy"), "{answer}");
            refused += 1;
        }
    }
    assert_eq!(refused, 35, "all but the per-address cap are refused");
    // The learner, from another address, is served; so is readiness.
    assert!(learner_gets(server, "/healthz")
        .await
        .starts_with("HTTP/1.1 200"));
    let ready = learner_gets(server, "/readyz").await;
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(ready.contains(r#""status":"ready""#), "{ready}");
    // From the capped address itself: a quick 503, not a hang.
    let mut more = connect_from("127.0.0.2", server).await;
    let answer = tokio::time::timeout(Duration::from_secs(2), request(&mut more, "/healthz"))
        .await
        .expect("answered at once");
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
}

#[tokio::test]
async fn readiness_says_when_the_server_is_full() {
    let server = start(
        "readyz",
        &["--max-connections", "3", "--max-connections-per-ip", "3"],
    )
    .await;
    let _one = slow_client("127.0.0.2", server).await;
    let ready = learner_gets(server, "/readyz").await;
    assert!(ready.contains(r#""status":"ready""#), "{ready}");
    // The learner's earlier connection is closed; let the server notice.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _two = slow_client("127.0.0.2", server).await;
    // This request's own connection takes the last place.
    let full = learner_gets(server, "/readyz").await;
    assert!(full.starts_with("HTTP/1.1 503"), "{full}");
    assert!(full.contains(r#""status":"at capacity""#), "{full}");
    assert!(
        full.to_ascii_lowercase().contains("retry-after: 5"),
        "{full}"
    );
    assert!(learner_gets(server, "/healthz")
        .await
        .starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_slow_relay_body_gets_the_relays_own_timeout() {
    let server = start(
        "body-timeout",
        &[
            "--body-read-timeout",
            "1",
            "--spotify-accounts-url",
            "http://127.0.0.1:9",
        ],
    )
    .await;
    let mut stream = connect_from("127.0.0.1", server).await;
    let started = Instant::now();
    stream
        .write_all(
            b"POST /relay/https://accounts.spotify.com/api/token HTTP/1.1\r\nHost: playground\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_",
        )
        .await
        .expect("send");
    let answer = tokio::time::timeout(Duration::from_secs(5), read_answer(&mut stream))
        .await
        .expect("answered");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("relay_body_timeout"), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(800));
}

/// The attack that used to stall the server: under `ulimit -n 128`, 300 half-sent requests.
/// The server raises what it can, caps connections below the limit, and keeps answering.
#[tokio::test]
async fn with_128_open_files_300_slow_clients_do_not_stall_the_server() {
    let dist = common::fake_dist("ulimit").display().to_string();
    let mut child = Command::new("sh")
        .args(["-c", "ulimit -n 128 && exec \"$0\" \"$@\""])
        .arg(env!("CARGO_BIN_EXE_relay"))
        .args(["--listen", "127.0.0.1:0", "--dist", &dist])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the relay binary");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the first line");
    let server: SocketAddr = first
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("not started: {first}"))
        .parse()
        .expect("an address");
    let mut slow = Vec::new();
    for _ in 0..300 {
        slow.push(slow_client("127.0.0.2", server).await);
    }
    let served = learner_gets(server, "/healthz").await;
    let ready = learner_gets(server, "/readyz").await;
    let _ = child.kill();
    let output = child.wait_with_output().expect("the server's log");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(served.starts_with("HTTP/1.1 200"), "{served}\n{log}");
    // A cap of (128 - 64) / 2 = 32 in all, 8 per address.
    assert!(ready.contains(r#""max_connections":32"#), "{ready}");
    assert!(log.contains("soft=128"), "the limit is logged: {log}");
    assert!(
        !log.contains("accept failed"),
        "never out of descriptors: {log}"
    );
}
