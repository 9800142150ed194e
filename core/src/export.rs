//! Code export: a recorded request as a complete snippet in five languages (pure).
//!
//! Each snippet runs as pasted: imports, the async runtime where one is needed, and a check
//! that prints the status and the body and fails on an error status. By default no secret is
//! in it: the client id and secret (decoded from a Basic header) and the token (from a Bearer
//! header) come from the environment variables `SPOTIFY_CLIENT_ID`, `SPOTIFY_CLIENT_SECRET`
//! and `SPOTIFY_ACCESS_TOKEN`, and any other Authorization value from `SPOTIFY_AUTHORIZATION`.
//! A value that also appears in the URL, another header or the body is read from its variable
//! there too. With `include_values`, the snippet assigns the values itself, under a warning.
//!
//! Every literal goes through one quoting function per language, tested as tables and, where
//! the interpreter is present, by running the quoted text.

use wire::{Authorization, HttpRequest};

/// The languages, in the order the inspector offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// curl in a POSIX shell script.
    Curl,
    /// JavaScript `fetch`, as an ES module (Node.js 18 or later, Deno, a browser console).
    Fetch,
    /// Node.js with `node:https`, as a CommonJS script.
    Node,
    /// Python with `requests`.
    Python,
    /// Rust with `reqwest` on tokio.
    Rust,
}

impl Lang {
    pub const ALL: [Lang; 5] = [
        Lang::Curl,
        Lang::Fetch,
        Lang::Node,
        Lang::Python,
        Lang::Rust,
    ];

    /// The name on its button: "Copy as {label}".
    pub fn label(self) -> &'static str {
        match self {
            Lang::Curl => "curl",
            Lang::Fetch => "fetch",
            Lang::Node => "Node.js",
            Lang::Python => "Python",
            Lang::Rust => "Rust",
        }
    }

    /// The language by its label.
    pub fn from_label(label: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.label() == label)
    }
}

/// Where the snippet sends the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint<'a> {
    /// Spotify's real hosts, as recorded.
    Spotify,
    /// This server's sandbox: `{origin}/sandbox/accounts/…` and `{origin}/sandbox/api/…`.
    Sandbox(&'a str),
}

/// The URL the snippet uses for a recorded Spotify URL.
pub fn target_url(url: &str, endpoint: Endpoint) -> String {
    let Endpoint::Sandbox(origin) = endpoint else {
        return url.to_owned();
    };
    let origin = origin.trim_end_matches('/');
    for (host, path) in [
        ("https://accounts.spotify.com", "accounts"),
        ("https://api.spotify.com", "api"),
    ] {
        if let Some(rest) = url.strip_prefix(host) {
            return format!("{origin}/sandbox/{path}{rest}");
        }
    }
    url.to_owned()
}

/// A value the snippet reads from the environment (or assigns, with `include_values`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Var {
    ClientId,
    ClientSecret,
    AccessToken,
    Authorization,
}

impl Var {
    fn env(self) -> &'static str {
        match self {
            Var::ClientId => "SPOTIFY_CLIENT_ID",
            Var::ClientSecret => "SPOTIFY_CLIENT_SECRET",
            Var::AccessToken => "SPOTIFY_ACCESS_TOKEN",
            Var::Authorization => "SPOTIFY_AUTHORIZATION",
        }
    }

    /// snake_case (Python, Rust) and camelCase (JavaScript) names.
    fn snake(self) -> &'static str {
        match self {
            Var::ClientId => "client_id",
            Var::ClientSecret => "client_secret",
            Var::AccessToken => "access_token",
            Var::Authorization => "authorization",
        }
    }

    fn camel(self) -> &'static str {
        match self {
            Var::ClientId => "clientId",
            Var::ClientSecret => "clientSecret",
            Var::AccessToken => "accessToken",
            Var::Authorization => "authorization",
        }
    }
}

/// A piece of a string: literal text or a variable's value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(Var),
}

/// How the Authorization header is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Auth {
    None,
    /// Built from the client id and secret by the language's own Basic support.
    Basic,
    /// `Bearer ` and the token.
    Bearer,
    /// Any other value, whole, from `SPOTIFY_AUTHORIZATION`.
    Raw,
}

