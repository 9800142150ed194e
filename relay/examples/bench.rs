//! Relay benchmark: requests per second and p50/p99 latency, directly against a local upstream
//! and through the release relay binary to the same upstream, side by side; then the relay's
//! resident memory over 100k relayed requests.
//!
//! `cargo xtask bench relay` runs it. Everything stays on loopback, and every loop is bounded.
//! Usage: bench <path to target/release/relay> <dist folder>

// A native measuring tool: the wasm32-only ban on reading the clock does not apply.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;

const CONCURRENCY: usize = 16;
const WARMUP: usize = 2_000;
const MEASURED: usize = 20_000;
const SOAK: usize = 100_000;
const TRACK_JSON: &str = r#"{"id":"2TpxZ7JUBn3uw46aR7qd6V","name":"Bench Track","type":"track","uri":"spotify:track:2TpxZ7JUBn3uw46aR7qd6V","artists":[{"name":"Bench Artist"}],"album":{"name":"Bench Album"}}"#;

struct Run {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, q: f64) -> Duration {
        self.latencies[((self.latencies.len() - 1) as f64 * q).round() as usize]
    }
}

/// `total` GETs of `url` from `CONCURRENCY` tasks on keep-alive connections.
async fn load(client: &reqwest::Client, url: &str, total: usize) -> Run {
    let started = Instant::now();
    let per_task = total / CONCURRENCY;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let client = client.clone();
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_task);
            for _ in 0..per_task {
                let sent = Instant::now();
                let response = client.get(&url).send().await.expect("request");
                assert_eq!(response.status(), 200, "the bench expects 200s");
                response.bytes().await.expect("body");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for task in tasks {
        latencies.extend(task.await.expect("task"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Run {
        requests: latencies.len(),
        elapsed,
        latencies,
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(relay_bin), Some(dist)) = (args.next(), args.next()) else {
        eprintln!("usage: bench <relay binary> <dist folder>");
        std::process::exit(2);
    };

    // The local upstream: a fixed track answer, like a fast Spotify.
    let upstream = Router::new().route(
        "/v1/tracks/{id}",
        get(|| async { ([("content-type", "application/json")], TRACK_JSON) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let upstream_addr = listener.local_addr().expect("address");
    // The upstream runs on its own thread so that it does not share the load generator's.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move { axum::serve(listener, upstream).await.expect("upstream") });
    });

    let mut relay = Command::new(&relay_bin)
        .args(["--listen", "127.0.0.1:0", "--dist", &dist])
        .arg(format!("--spotify-api-url=http://{upstream_addr}"))
        .args(["--api-requests-per-minute", "4000000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the relay");
    let mut first = String::new();
    BufReader::new(relay.stdout.take().expect("piped"))
        .read_line(&mut first)
        .expect("read");
    let relay_base = first
        .trim()
        .strip_prefix("listening on ")
        .expect("the relay started")
        .to_owned();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client");
    let direct_url = format!("http://{upstream_addr}/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V");
    let relay_url =
        format!("{relay_base}/relay/https://api.spotify.com/v1/tracks/2TpxZ7JUBn3uw46aR7qd6V");

    load(&client, &direct_url, WARMUP).await;
    load(&client, &relay_url, WARMUP).await;
    let direct = load(&client, &direct_url, MEASURED).await;
    let relayed = load(&client, &relay_url, MEASURED).await;

    println!("{MEASURED} GETs each, {CONCURRENCY} concurrent keep-alive connections, loopback");
    println!("| path | req/s | p50 | p99 |");
    println!("|---|---|---|---|");
    for (name, run) in [("direct", &direct), ("through the relay", &relayed)] {
        println!(
            "| {name} | {:.0} | {:.3} ms | {:.3} ms |",
            run.rps(),
            run.percentile(0.5).as_secs_f64() * 1000.0,
            run.percentile(0.99).as_secs_f64() * 1000.0
        );
    }
    let added_p50 = relayed.percentile(0.5).as_secs_f64() - direct.percentile(0.5).as_secs_f64();
    println!(
        "relay adds {:.3} ms at p50; keeps {:.0}% of direct throughput",
        added_p50 * 1000.0,
        100.0 * relayed.rps() / direct.rps()
    );

    let pid = relay.id();
    let mut samples = vec![(0, rss_kib(pid))];
    for step in 1..=10 {
        load(&client, &relay_url, SOAK / 10).await;
        samples.push((step * SOAK / 10, rss_kib(pid)));
    }
    let line: Vec<String> = samples
        .iter()
        .map(|(n, kib)| format!("{}k: {} MiB", n / 1000, kib / 1024))
        .collect();
    println!(
        "relay RSS over {SOAK} relayed requests: {}",
        line.join(", ")
    );
    let _ = relay.kill();
    let _ = relay.wait();
}
