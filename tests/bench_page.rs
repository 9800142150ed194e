//! When the release page is readable and when it is interactive, in headless Chromium over
//! loopback, side by side with a minimal Leptos CSR page (`bench/minimal`) built by the same
//! toolchain and served by the same server.
//!
//! - Readable: the first largest contentful paint (LCP) entry, read with a buffered
//!   PerformanceObserver once the mount has painted: the prerendered lesson's, if the browser
//!   painted it before the mount. The last entry (what an LCP tool reports) is printed
//!   beside it; the two differ when the mount paints something larger.
//! - Interactive: the `playground-interactive` performance mark that each app sets once
//!   mounted, found the same way on both pages.
//! - Where the page's time goes: when its wasm had arrived (Resource Timing), when its lesson
//!   file had, and the mark.
//!
//! Cold loads use a fresh browser profile each time (no HTTP cache, no compiled-wasm cache),
//! alternating the two pages; warm loads reuse one browser.

use e2e::{serve_dist, Browser, Servers};
use serde_json::Value;

const COLD_RUNS: usize = 8;
const WARM_RUNS: usize = 20;
const PAGE: &str = "/?target=sandbox";

/// What one load measured, in milliseconds after navigation start.
struct Load {
    readable: f64,
    /// The last LCP entry.
    last_paint: f64,
    interactive: f64,
    wasm: f64,
    lesson: f64,
}

/// Loads `url` and reads its marks once the app is interactive.
fn load(browser: &Browser, url: &str) -> Load {
    browser.open_url(url);
    let interactive = browser.wait("the interactive mark", || {
        browser
            .js(
                "const m = performance.getEntriesByName('playground-interactive')[0]; return m ? m.startTime : null;",
                vec![],
            )
            .as_f64()
    });
    let figures: Value = browser.js_async(
        "const done = arguments[arguments.length - 1];
         const end = (part) => {
           const e = performance.getEntriesByType('resource').find((r) => r.name.includes(part));
           return e ? e.responseEnd : 0;
         };
         // After the mount has painted: the first largest paint and the last.
         const read = () => new PerformanceObserver((list) => {
           const all = list.getEntries();
           done({
             readable: all[0].startTime,
             last_paint: all[all.length - 1].startTime,
             wasm: end('_bg.wasm'),
             lesson: end('/content/'),
           });
         }).observe({ type: 'largest-contentful-paint', buffered: true });
         requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(read, 200)));",
        vec![],
    );
    let ms = |name: &str| figures[name].as_f64().unwrap_or(0.0);
    Load {
        readable: ms("readable"),
        last_paint: ms("last_paint"),
        interactive,
        wasm: ms("wasm"),
        lesson: ms("lesson"),
    }
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn p90(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * 0.9).round() as usize]
}

fn report(label: &str, loads: &[Load], yardstick: &[Load]) {
    let pick = |loads: &[Load], f: fn(&Load) -> f64| loads.iter().map(f).collect::<Vec<_>>();
    let (readable, interactive) = (
        median(pick(loads, |l| l.readable)),
        median(pick(loads, |l| l.interactive)),
    );
    let (minimal_readable, minimal_interactive) = (
        median(pick(yardstick, |l| l.readable)),
        median(pick(yardstick, |l| l.interactive)),
    );
    println!(
        "{label} ({} loads each), medians: page readable {readable:.0} ms, interactive \
         {interactive:.0} ms (p90 {:.0} ms); minimal page readable {minimal_readable:.0} ms, \
         interactive {minimal_interactive:.0} ms",
        loads.len(),
        p90(pick(loads, |l| l.interactive)),
    );
    println!(
        "  interactive: {:.2}x the minimal page (goal 1.3x); readable {} the minimal page is \
         interactive ({readable:.0} against {minimal_interactive:.0} ms)",
        interactive / minimal_interactive,
        if readable < minimal_interactive {
            "before"
        } else {
            "after"
        },
    );
    let lesson = median(pick(loads, |l| l.lesson));
    println!(
        "  where the page's time goes (medians): wasm arrived {:.0} ms, lesson {}, \
         interactive {interactive:.0} ms, last LCP entry {:.0} ms",
        median(pick(loads, |l| l.wasm)),
        if lesson > 0.0 {
            format!("file arrived {lesson:.0} ms")
        } else {
            "in the page (no request)".to_owned()
        },
        median(pick(loads, |l| l.last_paint)),
    );
}

fn main() -> Result<(), String> {
    let servers = Servers::start()?;
    let minimal_dist = std::env::var_os("MINIMAL_DIST")
        .ok_or("MINIMAL_DIST is not set: run `cargo xtask bench page`, which builds it")?;
    let (mut minimal_server, minimal_url) =
        serve_dist(std::path::Path::new(&minimal_dist), "minimal.log")?;
    let page_url = format!("{}{PAGE}", servers.base_url);
    let minimal_url = format!("{minimal_url}/");

    let (mut cold, mut cold_minimal) = (Vec::new(), Vec::new());
    for _ in 0..COLD_RUNS {
        cold.push(load(&servers.browser(), &page_url));
        cold_minimal.push(load(&servers.browser(), &minimal_url));
    }
    let (browser, minimal_browser) = (servers.browser(), servers.browser());
    load(&browser, &page_url); // fills the caches; not counted
    load(&minimal_browser, &minimal_url);
    let (mut warm, mut warm_minimal) = (Vec::new(), Vec::new());
    for _ in 0..WARM_RUNS {
        warm.push(load(&browser, &page_url));
        warm_minimal.push(load(&minimal_browser, &minimal_url));
    }
    println!("{PAGE} beside a minimal Leptos page, both from the release server");
    report("cold", &cold, &cold_minimal);
    report("warm", &warm, &warm_minimal);
    let agent = browser.js("return navigator.userAgent;", vec![]);
    println!("browser: {}", agent.as_str().unwrap_or("unknown"));
    let _ = minimal_server.kill();
    Ok(())
}
