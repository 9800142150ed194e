//! Load benchmark: learners doing the lesson's HTTP calls while slow and idle clients hold
//! connections open. `cargo xtask bench load` runs it; docs/benchmarks.md has the method.
//!
//! Everything stays on loopback and every loop is bounded in time. Learners connect from
//! 127.0.0.1, slow clients from 127.0.0.2.
//! Usage: load <path to target/release/relay> <dist folder>

// A native measuring tool: the wasm32-only ban on reading the clock does not apply.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const LEARNERS: usize = 200;
const SLOW_CLIENTS: usize = 1_000;
const QUIET: Duration = Duration::from_secs(30);
const UNDER_ATTACK: Duration = Duration::from_secs(60);
const TRACK: &str = "2TpxZ7JUBn3uw46aR7qd6V";

/// What one phase measured.
#[derive(Default)]
struct Phase {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Phase {
    fn percentile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        self.latencies[((self.latencies.len() - 1) as f64 * q).round() as usize]
    }

    fn report(&self, label: &str) {
        println!(
            "{label:<28} {:>8.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   errors {}   ({} calls)",
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.5).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
            self.errors,
            self.latencies.len()
        );
    }
}

/// The server's resident memory in KiB, from /proc.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// The page's files, as index.html names them.
fn page_files(dist: &str) -> Vec<String> {
    let mut files = vec!["/".to_owned()];
    for entry in std::fs::read_dir(dist).expect("dist/").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if [".js", ".css", "_bg.wasm"]
            .iter()
            .any(|x| name.ends_with(x))
        {
            files.push(format!("/{name}"));
        }
    }
    files
}

/// One learner's visits, in a loop until `until`: the page's files (brotli), a token from the
/// sandbox, and the validate call with it.
async fn learner(base: String, files: Arc<Vec<String>>, until: Instant) -> Phase {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(4)
        .build()
        .expect("a client");
    let basic = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            sandbox::SANDBOX_CLIENT_ID,
            sandbox::SANDBOX_CLIENT_SECRET
        ))
    };
    let mut phase = Phase::default();
    let call = |result: Result<reqwest::Response, reqwest::Error>, sent: Instant| async move {
        match result {
            Ok(response) if response.status().is_success() => {
                let body = response.bytes().await.ok()?;
                Some((sent.elapsed(), body))
            }
            _ => None,
        }
    };
    while Instant::now() < until {
        for file in files.iter() {
            let sent = Instant::now();
            let result = client
                .get(format!("{base}{file}"))
                .header("accept-encoding", "br")
                .send()
                .await;
            match call(result, sent).await {
                Some((took, _)) => phase.latencies.push(took),
                None => phase.errors += 1,
            }
        }
        let sent = Instant::now();
        let result = client
            .post(format!(
                "{base}/sandbox/accounts/api/token?grant_type=client_credentials"
            ))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("authorization", format!("Basic {basic}"))
            .send()
            .await;
        let token = match call(result, sent).await {
            Some((took, body)) => {
                phase.latencies.push(took);
                serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|j| j["access_token"].as_str().map(str::to_owned))
            }
            None => None,
        };
        let Some(token) = token else {
            phase.errors += 1;
            continue;
        };
        let sent = Instant::now();
        let result = client
            .get(format!("{base}/sandbox/api/v1/tracks/{TRACK}"))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await;
        match call(result, sent).await {
            Some((took, _)) => phase.latencies.push(took),
            None => phase.errors += 1,
        }
    }
    phase
}

/// Runs `LEARNERS` learners for `length` and merges what they measured.
async fn learners(base: &str, files: &Arc<Vec<String>>, length: Duration) -> Phase {
    let started = Instant::now();
    let until = started + length;
    let tasks: Vec<_> = (0..LEARNERS)
        .map(|_| tokio::spawn(learner(base.to_owned(), Arc::clone(files), until)))
        .collect();
    let mut all = Phase::default();
    for task in tasks {
        let phase = task.await.expect("a learner");
        all.latencies.extend(phase.latencies);
        all.errors += phase.errors;
    }
    all.elapsed = started.elapsed();
    all.latencies.sort();
    all
}

