//! Project automation: `cargo xtask setup | dist | serve | test | bench`.
//!
//! Each command installs what it needs and skips what is already present at the right version,
//! so one command does on a fresh machine what it does on a warm one. Besides the standard
//! library it uses only the brotli and flate2 crates, for the precompressed files.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132";
/// The accessibility checker the end-to-end tests inject into the page.
const AXE_VERSION: &str = "4.14.1";
const TS_SDK_VERSION: &str = "1.2.0";
/// A Spotify client written by others, used through the relay by the end-to-end tests.
const SPOTIPY_VERSION: &str = "2.26.0";
/// An LTI 1.3 platform library written by others, which the LTI tests launch lessons with.
const LTI_PLATFORM_VERSION: &str = "0.1.8";
/// Extensions of the files `dist` writes `.br` and `.gz` copies of.
const COMPRESSIBLE: [&str; 6] = ["html", "js", "wasm", "css", "svg", "json"];
const SERVE_ADDRESS: &str = "127.0.0.1:8080";
/// Where the README serves `examples/course-page.html`; `serve` lets it frame the playground.
const EXAMPLE_COURSE_ORIGIN: &str = "http://127.0.0.1:8000";

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result {
    let args: Vec<String> = env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["setup"] => setup(Needs::All),
        ["dist"] => {
            setup(Needs::Build)?;
            dist()
        }
        ["serve"] => serve(),
        ["layers"] => check_layers(),
        ["test"] => test(),
        ["budget"] => {
            setup(Needs::All)?;
            budget()
        }
        ["screenshots"] => screenshots(),
        ["bench", "page"] => bench_page(),
        ["bench", "relay"] => bench_relay(),
        ["bench", "load"] => bench_load(),
        ["bench", "limits"] => bench_limits(),
        _ => Err(USAGE.trim().to_owned()),
    }
}

const USAGE: &str = "
usage: cargo xtask <command>
  setup       install the wasm32 target, trunk, wasm-bindgen-cli, wasm-opt (binaryen) and Chromium
  dist        build the release page into dist/ and the server into target/release/relay
  serve       dist, then serve the playground on http://127.0.0.1:8080
  test        every check CI runs: fmt, clippy, native tests, dist, size budget, browser tests
  layers      check the crate graph (wire <- sandbox; wire <- core <- page) with cargo tree
  budget      measure what a browser transfers on a cold load (brotli and gzip) against the budget
  screenshots take the README's pictures of the built page into docs/images
  bench page  measure when the page is readable and interactive, beside a minimal Leptos page
  bench relay measure relay throughput and latency against a direct call, and its memory
  bench load  200 learners for 30 s alone, then 60 s beside 1,000 slow and idle connections
  bench limits what a rate-limit check costs with 100,000 clients tracked
";

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

fn binaryen_bin() -> PathBuf {
    tools_dir()
        .join("binaryen")
        .join("node_modules")
        .join(".bin")
}

fn cargo_bin() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

/// PATH with npm's binaryen first (never Debian's wasm-opt 108) and cargo's bin directory.
fn tool_path() -> std::ffi::OsString {
    let mut paths = vec![binaryen_bin(), cargo_bin()];
    paths.extend(env::split_paths(&env::var_os("PATH").unwrap_or_default()));
    env::join_paths(paths).expect("paths hold no separator")
}

fn command(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tool_path());
    c
}

/// Runs a command with inherited output; fails with its description.
fn step(what: &str, mut cmd: Command) -> Result {
    println!("==> {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: failed ({status})"))
    }
}

