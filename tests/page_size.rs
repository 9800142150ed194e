//! What a browser transfers on a cold load of the default page, and the size budget.
//!
//! Method: a fresh Chromium profile (empty HTTP cache) opens `/` on the release server, waits
//! until the app marks itself interactive, then sums the browser's own Resource Timing
//! figures for the document and every resource: `transferSize` (body as sent plus Chromium's
//! fixed 300-byte header estimate) and `encodedBodySize` (body as sent). Twice: once as
//! Chromium asks (it accepts brotli), once with `Accept-Encoding: gzip, deflate` set over the
//! DevTools protocol, for clients without brotli. The server's log must show no request that
//! Resource Timing missed, and each body must match the precompressed file it claims to be.
//! The brotli total must fit the budget.

use std::path::{Path, PathBuf};

use e2e::{root, Browser, Servers};

/// Everything the first load transfers, with brotli.
const BUDGET_BYTES: u64 = 176 * 1024;

/// One response of the load, as the browser measured it.
struct Entry {
    path: String,
    transfer: u64,
    body: u64,
    decoded: u64,
}

/// Opens `/` cold and returns what the browser fetched, once the app is interactive.
fn cold_load(browser: &Browser) -> Vec<Entry> {
    browser.open("/");
    browser.wait("the interactive mark", || {
        browser
            .js(
                "return performance.getEntriesByName('playground-interactive').length > 0 || null;",
                vec![],
            )
            .as_bool()
    });
    let entries = browser.js(
        "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
           .map((e) => [new URL(e.name).pathname, e.transferSize, e.encodedBodySize, e.decodedBodySize]);",
        vec![],
    );
    entries
        .as_array()
        .expect("a list of entries")
        .iter()
        .map(|e| Entry {
            path: e[0].as_str().unwrap_or("?").to_owned(),
            transfer: e[1].as_u64().unwrap_or(0),
            body: e[2].as_u64().unwrap_or(0),
            decoded: e[3].as_u64().unwrap_or(0),
        })
        .collect()
}

/// Which stored form of the file the body is: `br`, `gz` or the plain file.
fn encoding_of(dist: &Path, entry: &Entry) -> &'static str {
    let name = if entry.path == "/" {
        "index.html"
    } else {
        entry.path.trim_start_matches('/')
    };
    let size = |suffix: &str| {
        std::fs::metadata(dist.join(format!("{name}{suffix}")))
            .map(|m| m.len())
            .ok()
    };
    if size(".br") == Some(entry.body) {
        "br"
    } else if size(".gz") == Some(entry.body) {
        "gzip"
    } else if size("") == Some(entry.body) {
        "none"
    } else {
        "?"
    }
}

/// Prints one load; returns its transferred total.
fn report(label: &str, dist: &Path, entries: &[Entry], want: &str) -> Result<u64, String> {
    println!("    {label}");
    let mut transfer = 0;
    let mut body = 0;
    for entry in entries {
        let encoding = encoding_of(dist, entry);
        println!(
            "      {:<44} {:>8} B sent ({encoding:<4}) {:>8} B transferred {:>9} B decoded",
            entry.path, entry.body, entry.transfer, entry.decoded
        );
        if encoding != want {
            return Err(format!(
                "{} arrived as {encoding}, not {want}: the measurement would not be what it says",
                entry.path
            ));
        }
        transfer += entry.transfer;
        body += entry.body;
    }
    println!(
        "      total: {transfer} B transferred ({:.1} KiB), bodies {body} B, {} responses",
        transfer as f64 / 1024.0,
        entries.len()
    );
    Ok(transfer)
}

/// The paths the server logged, in order.
fn logged_paths(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split(" path=").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

fn main() -> Result<(), String> {
    let dist =
        std::env::var_os("PLAYGROUND_DIST").map_or_else(|| root().join("dist"), PathBuf::from);
    let servers = Servers::start()?;
    println!("==> what Chromium transfers on a cold load of / (Resource Timing)");

    let before = logged_paths(&servers.relay_log).len();
    let brotli = cold_load(&servers.browser());
    // The server heard nothing that the browser's figures leave out (a favicon, say).
    let heard = &logged_paths(&servers.relay_log)[before..];
    let measured: Vec<&str> = brotli.iter().map(|e| e.path.as_str()).collect();
    if let Some(missed) = heard.iter().find(|p| !measured.contains(&p.as_str())) {
        return Err(format!(
            "the server served {missed} during the load, which Resource Timing does not count"
        ));
    }
    let brotli_total = report("brotli (as Chromium asks)", &dist, &brotli, "br")?;

    let browser = servers.browser();
    browser.cdp("Network.enable", serde_json::json!({}));
    browser.cdp(
        "Network.setExtraHTTPHeaders",
        serde_json::json!({"headers": {"Accept-Encoding": "gzip, deflate"}}),
    );
    let gzip = cold_load(&browser);
    report(
        "gzip only (Accept-Encoding: gzip, deflate)",
        &dist,
        &gzip,
        "gzip",
    )?;

    let agent = browser.js("return navigator.userAgent;", vec![]);
    println!("      browser: {}", agent.as_str().unwrap_or("unknown"));
    if brotli_total > BUDGET_BYTES {
        return Err(format!(
            "the page transfers {brotli_total} B with brotli, over the {BUDGET_BYTES} B (176 KiB) budget"
        ));
    }
    println!(
        "    budget: {brotli_total} B of {BUDGET_BYTES} B (176 KiB) with brotli; {} B to spare",
        BUDGET_BYTES - brotli_total
    );
    Ok(())
}
