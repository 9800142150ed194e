//! Test support: starts the release server and chromedriver, and drives headless Chromium over
//! the W3C WebDriver protocol (plain HTTP + JSON, so a small blocking client is enough).

// Native test code: the wasm32-only ban on reading the clock does not apply here.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long a wait for the page may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(15);
/// The W3C WebDriver element reference key.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Where tests write what they leave behind (logs, pages, scratch files): target/e2e/.
/// Fails the calling test, naming `program`, when it cannot run: a test that needs a tool
/// never skips. `cargo xtask setup` installs every tool the tests use.
pub fn require(program: &str) {
    let found = std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok(); // found and started (dash has no --version, yet runs)
    assert!(
        found,
        "{program} is needed by this test and is not found here: `cargo xtask setup` installs it"
    );
}

pub fn artifacts() -> PathBuf {
    let dir = root().join("target").join("e2e");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The release servers and chromedriver, stopped on drop.
///
/// Three instances of the server binary:
/// - the Spotify double: its `/sandbox/` routes answer as Spotify does;
/// - the playground under test, whose relay forwards to the double;
/// - a playground whose relay's upstream is a closed port, for "unreachable".
pub struct Servers {
    children: Vec<Child>,
    /// `http://127.0.0.1:PORT` of the playground under test.
    pub base_url: String,
    /// A playground whose relay cannot reach its upstream, with a token budget of one
    /// request a minute.
    pub unreachable_url: String,
    /// That playground's log.
    pub unreachable_log: PathBuf,
    /// The Spotify double: also a server with a relay, but not one the playground allows.
    pub double_url: String,
    /// A course site on its own origin: `allowed.html` frames the playground (listed in its
    /// --frame-ancestors), `refused.html` frames the unreachable one (default 'self'), and
    /// `course-page.html` is `examples/course-page.html` pointed at the playground under test.
    pub course_url: String,
    /// The same course site under another origin (`localhost` instead of `127.0.0.1`), also
    /// allowed to frame the playground: a "foreign" host for messages.
    pub foreign_url: String,
    /// The course site's files: tests may add pages.
    pub course_dir: PathBuf,
    /// A relay double (cors-anywhere convention) that answers every request with 429 and
    /// `Retry-After: 2`; the playground's CSP lists it (--connect-src).
    pub rate_limited_relay_url: String,
    /// One line per request (not preflight) that reached the rate-limited double.
    pub rate_limited_requests: PathBuf,
    driver_url: String,
    /// Where the playground's log goes (stderr), to be searched for secrets.
    pub relay_log: PathBuf,
}

/// Starts one server, returns the child and its `http://ADDR` (read from its first line).
fn start_server(
    bin: &Path,
    dist: &Path,
    log_name: &str,
    extra: &[String],
) -> Result<(Child, String, PathBuf), String> {
    let log_path = artifacts().join(log_name);
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    // A free port unless the caller chose one.
    let listen = if extra.iter().any(|a| a.starts_with("--listen")) {
        None
    } else {
        Some("--listen=127.0.0.1:0")
    };
    let mut child = Command::new(bin)
        .args(listen)
        .arg("--dist")
        .arg(dist)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .map_err(|e| e.to_string())?;
    match first.trim().strip_prefix("listening on ") {
        Some(url) => Ok((child, url.to_owned(), log_path)),
        None => {
            let _ = child.kill();
            Err(format!(
                "the server did not start: {first:?}; see {}",
                log_path.display()
            ))
        }
    }
}

/// Serves `dist` with the release server (`PLAYGROUND_RELAY_BIN`) on a free port, for a
/// benchmark's second page; returns the child and its `http://ADDR`.
pub fn serve_dist(dist: &Path, log_name: &str) -> Result<(Child, String), String> {
    let bin = std::env::var_os("PLAYGROUND_RELAY_BIN")
        .map_or_else(|| root().join("target/release/relay"), PathBuf::from);
    let (child, url, _) = start_server(&bin, dist, log_name, &[])?;
    Ok((child, url))
}

/// The built page: `PLAYGROUND_DIST`, else `dist/`.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("PLAYGROUND_DIST").map_or_else(|| root().join("dist"), PathBuf::from)
}