/// The first line a command prints, or `None` if it cannot run.
fn version_of(program: &Path, arg: &str) -> Option<String> {
    let output = Command::new(program)
        .arg(arg)
        .env("PATH", tool_path())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Needs {
    /// What `dist` and `serve` need.
    Build,
    /// Also Chromium, for the browser tests.
    All,
}

fn setup(needs: Needs) -> Result {
    // rustup target add is itself idempotent and fast when the target is present.
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup is needed to add the wasm32 target: {e}"))?;
    if !String::from_utf8_lossy(&installed.stdout).contains("wasm32-unknown-unknown") {
        let mut c = command("rustup");
        c.args(["target", "add", "wasm32-unknown-unknown"]);
        step("add the wasm32-unknown-unknown target", c)?;
    }

    let trunk = version_of(&cargo_bin().join("trunk"), "--version")
        .or_else(|| version_of(Path::new("trunk"), "--version"));
    if trunk.as_deref() != Some(&format!("trunk {TRUNK_VERSION}")) {
        let mut c = command("cargo");
        c.args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]);
        step(
            &format!("install trunk {TRUNK_VERSION} (about 7 minutes on 2 cores)"),
            c,
        )?;
    }

    let bindgen = wasm_bindgen_version()?;
    let have = version_of(&cargo_bin().join("wasm-bindgen"), "--version")
        .or_else(|| version_of(Path::new("wasm-bindgen"), "--version"));
    if have.as_deref() != Some(&format!("wasm-bindgen {bindgen}")) {
        // Without --locked: its lock file pins a webpki-roots release the registry lacks.
        let mut c = command("cargo");
        c.args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &bindgen,
            "--force",
        ]);
        step(
            &format!("install wasm-bindgen-cli {bindgen} (the version in Cargo.lock)"),
            c,
        )?;
    }

    // npm installs wasm-opt below, and the tests run the exported snippets in Node.js and
    // Python, never skipping one: Debian's packages when missing.
    let mut packages = Vec::new();
    if version_of(Path::new("npm"), "--version").is_none() {
        packages.extend(["nodejs", "npm"]);
    }
    if needs == Needs::All && version_of(Path::new("python3"), "--version").is_none() {
        packages.extend(["python3", "python3-venv"]);
    }
    if needs == Needs::All
        && !(Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists())
    {
        packages.extend(["chromium", "chromium-driver"]);
    }
    apt_install(&packages)?;

    let wasm_opt = version_of(&binaryen_bin().join("wasm-opt"), "--version");
    if !wasm_opt
        .as_deref()
        .is_some_and(|v| v.contains(&format!("version {BINARYEN_VERSION}")))
    {
        let prefix = tools_dir().join("binaryen");
        fs::create_dir_all(&prefix).map_err(|e| format!("create {}: {e}", prefix.display()))?;
        let mut c = command("npm");
        c.args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(format!("binaryen@{BINARYEN_VERSION}"));
        step(
            &format!("install wasm-opt from npm's binaryen@{BINARYEN_VERSION}"),
            c,
        )?;
    }

    if needs == Needs::All {
        setup_spotipy()?;
        setup_lti_platform()?;
        setup_axe()?;
        setup_ts_sdk()?;
    }
    Ok(())
}

/// Installs Debian packages, if any are named; CI has no standard input.
fn apt_install(packages: &[&str]) -> Result {
    if packages.is_empty() {
        return Ok(());
    }
    let mut update = command("apt-get");
    update.arg("update");
    step("apt-get update", update)?;
    let mut c = command("apt-get");
    c.args(["install", "-y"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null());
    step(
        &format!("install {} (Debian packages)", packages.join(", ")),
        c,
    )
}

/// axe-core from the npm registry, for the accessibility check in the browser tests.
fn setup_axe() -> Result {
    npm_tool("axe", "axe-core", AXE_VERSION, "the accessibility check")
}

/// Spotify's TypeScript SDK from the npm registry, a client library the tests run against
/// the sandbox and through the relay.
fn setup_ts_sdk() -> Result {
    npm_tool(
        "ts-sdk",
        "@spotify/web-api-ts-sdk",
        TS_SDK_VERSION,
        "a client library for the tests",
    )
}

/// Installs `package@version` from npm into target/tools/`folder`, unless it is there.
fn npm_tool(folder: &str, package: &str, version: &str, why: &str) -> Result {
    let prefix = tools_dir().join(folder);
    let manifest = prefix
        .join("node_modules")
        .join(package)
        .join("package.json");
    let installed = fs::read_to_string(&manifest)
        .is_ok_and(|m| m.contains(&format!("\"version\": \"{version}\"")));
    if installed {
        return Ok(());
    }
    fs::create_dir_all(&prefix).map_err(|e| format!("create {}: {e}", prefix.display()))?;
    let mut c = command("npm");
    c.args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&prefix)
        .arg(format!("{package}@{version}"));
    step(&format!("install {package} {version} from npm ({why})"), c)
}

