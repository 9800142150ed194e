//! Rate-limit benchmark: what one budget check costs while 100,000 clients are tracked, as
//! the server does it now (a lookup; a timer forgets recovered clients) and as it did before
//! (past 10,000 tracked clients, every check scanned the whole store), and what one pruning
//! tick costs.
//!
//! `cargo xtask bench limits` runs it; it needs no page and no server.

// A native measuring tool: the wasm32-only ban on reading the clock does not apply.
#![allow(clippy::disallowed_methods)]

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::{Quota, RateLimiter};
use relay::clients::{Budget, Budgets, Rate};

const CLIENTS: u32 = 100_000;
const CHECKS: u32 = 200_000;
/// The old code's threshold: past it, each check pruned.
const TRACKED_CLIENTS: usize = 10_000;

fn client(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n % CLIENTS))
}

fn per_check(elapsed: Duration, checks: u32) -> String {
    format!("{:.3} µs", elapsed.as_secs_f64() * 1e6 / f64::from(checks))
}

fn main() {
    // The relay's default token budget: 20 a minute, so no client recovers during the run.
    let rate = Rate::per_minute(NonZeroU32::new(20).expect("non-zero"));
    let budgets = Budgets::new(rate, rate, rate);
    for n in 0..CLIENTS {
        let _ = budgets.charge(Budget::Token, client(n));
    }
    let started = Instant::now();
    for n in 0..CHECKS {
        let _ = budgets.charge(Budget::Token, client(n));
    }
    let now = started.elapsed();
    println!(
        "now:    {CHECKS} checks with {} clients tracked: {} per check",
        budgets.tracked(),
        per_check(now, CHECKS)
    );
    let started = Instant::now();
    budgets.prune();
    println!(
        "        one pruning tick over them: {:.1} ms (every 30 s)",
        started.elapsed().as_secs_f64() * 1e3
    );

    // Before: the same limiter, pruned on every check past the threshold.
    let limiter = RateLimiter::keyed(Quota::per_minute(NonZeroU32::new(20).expect("non-zero")));
    for n in 0..CLIENTS {
        let _ = limiter.check_key(&client(n));
    }
    let checks = 200;
    let started = Instant::now();
    for n in 0..checks {
        let _ = limiter.check_key(&client(n));
        if limiter.len() > TRACKED_CLIENTS {
            limiter.retain_recent();
        }
    }
    println!(
        "before: {checks} checks with {} clients tracked: {} per check",
        limiter.len(),
        per_check(started.elapsed(), checks)
    );
}