/// The request, taken apart for writing.
struct Plan {
    method: String,
    /// The recorded (Spotify) URL, for the first comment line.
    shown_url: Vec<Part>,
    url: Vec<Part>,
    auth: Auth,
    headers: Vec<(String, Vec<Part>)>,
    /// `None` for a request that sends no body (GET, HEAD with nothing).
    body: Option<Vec<Part>>,
    /// The variables, in first-use order, with their values.
    vars: Vec<(Var, String)>,
}

fn plan(request: &HttpRequest, endpoint: Endpoint) -> Plan {
    let mut vars: Vec<(Var, String)> = Vec::new();
    let mut auth = Auth::None;
    if let Some(value) = request.header_value(wire::auth::HEADER) {
        match Authorization::parse(value) {
            Authorization::Basic { id, secret } => {
                auth = Auth::Basic;
                vars.push((Var::ClientId, id));
                vars.push((Var::ClientSecret, secret));
            }
            Authorization::Bearer(token) => {
                auth = Auth::Bearer;
                vars.push((Var::AccessToken, token));
            }
            Authorization::Other(value) => {
                auth = Auth::Raw;
                vars.push((Var::Authorization, value));
            }
        }
    }
    // Client credentials sent in a form body instead of the header. The values are kept as
    // written (not percent-decoded), so that they are found, and replaced, in the body's text.
    for pair in request.body.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let var = match key {
            "client_id" => Var::ClientId,
            "client_secret" => Var::ClientSecret,
            _ => continue,
        };
        if !value.is_empty() && !vars.iter().any(|(v, _)| *v == var) {
            vars.push((var, value.to_owned()));
        }
    }
    let parts = |text: &str| split(text, &vars);
    // `fetch` sends GET and HEAD in capitals whatever the code wrote; other methods it did
    // not normalise (`patch`) go out as written, and so does the export.
    let no_body = request.body.is_empty() && matches!(request.method.as_str(), "GET" | "HEAD");
    let plan = Plan {
        method: request.method.clone(),
        shown_url: parts(&request.url),
        url: parts(&target_url(&request.url, endpoint)),
        auth,
        headers: request
            .headers
            .iter()
            .filter(|(name, _)| !name.eq_ignore_ascii_case(wire::auth::HEADER))
            .map(|(name, value)| (name.clone(), parts(value)))
            .collect(),
        body: (!no_body).then(|| parts(&request.body)),
        vars: Vec::new(),
    };
    // Keep only the variables something uses.
    let mut used: Vec<(Var, String)> = Vec::new();
    let mut note = |var: Var| {
        if !used.iter().any(|(v, _)| *v == var) {
            if let Some(found) = vars.iter().find(|(v, _)| *v == var) {
                used.push(found.clone());
            }
        }
    };
    match plan.auth {
        Auth::Basic => {
            note(Var::ClientId);
            note(Var::ClientSecret);
        }
        Auth::Bearer => note(Var::AccessToken),
        Auth::Raw => note(Var::Authorization),
        Auth::None => {}
    }
    let texts = std::iter::once(&plan.url)
        .chain(plan.headers.iter().map(|(_, p)| p))
        .chain(plan.body.iter());
    for parts in texts {
        for part in parts {
            if let Part::Var(v) = part {
                note(*v);
            }
        }
    }
    Plan { vars: used, ..plan }
}

/// `text` with each occurrence of a variable's value (4 characters or more) as that variable.
fn split(text: &str, vars: &[(Var, String)]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    'outer: while !rest.is_empty() {
        for (var, value) in vars {
            if value.len() >= 4 && rest.starts_with(value.as_str()) {
                if !literal.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut literal)));
                }
                parts.push(Part::Var(*var));
                rest = &rest[value.len()..];
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        literal.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !literal.is_empty() || parts.is_empty() {
        parts.push(Part::Lit(literal));
    }
    parts
}