/// A venv with the pinned spotipy, for the client-library test through the relay.
fn setup_spotipy() -> Result {
    python_tool(
        "spotipy",
        "spotipy",
        SPOTIPY_VERSION,
        "the client-library test",
    )
}

/// A venv with the pinned lti1p3platform, a platform library the LTI tests launch with.
fn setup_lti_platform() -> Result {
    python_tool(
        "lti-platform",
        "lti1p3platform",
        LTI_PLATFORM_VERSION,
        "the LTI platform library",
    )
}

/// A venv in target/tools/`folder` with `package==version` from PyPI, unless it is there.
fn python_tool(folder: &str, package: &str, version: &str, why: &str) -> Result {
    let venv = tools_dir().join(folder);
    let python = venv.join("bin").join("python");
    let version_check =
        format!("import importlib.metadata as m; assert m.version('{package}') == '{version}'");
    let ready = Command::new(&python)
        .args(["-c", &version_check])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ready {
        return Ok(());
    }
    let mut create = command("python3");
    create.args(["-m", "venv"]).arg(&venv);
    step(&format!("create a Python venv for {why}"), create)?;
    let mut install = command(&python.display().to_string());
    install
        .args(["-m", "pip", "install", "--quiet"])
        .arg(format!("{package}=={version}"));
    step(&format!("install {package} {version} from PyPI"), install)
}

/// The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly.
fn wasm_bindgen_version() -> Result<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

/// Rust flags for the page build: shortens the source paths that panic messages embed
/// (registry and workspace prefixes), which saves a few KB and makes builds reproducible.
fn page_rustflags() -> String {
    let mut flags = vec![format!("--remap-path-prefix={}=.", root().display())];
    let cargo_home = cargo_bin()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if let Ok(entries) = fs::read_dir(cargo_home.join("registry").join("src")) {
        for entry in entries.flatten() {
            flags.push(format!(
                "--remap-path-prefix={}=crates",
                entry.path().display()
            ));
        }
    }
    flags.join("\x1f")
}

fn dist() -> Result {
    let mut trunk = command("trunk");
    trunk
        .args(["build", "--release", "--offline"])
        .env("CARGO_ENCODED_RUSTFLAGS", page_rustflags());
    step(
        "build the page into dist/ (trunk, release, wasm-opt -Oz)",
        trunk,
    )?;
    // Natively, without the page's flags, so that it reuses the native test build.
    let mut prerender = command("cargo");
    prerender
        .args(["run", "--quiet", "--package", "prerender", "--"])
        .arg(root().join("dist"));
    step(
        "write each lesson's page, the lesson prerendered (crate prerender)",
        prerender,
    )?;
    precompress(&root().join("dist"))?;
    let mut relay = command("cargo");
    relay.args(["build", "--release", "--package", "relay"]);
    step("build the server into target/release/relay", relay)
}

fn serve() -> Result {
    setup(Needs::Build)?;
    dist()?;
    println!();
    println!("Sandbox lesson (works offline):  http://{SERVE_ADDRESS}/?target=sandbox");
    println!("Real-Spotify lesson:             http://{SERVE_ADDRESS}/");
    println!("Example course page (examples/course-page.html, served on port 8000) may frame it.");
    println!("Press Ctrl-C to stop.");
    let mut relay = command(&root().join("target/release/relay").display().to_string());
    relay
        .args(["--listen", SERVE_ADDRESS, "--dist"])
        .arg(root().join("dist"))
        .args([
            "--frame-ancestors",
            "'self'",
            "--frame-ancestors",
            EXAMPLE_COURSE_ORIGIN,
        ]);
    step("serve", relay)
}