/// Serves `dir` as a plain static host (a CDN) would: its files as they are, with Python's
/// static server on a free port, and none of ours. Returns the child and its `http://ADDR`.
pub fn static_host(dir: &Path) -> Result<(Child, String), String> {
    require("python3");
    let port = free_port()?;
    let child = python_static_server(dir, port, "the static host")?;
    Ok((child, format!("http://127.0.0.1:{port}")))
}

/// Python's static file server for `dir` on `port` of 127.0.0.1, once it listens.
fn python_static_server(dir: &Path, port: u16, what: &str) -> Result<Child, String> {
    let child = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start python3 -m http.server: {e}"))?;
    wait_for_port(port, what)?;
    Ok(child)
}

impl Servers {
    /// Starts everything; the message says what to do when the build is missing.
    pub fn start() -> Result<Servers, String> {
        let dist = dist_dir();
        let bin = std::env::var_os("PLAYGROUND_RELAY_BIN")
            .map_or_else(|| root().join("target/release/relay"), PathBuf::from);
        if !dist.join("index.html").exists() || !bin.exists() {
            return Err(format!(
                "the release build is missing ({} or {}): run `cargo xtask test`, or `cargo xtask dist` first",
                dist.display(),
                bin.display()
            ));
        }
        let mut children = Vec::new();
        // The tests' clients all come from 127.0.0.1 and walk whole catalogs quickly: the
        // sandbox's budget per client (600 a minute, 100 at once) is lifted here, and tested
        // in relay/tests/server.rs.
        let unlimited_sandbox = [
            "--sandbox-requests-per-minute=1000000".to_owned(),
            "--sandbox-burst=1000000".to_owned(),
        ];
        let (double, double_url, _) = start_server(&bin, &dist, "double.log", &unlimited_sandbox)?;
        children.push(double);
        // The unreachable playground's address is chosen first: the main playground lists it
        // as a relay its pages may use (--connect-src), and it allows their origin in turn.
        let unreachable_port = free_port()?;
        let course_port = free_port()?;
        let limited_port = free_port()?;
        let course_url = format!("http://127.0.0.1:{course_port}");
        let upstreams = [
            unlimited_sandbox[0].clone(),
            unlimited_sandbox[1].clone(),
            format!("--spotify-accounts-url={double_url}/sandbox/accounts"),
            format!("--spotify-api-url={double_url}/sandbox/api"),
            format!("--connect-src=http://127.0.0.1:{unreachable_port}"),
            format!("--connect-src=http://127.0.0.1:{limited_port}"),
            "--frame-ancestors='self'".to_owned(),
            format!("--frame-ancestors={course_url}"),
            format!("--frame-ancestors=http://localhost:{course_port}"),
        ];
        let (main, base_url, relay_log) = start_server(&bin, &dist, "relay.log", &upstreams)?;
        children.push(main);
        let closed = format!("http://127.0.0.1:{}", free_port()?);
        let broken = [
            format!("--listen=127.0.0.1:{unreachable_port}"),
            format!("--spotify-accounts-url={closed}"),
            format!("--spotify-api-url={closed}"),
            "--token-requests-per-minute=1".to_owned(),
            format!("--allow-origin={base_url}"),
        ];
        let (unreachable, unreachable_url, unreachable_log) =
            start_server(&bin, &dist, "unreachable.log", &broken)?;
        children.push(unreachable);
        let course_dir = artifacts().join("course");
        children.push(course_site(
            &course_dir,
            course_port,
            &base_url,
            &unreachable_url,
        )?);

        let rate_limited_requests = artifacts().join("rate-limited-requests.log");
        let rate_limited_relay_url = format!("http://127.0.0.1:{limited_port}");
        children.push(rate_limited_relay(
            limited_port,
            &rate_limited_requests,
            &base_url,
        )?);

        let port = free_port()?;
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start chromedriver (apt-get install chromium-driver): {e}"))?;
        children.push(driver);
        let driver_url = format!("http://127.0.0.1:{port}");
        let servers = Servers {
            children,
            base_url,
            unreachable_url,
            unreachable_log,
            double_url,
            course_url,
            foreign_url: format!("http://localhost:{course_port}"),
            course_dir,
            rate_limited_relay_url,
            rate_limited_requests,
            driver_url,
            relay_log,
        };
        let started = Instant::now();
        while ureq::get(&format!("{}/status", servers.driver_url))
            .call()
            .is_err()
        {
            if started.elapsed() > WAIT {
                return Err("chromedriver did not answer on its port".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(servers)
    }

    /// A new browser session with a fresh profile (empty storage).
    pub fn browser(&self) -> Browser {
        Browser::new(&self.driver_url, &self.base_url)
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Writes course pages that embed a playground, and serves them with Python's static server
/// on `port` (a different origin from every playground).
fn course_site(dir: &Path, port: u16, allowed: &str, refused: &str) -> Result<Child, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    // The example as shipped, with its two addresses pointed at this test's servers.
    let example = std::fs::read_to_string(root().join("examples/course-page.html"))
        .map_err(|e| format!("read examples/course-page.html: {e}"))?;
    let example = example
        .replace("http://127.0.0.1:8080", allowed)
        .replace("http://127.0.0.1:8000", &format!("http://127.0.0.1:{port}"));
    std::fs::write(dir.join("course-page.html"), example).map_err(|e| e.to_string())?;
    let page = |playground: &str| {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Course</title></head>\
             <body><h1>Course page</h1><iframe title=\"Spotify playground\" \
             src=\"{playground}/?target=sandbox\" style=\"width:100%;height:1600px;border:0\"></iframe></body></html>"
        )
    };
    std::fs::write(dir.join("allowed.html"), page(allowed)).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("refused.html"), page(refused)).map_err(|e| e.to_string())?;
    python_static_server(dir, port, "the course site")
}

/// Waits until something listens on `port` of 127.0.0.1.
fn wait_for_port(port: u16, what: &str) -> Result<(), String> {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > WAIT {
            return Err(format!("{what} did not start on port {port}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// A relay that is always rate limited, as Spotify answers a 429: Python's http.server on
/// `port`, allowing the page at `page_origin` (CORS, `Retry-After` exposed). It appends one
/// line per request that is not a preflight to `requests`.
fn rate_limited_relay(port: u16, requests: &Path, page_origin: &str) -> Result<Child, String> {
    const DOUBLE: &str = r#"
import http.server, sys
port, requests, origin = int(sys.argv[1]), sys.argv[2], sys.argv[3]
BODY = b'{"error":{"status":429,"message":"API rate limit exceeded"}}'
class Handler(http.server.BaseHTTPRequestHandler):
    def cors(self):
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Access-Control-Expose-Headers", "Retry-After")
    def do_OPTIONS(self):
        self.send_response(204)
        self.cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "authorization, content-type")
        self.end_headers()
    def answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with open(requests, "a") as log:
            log.write(self.command + " " + self.path.split("?")[0] + "\n")
        self.send_response(429)
        self.cors()
        self.send_header("Retry-After", "2")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    do_GET = answer
    do_POST = answer
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
"#;
    let _ = std::fs::remove_file(requests);
    std::fs::write(requests, "").map_err(|e| e.to_string())?;
    let child = Command::new("python3")
        .args(["-c", DOUBLE, &port.to_string()])
        .arg(requests)
        .arg(page_origin)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start the rate-limited relay double (python3): {e}"))?;
    wait_for_port(port, "the rate-limited relay double")?;
    Ok(child)
}

fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

static PROFILES: AtomicUsize = AtomicUsize::new(0);

/// One WebDriver session in headless Chromium.
pub struct Browser {
    session: String,
    base_url: String,
    profile: PathBuf,
}

/// A reference to an element in the page.
#[derive(Clone, Debug)]
pub struct Element(String);

/// Finders used by tests, in terms a user sees: labels, accessible names, roles.
const FINDERS: &str = r#"
const text = (e) => (e.textContent || '').replace(/\s+/g, ' ').trim();
const nameOf = (e) => {
  const by = e.getAttribute('aria-labelledby');
  if (by) return by.split(' ').map((id) => document.getElementById(id)).filter(Boolean).map(text).join(' ');
  return e.getAttribute('aria-label') || text(e);
};
// Only regions a user can see: a dialog counts while it is open (showModal), a section unless hidden.
const region = (name) => [...document.querySelectorAll('section,dialog[open]')].find((s) => nameOf(s) === name && !s.closest('[hidden]')) || null;
// Only buttons a user can see: a control is hidden with the `hidden` attribute (or in a closed
// dialog), not removed.
const button = (name, within) => [...(within || document).querySelectorAll('button')].find((b) => text(b) === name && !b.closest('[hidden],dialog:not([open])')) || null;
const field = (label) => {
  const l = [...document.querySelectorAll('label')].find((l) => text(l) === label);
  return l ? (l.htmlFor ? document.getElementById(l.htmlFor) : l.querySelector('input')) : null;
};
"#;

impl Browser {
    fn new(driver_url: &str, base_url: &str) -> Browser {
        let n = PROFILES.fetch_add(1, Ordering::SeqCst);
        let profile = std::env::temp_dir().join(format!("e2e-chromium-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1100,900", format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let response: Value = ureq::post(&format!("{driver_url}/session"))
            .send_json(capabilities)
            .unwrap_or_else(|e| panic!("chromedriver refused a session: {}", describe(e)))
            .into_json()
            .expect("JSON from chromedriver");
        let session = response["value"]["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Browser {
            session: format!("{driver_url}/session/{session}"),
            base_url: base_url.to_owned(),
            profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        let request = ureq::request(method, &url);
        let result = match body {
            Some(b) => request.send_json(b),
            None => request.call(),
        };
        match result {
            Ok(r) => r.into_json::<Value>().expect("JSON from chromedriver")["value"].take(),
            Err(e) => panic!("WebDriver {method} {path}: {}", describe(e)),
        }
    }

    /// Opens a path of the playground, such as `/?target=sandbox`.
    pub fn open(&self, path: &str) {
        self.open_url(&format!("{}{path}", self.base_url));
    }

    /// Opens any address, such as another server's page, and waits until a playground page
    /// there has taken over from its prerendered lesson.
    pub fn open_url(&self, url: &str) {
        self.navigate(url);
        self.wait_for_page();
    }

    /// Opens an address and returns once it has loaded, whatever its code has done.
    pub fn navigate(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// Waits until the page has replaced the lesson the build prerendered (`#prerender`)
    /// with its own, working views. A page without one passes at once.
    pub fn wait_for_page(&self) {
        self.wait("the page to take over from its prerendered lesson", || {
            (self.js(
                "return document.getElementById('prerender') === null;",
                vec![],
            ) == json!(true))
            .then_some(())
        });
    }

    /// Makes an iframe the context of later commands.
    pub fn enter_frame(&self, frame: &Element) {
        self.call("POST", "/frame", Some(json!({ "id": frame.to_json() })));
    }

    /// Back to the top-level page.
    pub fn leave_frame(&self) {
        self.call("POST", "/frame", Some(json!({ "id": null })));
    }

    /// Sends a Chrome DevTools Protocol command through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Sets the page's viewport, as a phone (under 600 px wide) or a laptop would have it,
    /// until `clearDeviceMetricsOverride`.
    pub fn viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        );
    }

    /// Reloads the page.
    pub fn reload(&self) {
        self.call("POST", "/refresh", Some(json!({})));
        self.wait_for_page();
    }

    /// Runs a script (with the finders in scope) and returns its value.
    pub fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": format!("{FINDERS}\n{script}"), "args": args})),
        )
    }

    /// Runs an asynchronous script: it calls `arguments[arguments.length - 1]` with its result.
    pub fn js_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Runs axe-core (from `AXE_SCRIPT`, installed by `cargo xtask setup`) on the page and
    /// returns its violations as `id (impact): help — targets`.
    pub fn accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var_os("AXE_SCRIPT").map_or_else(
            || root().join("target/tools/axe/node_modules/axe-core/axe.min.js"),
            PathBuf::from,
        );
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "read {} (cargo xtask setup installs axe-core): {e}",
                path.display()
            )
        });
        // Scripts from WebDriver run outside the page's CSP, so axe can be given as a script.
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": format!("{source}\nreturn typeof axe;"), "args": []})),
        );
        let result = self.js_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done(r.violations.map((v) =>
                 `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)))
               .catch((e) => done([`axe failed: ${e}`]));",
            vec![],
        );
        serde_json::from_value(result).expect("a list of strings")
    }

    /// Waits until a script returns an element, then returns it.
    /// Elements of the prerendered lesson are never found: they are replaced when the page
    /// takes over (and its controls do nothing until then).
    pub fn find(&self, what: &str, script: &str, args: Vec<Value>) -> Element {
        let script = format!("if (document.getElementById('prerender')) return null;\n{script}");
        let found = self.wait(what, || {
            let value = self.js(&script, args.clone());
            value
                .get(ELEMENT_KEY)
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        Element(found)
    }

    /// The section or dialog with this accessible name.
    pub fn region(&self, name: &str) -> Element {
        self.find(
            &format!("region {name:?}"),
            "return region(arguments[0]);",
            vec![json!(name)],
        )
    }

    /// The button with this text, inside a region when given.
    pub fn button(&self, name: &str, within: Option<&Element>) -> Element {
        let within = within.map_or(Value::Null, Element::to_json);
        self.find(
            &format!("button {name:?}"),
            "return button(arguments[0], arguments[1]);",
            vec![json!(name), within],
        )
    }

    /// The input labelled exactly `label`.
    pub fn field(&self, label: &str) -> Element {
        self.find(
            &format!("field {label:?}"),
            "return field(arguments[0]);",
            vec![json!(label)],
        )
    }

    /// The first element matching a CSS selector, inside `within` when given.
    pub fn css(&self, selector: &str, within: Option<&Element>) -> Element {
        let within = within.map_or(Value::Null, Element::to_json);
        self.find(
            &format!("element {selector:?}"),
            "return (arguments[1] || document).querySelector(arguments[0]);",
            vec![json!(selector), within],
        )
    }

    /// Whether a CSS selector matches anything now.
    pub fn exists(&self, selector: &str) -> bool {
        self.js(
            "return document.querySelector(arguments[0]) !== null;",
            vec![json!(selector)],
        ) == json!(true)
    }

    /// True if an element matches `selector` and is rendered (not hidden, not `display: none`).
    pub fn shown(&self, selector: &str) -> bool {
        self.js(
            "const e = document.querySelector(arguments[0]); return e !== null && e.checkVisibility();",
            vec![json!(selector)],
        ) == json!(true)
    }

    pub fn click(&self, element: &Element) {
        self.call(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        );
    }

    /// Types like a user, key by key.
    pub fn type_text(&self, element: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({"text": text})),
        );
    }

    /// Presses keys wherever the focus is, even outside the page (WebDriver's key actions),
    /// as a user at the keyboard would.
    pub fn keys(&self, text: &str) {
        let mut actions = Vec::new();
        for key in text.chars() {
            actions.push(json!({"type": "keyDown", "value": key.to_string()}));
            actions.push(json!({"type": "keyUp", "value": key.to_string()}));
        }
        self.call(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
    }

    /// Empties an input.
    pub fn clear(&self, element: &Element) {
        self.call(
            "POST",
            &format!("/element/{}/clear", element.0),
            Some(json!({})),
        );
    }

    /// The text of an element's description: every element its `aria-describedby` names.
    pub fn description(&self, element: &Element) -> String {
        let text = self.js(
            "return (arguments[0].getAttribute('aria-describedby') || '').split(' ')
               .map((id) => document.getElementById(id)).filter(Boolean).map(text).join(' ');",
            vec![element.into()],
        );
        text.as_str().unwrap_or_default().to_owned()
    }

    /// The visible text of an element.
    pub fn text(&self, element: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", element.0), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// A DOM property, such as `value` or `type`.
    pub fn property(&self, element: &Element, name: &str) -> Value {
        self.call(
            "GET",
            &format!("/element/{}/property/{name}", element.0),
            None,
        )
    }

    /// Waits until the element's visible text contains `needle`; returns the text.
    pub fn wait_for_text(&self, element: &Element, needle: &str) -> String {
        self.wait(&format!("text {needle:?}"), || {
            let text = self.text(element);
            text.contains(needle).then_some(text)
        })
    }

    /// Polls `check` until it returns `Some`, or fails the test after `WAIT`.
    pub fn wait<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(value) = check() {
                return value;
            }
            if started.elapsed() > WAIT {
                panic!("timed out after {WAIT:?} waiting for {what}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.session).call();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Element {
    /// The element as a WebDriver script argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// Element references go into scripts as arguments.
impl From<&Element> for Value {
    fn from(element: &Element) -> Value {
        element.to_json()
    }
}

fn describe(error: ureq::Error) -> String {
    match error {
        ureq::Error::Status(code, response) => format!(
            "status {code}: {}",
            response.into_string().unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

/// A test: a name and a body that panics on failure.
pub type Case = (&'static str, fn(&Servers));

/// `cases![a, b]`: the test functions, each named after itself.
#[macro_export]
macro_rules! cases {
    ($($case:ident),* $(,)?) => {
        &[$((stringify!($case), $case as fn(&$crate::Servers))),*]
    };
}

/// Runs the cases in order, each in its own browser, and prints `N passed, M failed`.
pub fn run_cases(cases: &[Case]) -> std::process::ExitCode {
    let servers = match Servers::start() {
        Ok(s) => s,
        Err(message) => {
            eprintln!("browser tests could not start: {message}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let (mut passed, mut failed) = (0, Vec::new());
    for (name, case) in cases {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&servers)));
        match outcome {
            Ok(()) => {
                passed += 1;
                println!(
                    "test {name} ... ok ({:.1} s)",
                    started.elapsed().as_secs_f64()
                );
            }
            Err(_) => {
                failed.push(*name);
                println!("test {name} ... FAILED");
            }
        }
    }
    println!();
    if !failed.is_empty() {
        println!("failures: {}", failed.join(", "));
        println!("server log: {}", servers.relay_log.display());
    }
    println!("{passed} passed, {} failed", failed.len());
    if failed.is_empty() && passed > 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// A learning platform and the playground as its LTI tool: lti1p3platform (PyPI) serving a
/// course page on `127.0.0.1` (`relay/tests/lti_platform.py serve`), and a release server on
/// `localhost` (another site) registered with it. Both stop when this is dropped.
pub struct LtiCourse {
    children: Vec<Child>,
    /// How the tool was started, to start it again.
    tool_start: (PathBuf, Vec<String>),
    /// The platform's origin, also its issuer: `/host.html` is the course page.
    pub platform_url: String,
    /// The tool's public origin.
    pub tool_url: String,
    /// The tool's log.
    pub tool_log: PathBuf,
}

impl Drop for LtiCourse {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts an [`LtiCourse`]; the message says what is missing.
pub fn lti_course() -> Result<LtiCourse, String> {
    let python = std::env::var("LTI_PLATFORM_PYTHON").map_err(|_| {
        "LTI_PLATFORM_PYTHON is not set: it names the Python of a venv with lti1p3platform, which `cargo xtask setup` makes (target/tools/lti-platform)".to_owned()
    })?;
    let bin = std::env::var_os("PLAYGROUND_RELAY_BIN")
        .map_or_else(|| root().join("target/release/relay"), PathBuf::from);
    let (platform_port, tool_port) = (free_port()?, free_port()?);
    let platform_url = format!("http://127.0.0.1:{platform_port}");
    let tool_url = format!("http://localhost:{tool_port}");
    let (client_id, deployment) = ("e2e-client", "1");
    let dir = artifacts().join("lti");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let registrations = dir.join("platforms.json");
    let text = json!({"platforms": [{
        "issuer": platform_url,
        "client_id": client_id,
        "deployment_ids": [deployment],
        "auth_url": format!("{platform_url}/auth"),
        "token_url": format!("{platform_url}/token"),
        "jwks_url": format!("{platform_url}/jwks"),
    }]});
    std::fs::write(&registrations, text.to_string()).map_err(|e| e.to_string())?;
    let mut platform = Command::new(&python)
        .arg(root().join("relay/tests/lti_platform.py"))
        .args([
            "serve",
            &platform_port.to_string(),
            &tool_url,
            client_id,
            deployment,
        ])
        .arg(format!("{tool_url}/search.html"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start the LTI platform ({python}): {e}"))?;
    let mut ready = String::new();
    BufReader::new(platform.stdout.take().expect("stdout is piped"))
        .read_line(&mut ready)
        .map_err(|e| e.to_string())?;
    if ready.trim() != "ready" {
        let _ = platform.kill();
        return Err(format!("the LTI platform did not start: {ready:?}"));
    }
    let mut children = vec![platform];
    let args = vec![
        format!("--listen=127.0.0.1:{tool_port}"),
        format!("--public-url={tool_url}"),
        format!("--lti-registrations={}", registrations.display()),
        format!("--data-dir={}", dir.join("data").display()),
        // A score the platform refuses is tried again after 1 s, then 2 s, 4 s…
        "--lti-score-retry=1".to_owned(),
    ];
    let (tool, _, tool_log) =
        start_server(&bin, &dist_dir(), "lti-tool.log", &args).inspect_err(|_| {
            for child in &mut children {
                let _ = child.kill();
            }
        })?;
    children.push(tool);
    Ok(LtiCourse {
        children,
        tool_start: (bin, args),
        platform_url,
        tool_url,
        tool_log,
    })
}

impl LtiCourse {
    /// Stops the tool's server and starts it again on the same port and data directory; its
    /// log goes on in `lti-tool-restarted.log`.
    pub fn restart_tool(&mut self) -> Result<(), String> {
        if let Some(mut tool) = self.children.pop() {
            let _ = tool.kill();
            let _ = tool.wait();
        }
        let (bin, args) = &self.tool_start;
        let (tool, _, log) = start_server(bin, &dist_dir(), "lti-tool-restarted.log", args)?;
        self.children.push(tool);
        self.tool_log = log;
        Ok(())
    }

    /// What the platform's line item has received (`/received` of lti_platform.py).
    pub fn received(&self) -> serde_json::Value {
        ureq::get(&format!("{}/received", self.platform_url))
            .call()
            .map_err(|e| e.to_string())
            .and_then(|r| r.into_json().map_err(|e| e.to_string()))
            .unwrap_or_else(|e| panic!("the platform's /received: {e}"))
    }

    /// Takes the platform's line items down (503) or brings them back.
    pub fn line_items_down(&self, down: bool) {
        let query = if down { "on" } else { "off" };
        ureq::get(&format!("{}/down?{query}", self.platform_url))
            .call()
            .unwrap_or_else(|e| panic!("the platform's /down: {e}"));
    }
}