/// Writes the snippet.
pub fn snippet(
    request: &HttpRequest,
    lang: Lang,
    endpoint: Endpoint,
    include_values: bool,
) -> String {
    let plan = plan(request, endpoint);
    let mut out = String::new();
    if lang == Lang::Curl {
        out.push_str("#!/bin/sh\n");
    }
    let comment = match lang {
        Lang::Curl | Lang::Python => "# ",
        _ => "// ",
    };
    let mut say = |line: &str| {
        out.push_str(comment);
        out.push_str(line);
        out.push('\n');
    };
    let shown: String = plan
        .shown_url
        .iter()
        .map(|p| match p {
            Part::Lit(s) => s.replace(['\n', '\r'], " "),
            Part::Var(v) => format!("${}", v.env()),
        })
        .collect();
    say(&format!("{} {shown}", plan.method));
    if let Endpoint::Sandbox(origin) = endpoint {
        say(&format!(
            "Sent to the sandbox at {}/sandbox/ (invented data, sandbox credentials).",
            origin.trim_end_matches('/')
        ));
    }
    let names: Vec<&str> = plan.vars.iter().map(|(v, _)| v.env()).collect();
    if !plan.vars.is_empty() {
        if include_values {
            say("WARNING: this snippet holds your own values (credentials, token).");
            say("Do not share it or commit it.");
        } else {
            say(&format!(
                "Reads {} from the environment: set {} first.",
                names.join(" and "),
                if names.len() == 1 { "it" } else { "them" }
            ));
        }
    }
    match lang {
        Lang::Curl => curl(&mut out, &plan, include_values),
        Lang::Fetch => fetch(&mut out, &plan, include_values),
        Lang::Node => node(&mut out, &plan, include_values),
        Lang::Python => python(&mut out, &plan, include_values),
        Lang::Rust => rust(&mut out, &plan, include_values),
    }
    out
}

// ---- quoting: one function per language ----