fn test() -> Result {
    setup(Needs::All)?;
    let mut fmt = command("cargo");
    fmt.args(["fmt", "--all", "--check"]);
    step("cargo fmt --check", fmt)?;
    let mut clippy = command("cargo");
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    step("cargo clippy -D warnings", clippy)?;
    check_layers()?;
    let mut native = command("cargo");
    native
        .args(["test", "--workspace", "--exclude", "e2e"])
        .env(
            "LTI_PLATFORM_PYTHON",
            tools_dir().join("lti-platform/bin/python"),
        );
    step("native tests", native)?;
    dist()?;
    budget()?;
    step(
        "end-to-end tests (headless Chromium and spotipy against the release build)",
        browser_suite(),
    )
}

/// The browser suite against the release build, with every tool it needs named.
fn browser_suite() -> Command {
    let mut browser = command("cargo");
    browser
        .args(["test", "--package", "e2e", "--test", "browser"])
        .env("PLAYGROUND_DIST", root().join("dist"))
        .env("PLAYGROUND_RELAY_BIN", root().join("target/release/relay"))
        .env("SPOTIPY_PYTHON", tools_dir().join("spotipy/bin/python"))
        .env(
            "LTI_PLATFORM_PYTHON",
            tools_dir().join("lti-platform/bin/python"),
        )
        .env("TS_SDK", tools_dir().join("ts-sdk"))
        .env(
            "AXE_SCRIPT",
            tools_dir().join("axe/node_modules/axe-core/axe.min.js"),
        );
    browser
}

/// The README's pictures: the browser suite's `screenshots_of_the_page` case, writing into
/// docs/images. (The suite runs the same case into target/e2e, so a broken command fails CI.)
fn screenshots() -> Result {
    setup(Needs::All)?;
    dist()?;
    let mut pictures = browser_suite();
    pictures
        .args(["--", "screenshots_of_the_page"])
        .env("SCREENSHOTS_DIR", root().join("docs/images"));
    step("pictures of the page into docs/images", pictures)
}

/// Crates that reach browser APIs.
const BROWSER_CRATES: [&str; 5] = ["leptos", "web-sys", "js-sys", "wasm-bindgen", "gloo-net"];

/// The crate graph ARCHITECTURE.md promises: wire ← sandbox (a leaf, for the server and the
/// on-demand module) and wire ← core ← page. Each line is a package; whether it is pure (no
/// browser crate); what else its tree (normal and build edges, every target) must not hold;
/// and what it must hold, the positive control that shows the check reads the tree at all.
const LAYERS: [(&str, bool, &[&str], &[&str]); 6] = [
    (
        "wire",
        true,
        &["sandbox", "playground-core", "lti"],
        &["base64"],
    ),
    ("sandbox", true, &["playground-core", "lti"], &["wire"]),
    ("playground-core", true, &["sandbox", "lti"], &["wire"]),
    (
        "playground",
        false,
        &["sandbox", "lti"],
        &["playground-core", "wire", "leptos"],
    ),
    (
        "ondemand",
        false,
        &["lti"],
        &["sandbox", "playground-core", "wire", "leptos"],
    ),
    // LTI's checks: no other crate of the workspace, and only the server links them. (Not
    // checked for browser crates: with `--target all`, its crypto's wasm32 branch names some.)
    (
        "lti",
        false,
        &["wire", "sandbox", "playground-core"],
        &["jsonwebtoken"],
    ),
];