/// Keeps one slow or idle connection from 127.0.0.2 open until `until`, reconnecting when the
/// server closes it. Odd ones trickle a header byte every two seconds; even ones say nothing.
async fn slow_client(server: SocketAddr, trickle: bool, until: Instant, held: Arc<AtomicUsize>) {
    while Instant::now() < until {
        let Ok(socket) = TcpSocket::new_v4() else {
            return;
        };
        if socket
            .bind("127.0.0.2:0".parse().expect("an address"))
            .is_err()
        {
            return;
        }
        let Ok(Ok(mut stream)) =
            tokio::time::timeout(Duration::from_secs(2), socket.connect(server)).await
        else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        held.fetch_add(1, Ordering::SeqCst);
        if trickle {
            let _ = stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .await;
        }
        let mut buf = [0u8; 512];
        loop {
            if Instant::now() >= until {
                break;
            }
            if trickle && stream.write_all(b"a").await.is_err() {
                break;
            }
            match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
                // Still open, and the server said nothing: hold on.
                Err(_) => continue,
                // Closed, or refused with a 503: connect again in a moment.
                Ok(_) => break,
            }
        }
        held.fetch_sub(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(relay), Some(dist)) = (args.next(), args.next()) else {
        eprintln!("usage: load <relay binary> <dist folder>");
        std::process::exit(2);
    };
    // This process holds a thousand sockets too.
    relay::connections::raise_fd_limit();
    let mut server = Command::new(&relay)
        .args(["--listen", "127.0.0.1:0", "--dist", &dist])
        // 200 learners share 127.0.0.1: the sandbox's budget per client would stop them.
        .args(["--sandbox-requests-per-minute", "4000000000"])
        .args(["--sandbox-burst", "4000000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the relay");
    let mut first = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the first line");
    let address: SocketAddr = first
        .trim()
        .strip_prefix("listening on http://")
        .expect("the server prints its address")
        .parse()
        .expect("an address");
    let base = format!("http://{address}");
    let files = Arc::new(page_files(&dist));
    let memory_start = rss_kib(server.id());
    println!(
        "server {base}, {} page files, {LEARNERS} learners",
        files.len()
    );
    println!("memory at start: {memory_start} KiB");

    let quiet = learners(&base, &files, QUIET).await;
    quiet.report("learners alone");
    let memory_quiet = rss_kib(server.id());

    // Memory and open connections every 5 s through the attack and the quiet after it.
    let pid = server.id();
    let ready_url = format!("{base}/readyz");
    let sampler = tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut samples = Vec::new();
        let started = Instant::now();
        while started.elapsed() < UNDER_ATTACK + Duration::from_secs(25) {
            let open = match client.get(&ready_url).send().await {
                Ok(r) => r
                    .bytes()
                    .await
                    .ok()
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                    .and_then(|j| j["connections"].as_u64()),
                Err(_) => None,
            };
            samples.push((started.elapsed().as_secs(), rss_kib(pid), open));
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        samples
    });
    let held = Arc::new(AtomicUsize::new(0));
    let until = Instant::now() + UNDER_ATTACK + Duration::from_secs(5);
    let slow: Vec<_> = (0..SLOW_CLIENTS)
        .map(|i| tokio::spawn(slow_client(address, i % 2 == 1, until, Arc::clone(&held))))
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let held_before = held.load(Ordering::SeqCst);
    let attacked = learners(&base, &files, UNDER_ATTACK).await;
    let held_after = held.load(Ordering::SeqCst);
    attacked.report("with 1,000 slow clients");
    let memory_end = rss_kib(server.id());
    for task in slow {
        task.abort();
    }
    let samples = sampler.await.expect("the sampler");
    let memory_after = rss_kib(server.id());
    let _ = server.kill();
    let _ = server.wait();
    println!("during the attack and after it (s: RSS KiB, open connections):");
    for (at, rss, open) in &samples {
        println!(
            "  {at:>3} s: {rss:>7} KiB, {} open",
            open.map_or("?".to_owned(), |n| n.to_string())
        );
    }

    println!("slow connections held: {held_before} at the start, {held_after} at the end");
    println!("memory: {memory_start} KiB at start, {memory_quiet} KiB after the learners alone, {memory_end} KiB at the end of the attack, {memory_after} KiB 20 s after it");
    let ratio = attacked.percentile(0.99).as_secs_f64() / quiet.percentile(0.99).as_secs_f64();
    println!(
        "goal: p99 with slow clients ≤ 2× without: {ratio:.2}× → {}",
        if ratio <= 2.0 { "met" } else { "NOT met" }
    );
    let errors = quiet.errors + attacked.errors;
    println!(
        "goal: zero errors for learners: {errors} → {}",
        if errors == 0 { "met" } else { "NOT met" }
    );
    // Flat: the second half of the attack adds no more than 10% to its first half's peak. A
    // leak grows with requests; the buffers of held connections stop growing once they are
    // all open.
    let during: Vec<u64> = samples
        .iter()
        .filter(|(at, _, _)| *at <= UNDER_ATTACK.as_secs())
        .map(|(_, rss, _)| *rss)
        .collect();
    let (first, second) = during.split_at(during.len() / 2);
    let first_peak = first.iter().copied().max().unwrap_or(0);
    let second_peak = second.iter().copied().max().unwrap_or(0);
    let flat = second_peak <= first_peak + first_peak / 10;
    println!(
        "goal: memory flat during the attack: peak {first_peak} KiB in its first half, {second_peak} KiB in its second → {}",
        if flat { "met" } else { "NOT met" }
    );
}