/// A POSIX shell word: literals in single quotes (`'` as `'\''`), variables as `"${NAME}"`.
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn sh_word(parts: &[Part]) -> String {
    // Adjacent literals are one quoted string.
    let mut merged: Vec<Part> = Vec::new();
    for part in parts {
        match (merged.last_mut(), part) {
            (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(b),
            _ => merged.push(part.clone()),
        }
    }
    merged
        .iter()
        .map(|p| match p {
            Part::Lit(s) => sh_quote(s),
            Part::Var(v) => format!("\"${{{}}}\"", v.env()),
        })
        .collect()
}

/// A double-quoted string literal that JavaScript and Python both read as `text`: `"` and `\`
/// escaped, control characters and U+2028/U+2029 as `\uXXXX`.
pub fn c_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn joined(parts: &[Part], name: fn(Var) -> &'static str) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Lit(s) => c_string(s),
            Part::Var(v) => name(*v).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A Rust string literal; with `format`, also `{` and `}` doubled for `format!`.
pub fn rust_string(text: &str, format: bool) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '{' if format => out.push_str("{{"),
            '}' if format => out.push_str("}}"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Rust expression for the parts: a literal, or `format!("…{name}…")`.
fn rust_expr(parts: &[Part]) -> String {
    if let [Part::Lit(s)] = parts {
        return rust_string(s, false);
    }
    let mut inner = String::new();
    for p in parts {
        match p {
            Part::Lit(s) => {
                let quoted = rust_string(s, true);
                inner.push_str(&quoted[1..quoted.len() - 1]);
            }
            Part::Var(v) => {
                inner.push('{');
                inner.push_str(v.snake());
                inner.push('}');
            }
        }
    }
    format!("format!(\"{inner}\")")
}

// ---- the five languages ----

fn curl(out: &mut String, plan: &Plan, include: bool) {
    for (var, value) in &plan.vars {
        if include {
            out.push_str(&format!("{}={}\n", var.env(), sh_quote(value)));
        } else {
            out.push_str(&format!(": \"${{{0}:?Set {0} first}}\"\n", var.env()));
        }
    }
    out.push_str(
        "curl --silent --show-error --fail-with-body --write-out '\\nHTTP status %{http_code}\\n' \\\n",
    );
    let mut args = vec![
        format!("--request {}", sh_quote(&plan.method)),
        sh_word(&plan.url),
    ];
    match plan.auth {
        Auth::Basic => args.push(format!(
            "--user \"${{{}}}:${{{}}}\"",
            Var::ClientId.env(),
            Var::ClientSecret.env()
        )),
        Auth::Bearer => args.push(format!(
            "--header {}",
            sh_word(&[
                Part::Lit("Authorization: Bearer ".into()),
                Part::Var(Var::AccessToken)
            ])
        )),
        Auth::Raw => args.push(format!(
            "--header {}",
            sh_word(&[
                Part::Lit("Authorization: ".into()),
                Part::Var(Var::Authorization)
            ])
        )),
        Auth::None => {}
    }
    for (name, value) in &plan.headers {
        let mut parts = vec![Part::Lit(format!("{name}: "))];
        parts.extend(value.iter().cloned());
        args.push(format!("--header {}", sh_word(&parts)));
    }
    if let Some(body) = &plan.body {
        args.push(format!("--data-raw {}", sh_word(body)));
    }
    out.push_str("  ");
    out.push_str(&args.join(" \\\n  "));
    out.push('\n');
}

/// The JavaScript header entries (shared by fetch and Node.js).
fn js_headers(plan: &Plan, basic: &str) -> Vec<String> {
    let mut lines = Vec::new();
    match plan.auth {
        Auth::Basic => lines.push(format!("\"Authorization\": \"Basic \" + {basic}")),
        Auth::Bearer => lines.push("\"Authorization\": \"Bearer \" + accessToken".to_owned()),
        Auth::Raw => lines.push("\"Authorization\": authorization".to_owned()),
        Auth::None => {}
    }
    for (name, value) in &plan.headers {
        lines.push(format!("{}: {}", c_string(name), joined(value, Var::camel)));
    }
    lines
}

fn js_vars(out: &mut String, plan: &Plan, include: bool) {
    for (var, value) in &plan.vars {
        let value = if include {
            c_string(value)
        } else {
            format!("process.env.{}", var.env())
        };
        out.push_str(&format!("const {} = {value};\n", var.camel()));
    }
    if !include && !plan.vars.is_empty() {
        let names: Vec<&str> = plan.vars.iter().map(|(v, _)| v.camel()).collect();
        let envs: Vec<&str> = plan.vars.iter().map(|(v, _)| v.env()).collect();
        out.push_str(&format!(
            "if (!({})) throw new Error(\"Set {} first.\");\n",
            names.join(" && "),
            envs.join(" and ")
        ));
    }
}

fn fetch(out: &mut String, plan: &Plan, include: bool) {
    out.push_str("// Save as request.mjs and run `node request.mjs` (Node.js 18 or later). In a web page,\n// Spotify's token endpoint refuses cross-origin requests.\n");
    js_vars(out, plan, include);
    out.push_str(&format!(
        "\nconst response = await fetch({}, {{\n  method: {},\n",
        joined(&plan.url, Var::camel),
        c_string(&plan.method)
    ));
    let headers = js_headers(plan, "btoa(clientId + \":\" + clientSecret)");
    if !headers.is_empty() {
        out.push_str("  headers: {\n");
        for h in headers {
            out.push_str(&format!("    {h},\n"));
        }
        out.push_str("  },\n");
    }
    if let Some(body) = &plan.body {
        out.push_str(&format!("  body: {},\n", joined(body, Var::camel)));
    }
    out.push_str(
        "});\nconst body = await response.text();\nconsole.log(response.status, response.statusText);\nconsole.log(body);\nif (!response.ok) {\n  throw new Error(\"The request failed with status \" + response.status);\n}\n",
    );
}

fn node(out: &mut String, plan: &Plan, include: bool) {
    let plain_http = matches!(plan.url.first(), Some(Part::Lit(s)) if s.starts_with("http:"));
    out.push_str("// Save as request.js and run `node request.js`.\n");
    out.push_str(if plain_http {
        "const { request } = require(\"node:http\");\n\n"
    } else {
        "const { request } = require(\"node:https\");\n\n"
    });
    js_vars(out, plan, include);
    let body = plan
        .body
        .as_ref()
        .map_or("\"\"".to_owned(), |b| joined(b, Var::camel));
    out.push_str(&format!("const body = {body};\n"));
    out.push_str(&format!(
        "const req = request({}, {{\n  method: {},\n  headers: {{\n",
        joined(&plan.url, Var::camel),
        c_string(&plan.method)
    ));
    let mut headers = js_headers(
        plan,
        "Buffer.from(clientId + \":\" + clientSecret).toString(\"base64\")",
    );
    if plan.body.is_some() {
        headers.push("\"Content-Length\": Buffer.byteLength(body)".to_owned());
    }
    for h in headers {
        out.push_str(&format!("    {h},\n"));
    }
    out.push_str(
        "  },\n}, (response) => {\n  let text = \"\";\n  response.setEncoding(\"utf8\");\n  response.on(\"data\", (chunk) => { text += chunk; });\n  response.on(\"end\", () => {\n    console.log(response.statusCode, response.statusMessage);\n    console.log(text);\n    if (response.statusCode >= 400) process.exitCode = 1;\n  });\n});\nreq.on(\"error\", (error) => {\n  console.error(error.message);\n  process.exitCode = 1;\n});\nreq.end(body);\n",
    );
}

fn python(out: &mut String, plan: &Plan, include: bool) {
    out.push_str("# Needs the requests package: pip install requests\nimport os\nimport sys\n\nimport requests\n\n");
    for (var, value) in &plan.vars {
        if include {
            out.push_str(&format!("{} = {}\n", var.snake(), c_string(value)));
        } else {
            out.push_str(&format!(
                "{} = os.environ.get(\"{1}\") or sys.exit(\"Set {1} first.\")\n",
                var.snake(),
                var.env()
            ));
        }
    }
    out.push_str(&format!(
        "\nresponse = requests.request(\n    {},\n    {},\n",
        c_string(&plan.method),
        joined(&plan.url, Var::snake)
    ));
    let mut headers = Vec::new();
    match plan.auth {
        Auth::Basic => out.push_str("    auth=(client_id, client_secret),\n"),
        Auth::Bearer => headers.push("\"Authorization\": \"Bearer \" + access_token".to_owned()),
        Auth::Raw => headers.push("\"Authorization\": authorization".to_owned()),
        Auth::None => {}
    }
    for (name, value) in &plan.headers {
        headers.push(format!("{}: {}", c_string(name), joined(value, Var::snake)));
    }
    if !headers.is_empty() {
        out.push_str("    headers={\n");
        for h in headers {
            out.push_str(&format!("        {h},\n"));
        }
        out.push_str("    },\n");
    }
    if let Some(body) = &plan.body {
        out.push_str(&format!(
            "    data=({}).encode(\"utf-8\"),\n",
            joined(body, Var::snake)
        ));
    }
    out.push_str(
        "    timeout=30,\n)\nprint(response.status_code, response.reason)\nprint(response.text)\nif not response.ok:\n    sys.exit(1)\n",
    );
}

fn rust(out: &mut String, plan: &Plan, include: bool) {
    out.push_str("// Cargo.toml:\n// [dependencies]\n// reqwest = \"0.12\"\n// tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n\n#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    for (var, value) in &plan.vars {
        if include {
            out.push_str(&format!(
                "    let {} = {};\n",
                var.snake(),
                rust_string(value, false)
            ));
        } else {
            out.push_str(&format!(
                "    let {} = std::env::var(\"{1}\").map_err(|_| \"Set {1} first.\")?;\n",
                var.snake(),
                var.env()
            ));
        }
    }
    let url = rust_expr(&plan.url);
    let call = match plan.method.as_str() {
        "GET" => format!(".get({url})"),
        "POST" => format!(".post({url})"),
        "PUT" => format!(".put({url})"),
        "DELETE" => format!(".delete({url})"),
        "PATCH" => format!(".patch({url})"),
        "HEAD" => format!(".head({url})"),
        other => format!(
            ".request(reqwest::Method::from_bytes({}.as_bytes())?, {url})",
            rust_string(other, false)
        ),
    };
    out.push_str(&format!(
        "    let response = reqwest::Client::new()\n        {call}\n"
    ));
    match plan.auth {
        Auth::Basic => out.push_str("        .basic_auth(&client_id, Some(&client_secret))\n"),
        Auth::Bearer => out.push_str("        .bearer_auth(&access_token)\n"),
        Auth::Raw => {
            out.push_str("        .header(\"Authorization\", authorization.to_string())\n")
        }
        Auth::None => {}
    }
    for (name, value) in &plan.headers {
        out.push_str(&format!(
            "        .header({}, {})\n",
            rust_string(name, false),
            rust_expr(value)
        ));
    }
    if let Some(body) = &plan.body {
        out.push_str(&format!("        .body({})\n", rust_expr(body)));
    }
    out.push_str("        .send()\n        .await?;\n    let status = response.status();\n    let body = response.text().await?;\n    println!(\"{status}\");\n    println!(\"{body}\");\n    if !status.is_success() {\n        std::process::exit(1);\n    }\n    Ok(())\n}\n");
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
