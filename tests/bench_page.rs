//! Time to interactive of the release page in headless Chromium, over loopback.
//!
//! Reads the `playground-interactive` performance mark that the app sets once mounted
//! (milliseconds after navigation start). Cold loads use a fresh browser profile each time (no
//! HTTP cache, no compiled-wasm cache); warm loads reuse one browser.

use e2e::{Browser, Servers};

const COLD_RUNS: usize = 8;
const WARM_RUNS: usize = 20;
const PAGE: &str = "/?target=sandbox";

fn interactive_ms(browser: &Browser) -> f64 {
    browser.open(PAGE);
    browser.wait("the interactive mark", || {
        browser
            .js(
                "const m = performance.getEntriesByName('playground-interactive')[0]; return m ? m.startTime : null;",
                vec![],
            )
            .as_f64()
    })
}

fn report(label: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label:<5} ({:>2} loads): p50 {:.0} ms, p90 {:.0} ms, min {:.0} ms, max {:.0} ms",
        samples.len(),
        pick(0.5),
        pick(0.9),
        pick(0.0),
        pick(1.0)
    );
}

fn main() -> Result<(), String> {
    let servers = Servers::start()?;
    let cold = (0..COLD_RUNS)
        .map(|_| interactive_ms(&servers.browser()))
        .collect();
    let browser = servers.browser();
    interactive_ms(&browser); // fills the cache; not counted
    let warm = (0..WARM_RUNS).map(|_| interactive_ms(&browser)).collect();
    println!("time to interactive of {PAGE}");
    report("cold", cold);
    report("warm", warm);
    let agent = browser.js("return navigator.userAgent;", vec![]);
    println!("browser: {}", agent.as_str().unwrap_or("unknown"));
    Ok(())
}