/// The architecture check: each crate's dependency tree against [`LAYERS`].
fn check_layers() -> Result {
    println!("==> the crate graph points one way (cargo tree)");
    for (package, pure, others, required) in LAYERS {
        let mut forbidden: Vec<&str> = others.to_vec();
        if pure {
            forbidden.extend(BROWSER_CRATES);
        }
        let output = command("cargo")
            .args(["tree", "--package", package, "--edges", "normal,build"])
            .args(["--target", "all", "--prefix", "none", "--format", "{p}"])
            .output()
            .map_err(|e| format!("cargo tree: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo tree --package {package} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let tree = String::from_utf8_lossy(&output.stdout);
        let names: Vec<&str> = tree
            .lines()
            .skip(1) // the package itself
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        let in_tree = |list: &[&'static str], present: bool| -> Vec<&str> {
            let keep = |name: &&str| names.contains(name) == present;
            list.iter().copied().filter(keep).collect()
        };
        let found = in_tree(&forbidden, true);
        if !found.is_empty() {
            return Err(format!(
                "{package} depends on {}, which ARCHITECTURE.md's layers forbid",
                found.join(", ")
            ));
        }
        let missing = in_tree(required, false);
        if !missing.is_empty() {
            return Err(format!(
                "{package} does not depend on {}: the layers changed, or cargo tree's output is not what this check reads",
                missing.join(", ")
            ));
        }
        println!(
            "    {package}: {} crates, none of [{}], with [{}]",
            names.len(),
            forbidden.join(", "),
            required.join(", ")
        );
    }
    check_views()
}

/// Where the page and the on-demand module set HTML text, and how many times: content only
/// (the lesson prose, the highlighted code), always a `Markup`.
const HTML_TEXT: [(&str, usize); 2] = [("src/ui/cells.rs", 2), ("src/ui/mod.rs", 1)];

/// What wires the DOM by hand instead of with views.
const BY_HAND: [&str; 5] = [
    "query_selector",
    ".closest(",
    "set_inner_html",
    "get_attribute(",
    "add_event_listener",
];

/// The UI is built one way: no DOM wired by selectors or by hand in the page or the on-demand
/// module, and HTML text set only where [`HTML_TEXT`] says. The content's uses are the
/// positive control: the scan finds exactly those.
fn check_views() -> Result {
    println!("==> the UI is built with views (a scan of src/ and ondemand/src/)");
    let mut files = files_under(&root().join("src"))?;
    files.extend(files_under(&root().join("ondemand/src"))?);
    files.retain(|f| f.extension().is_some_and(|e| e == "rs"));
    let mut html_text = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
        for line in code {
            if let Some(found) = BY_HAND.iter().find(|b| line.contains(*b)) {
                return Err(format!(
                    "{name}: `{found}` wires the DOM by hand ({}); build it as a view",
                    line.trim()
                ));
            }
            if line.contains("inner_html") {
                html_text.push(name.clone());
            }
        }
    }
    for (file, expected) in HTML_TEXT {
        let found = html_text.iter().filter(|f| *f == file).count();
        if found != expected {
            return Err(format!(
                "{file} sets HTML text {found} times, where {expected} (content only) were expected"
            ));
        }
    }
    if let Some(file) = html_text
        .iter()
        .find(|f| !HTML_TEXT.iter().any(|(known, _)| known == f))
    {
        return Err(format!(
            "{file} sets HTML text: only content may be HTML text (a Markup); build it as a view"
        ));
    }
    println!(
        "    {} files: nothing wired by hand; HTML text only for content ({} places)",
        files.len(),
        html_text.len()
    );
    Ok(())
}

/// Every file under `folder`, in its sub-folders too, sorted.
fn files_under(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Writes `NAME.br` (brotli, quality 11) and `NAME.gz` (gzip -9) beside every text and wasm
/// file in `dist`; the server picks one by the browser's Accept-Encoding.
fn precompress(dist: &Path) -> Result {
    use std::io::Write as _;
    println!("==> precompress dist/ (brotli 11, gzip -9)");
    // Every file, in sub-folders too (the lessons are in dist/content/).
    let files = files_under(dist)?;
    for file in &files {
        let extension = file.extension().and_then(|x| x.to_str()).unwrap_or("");
        if matches!(extension, "br" | "gz") {
            // Left from an earlier build: the files they belonged to may be gone.
            fs::remove_file(file).map_err(|e| format!("{}: {e}", file.display()))?;
        }
    }
    for file in &files {
        let extension = file.extension().and_then(|x| x.to_str()).unwrap_or("");
        if !COMPRESSIBLE.contains(&extension) {
            continue;
        }
        let plain = fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 24,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut plain.as_slice(), &mut br, &params)
            .map_err(|e| format!("brotli {}: {e}", file.display()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&plain).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        let name = file
            .strip_prefix(dist)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        for (suffix, bytes) in [("br", &br), ("gz", &gz)] {
            let path = dist.join(format!("{name}.{suffix}"));
            fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        println!(
            "    {name:<40} {:>9} B raw {:>8} B br {:>8} B gz",
            plain.len(),
            br.len(),
            gz.len()
        );
    }
    Ok(())
}

/// The page's size as a browser receives it: a cold load in headless Chromium, summed from
/// the browser's own Resource Timing figures, with brotli and with gzip only. Fails over the
/// budget (tests/page_size.rs has the method).
fn budget() -> Result {
    if !root().join("dist").join("index.html").exists() {
        return Err("dist/ has no index.html: run cargo xtask dist first".into());
    }
    let mut size = command("cargo");
    size.args([
        "run",
        "--release",
        "--quiet",
        "--package",
        "e2e",
        "--bin",
        "page-size",
    ])
    .env("PLAYGROUND_DIST", root().join("dist"))
    .env("PLAYGROUND_RELAY_BIN", root().join("target/release/relay"));
    step(
        "size budget: what Chromium transfers on a cold load, brotli and gzip",
        size,
    )
}

fn bench_page() -> Result {
    setup(Needs::All)?;
    dist()?;
    budget()?;
    // The yardstick: a minimal Leptos page, built and precompressed the same way.
    let minimal = root().join("target/minimal-dist");
    let mut trunk = command("trunk");
    trunk
        .args(["build", "--release", "--offline", "--dist"])
        .arg(&minimal)
        .arg(root().join("bench/minimal/index.html"))
        .env("CARGO_ENCODED_RUSTFLAGS", page_rustflags());
    step(
        "build the minimal Leptos page into target/minimal-dist/",
        trunk,
    )?;
    precompress(&minimal)?;
    let mut bench = command("cargo");
    bench
        .args([
            "run",
            "--release",
            "--package",
            "e2e",
            "--bin",
            "bench-page",
        ])
        .env("PLAYGROUND_DIST", root().join("dist"))
        .env("MINIMAL_DIST", &minimal)
        .env("PLAYGROUND_RELAY_BIN", root().join("target/release/relay"));
    step(
        "readable and interactive in headless Chromium, beside a minimal Leptos page",
        bench,
    )
}

fn bench_relay() -> Result {
    relay_example(
        "bench",
        "relay throughput and latency, direct and through the relay",
    )
}

fn bench_load() -> Result {
    relay_example(
        "load",
        "learners alone, then beside slow and idle clients (about 2 minutes)",
    )
}

fn bench_limits() -> Result {
    let mut bench = command("cargo");
    bench.args([
        "run",
        "--release",
        "--package",
        "relay",
        "--example",
        "limits",
    ]);
    step("a rate-limit check with 100,000 clients tracked", bench)
}

/// Builds the page and the server, then runs one of the relay crate's example benchmarks
/// against them.
fn relay_example(example: &str, what: &str) -> Result {
    setup(Needs::Build)?;
    dist()?;
    let mut bench = command("cargo");
    bench
        .args([
            "run",
            "--release",
            "--package",
            "relay",
            "--example",
            example,
            "--",
        ])
        .arg(root().join("target/release/relay"))
        .arg(root().join("dist"));
    step(what, bench)
}
