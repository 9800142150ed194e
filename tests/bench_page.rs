//! Time to interactive of the release page in headless Chromium, over loopback.
//!
//! Loads the sandbox lesson repeatedly in one browser and reads the `playground-interactive`
//! performance mark the app sets once mounted (milliseconds after navigation start).

use e2e::Servers;
use serde_json::Value;

const RUNS: usize = 20;

fn main() -> Result<(), String> {
    let servers = Servers::start()?;
    let browser = servers.browser();
    let mut samples = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        browser.open("/?target=sandbox");
        let mark = browser.wait("the interactive mark", || {
            browser
                .js("const m = performance.getEntriesByName('playground-interactive')[0]; return m ? m.startTime : null;", vec![])
                .as_f64()
        });
        let loaded = browser.js(
            "return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;",
            vec![],
        );
        if run > 0 {
            // The first load warms the HTTP cache and the compiler; it is not counted.
            samples.push((mark, loaded.as_f64().unwrap_or(f64::NAN)));
        }
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].0;
    let version = browser.js("return navigator.userAgent;", vec![]);
    println!("time to interactive over {RUNS} warm loads of /?target=sandbox");
    println!(
        "  p50 {:.0} ms, p90 {:.0} ms, min {:.0} ms, max {:.0} ms",
        pick(0.5),
        pick(0.9),
        pick(0.0),
        pick(1.0)
    );
    println!(
        "  browser: {}",
        version
            .as_str()
            .map_or_else(|| Value::Null.to_string(), str::to_owned)
    );
    Ok(())
}
