"""A real LTI 1.3 platform library, lti1p3platform, on the other side of the tool.

Run by relay/tests/lti.rs, with the venv that `cargo xtask setup` makes:

    python lti_platform.py keys
        prints {"pem": <the platform's private key>, "jwks": <its key set>}
    python lti_platform.py launch <tool origin> <issuer> <client id> <deployment id> <lesson page>
        reads the private key on standard input, starts a login at the tool, follows the
        tool's redirect as the platform's authorization endpoint would, builds and signs the
        launch with the library, posts it to the tool, and prints what the tool answered.
    python lti_platform.py serve <port> <tool origin> <client id> <deployment id> <lesson page>
        a platform for a browser, on 127.0.0.1:<port> (its issuer is that origin): /jwks, its
        key set; /host.html, a course page whose iframe starts a login at the tool; /auth,
        the authorization endpoint, which checks the redirect URI and answers with a form
        that posts the signed launch to the tool; /host-graded.html, a graded launch of the
        first lesson, whose scores go through /token (the library checks the tool's client
        assertion) to /lineitems/7/lineitem/scores, down while /down?on was last asked and
        read back at /received. Prints "ready" when it listens.

Used by relay/tests/lti.rs (launch) and the browser test tests/lti.rs (serve).
"""

import html
import http.server
import json
import sys
import urllib.parse

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ags import LtiAgs
from lti1p3platform.deep_linking import LtiDeepLinking
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import MessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class Platform(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self.registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self.registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class Launch(MessageLaunchAbstract):
    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


class AuthResponse:
    """What the platform's authorization endpoint received: the tool's redirect's query."""

    def __init__(self, params):
        self.get_data = params
        self.form_data = {}


def new_key():
    """A private key (PEM) and the key set that publishes it under the library's kid."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    registration = Registration().set_platform_private_key(pem).set_platform_public_key(public)
    jwks = {"keys": registration.get_jwks()}
    # The library signs under its own kid (the key's thumbprint); publish it under that kid.
    jwks["keys"][0]["kid"] = registration.get_kid()
    return pem, jwks


def keys():
    pem, jwks = new_key()
    print(json.dumps({"pem": pem, "jwks": jwks}))


def registration_for(tool, issuer, client_id, deployment_id, page, pem):
    return (
        Registration()
        .set_iss(issuer)
        .set_client_id(client_id)
        .set_deployment_id(deployment_id)
        .set_oidc_login_url(f"{tool}/lti/login")
        .set_launch_url(page)
        .set_platform_private_key(pem)
        .set_tool_key_set_url(f"{tool}/lti/jwks.json")
    )


INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def signed_launch(platform, params, deep_link=None, graded=None):
    """The launch the authorization endpoint answers `params` (the tool's redirect) with; with
    `deep_link` (the tool's page and the return URL), an instructor's deep-linking request;
    with `graded` (the tool's page and the line item), a learner's launch that takes a score."""
    message = Launch(AuthResponse(params), platform)
    if graded:
        page, lineitem = graded
        message.set_launch_url(page)
        message.set_user_data("learner-1", [LEARNER], full_name="A Learner")
        message.set_resource_link_claim("resource-link-2", title="Get a token")
        # The library's own claim (its Assignment and Grade Services helper).
        ags = LtiAgs(lineitems_url=lineitem.split("/7/")[0], lineitem_url=lineitem)
        message.set_extra_claims(ags.get_lti_ags_launch_claim())
    elif deep_link:
        page, return_url = deep_link
        message.set_launch_url(page)
        message.set_user_data("instructor-1", [INSTRUCTOR], full_name="An Instructor")
        claims = LtiDeepLinking(return_url).get_lti_deep_linking_launch_claim(
            accept_types={"ltiResourceLink"}, extra_data={"course": "c1"}
        )
        claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] = "LtiDeepLinkingRequest"
        message.set_extra_claims(claims)
    else:
        message.set_user_data("learner-1", [LEARNER], full_name="A Learner")
        message.set_resource_link_claim("resource-link-1", title="Search")
    return message.lti_launch()


def preflight_url(platform, hint="resource-link-1", target=None):
    login = Login(None, platform)
    login.set_lti_message_hint(hint=hint)
    if target:
        login.set_launch_url(target)
    return login.initiate_login("learner-1")


# The course page's side of the postMessage storage (lti.put_data, lti.get_data), with a log
# of what it was asked, for the test to read.
STORAGE = """<script>
window.storageLog = [];
const kept = {};
addEventListener("message", (event) => {
  const m = event.data;
  if (!m || (m.subject !== "lti.put_data" && m.subject !== "lti.get_data")) return;
  window.storageLog.push(m.subject);
  if (m.subject === "lti.put_data") kept[m.key] = m.value;
  if (m.subject === "lti.put_data" || m.subject === "lti.get_data") {
    event.source.postMessage(
      { subject: m.subject + ".response", message_id: m.message_id, key: m.key, value: kept[m.key] },
      event.origin,
    );
  }
});
</script>"""


# The course page records every message its frames post (`lti.frameResize` among them).
RECORD = """<script>
window.frameMessages = [];
addEventListener("message", (event) => window.frameMessages.push(event.data));
</script>"""


def launch(tool, issuer, client_id, deployment_id, page):
    pem = sys.stdin.read()
    registration = registration_for(tool, issuer, client_id, deployment_id, page, pem)
    platform = Platform(registration=registration)

    started = requests.get(preflight_url(platform), allow_redirects=False, timeout=10)
    if started.status_code != 302:
        return report("login", started)
    location = started.headers["location"]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    # A browser on this loopback address keeps and sends back the Secure cookie.
    cookie = started.headers.get("set-cookie", "").split(";")[0]

    form = signed_launch(platform, params)
    answer = requests.post(
        form["launch_url"],
        data={"id_token": form["id_token"], "state": form["state"]},
        headers={"cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    return report("launch", answer, params)


def report(step, answer, params=None):
    print(
        json.dumps(
            {
                "step": step,
                "status": answer.status_code,
                "location": answer.headers.get("location"),
                "body": answer.text,
                "auth_params": params,
            }
        )
    )


# What the line item received, for the test to read at /received; `down` (set at /down?on)
# makes it answer 503.
RECEIVED = {"scores": [], "refused": 0, "tokens": 0, "down": False, "problems": []}


def serve(port, tool, client_id, deployment_id, page):
    issuer = f"http://127.0.0.1:{port}"
    pem, jwks = new_key()
    registration = registration_for(tool, issuer, client_id, deployment_id, page, pem)
    # The public half checks the access tokens the platform issues for scores.
    public = (
        serialization.load_pem_private_key(pem.encode(), None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    registration.set_platform_public_key(public)
    platform = Platform(registration=registration)
    redirect_uri = f"{tool}/lti/launch"

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, content_type, body):
            data = body.encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def page(self, title, heading, frame_title, frame, scripts=""):
            """A course page of the platform that frames the tool at `frame`."""
            return self.answer(
                200,
                "text/html",
                f"<!doctype html><title>{title}</title><h1>{heading}</h1>{scripts}"
                f'<iframe title="{frame_title}" src="{html.escape(frame)}" style="width:100%;height:80vh"></iframe>',
            )

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path == "/jwks":
                return self.answer(200, "application/json", json.dumps(jwks))
            if url.path == "/host-dl.html":
                frame = preflight_url(platform, "deep-link", f"{tool}/")
                return self.page("Course settings", "Add content", "Tool", frame)
            if url.path == "/received":
                return self.answer(200, "application/json", json.dumps(RECEIVED))
            if url.path == "/down":
                RECEIVED["down"] = url.query == "on"
                return self.answer(200, "application/json", json.dumps(RECEIVED))
            if url.path == "/host-graded.html":
                frame = preflight_url(platform, "graded", f"{tool}/")
                return self.page("Course", "A graded course", "Lesson", frame, RECORD)
            if url.path in ("/host.html", "/host-storage.html"):
                storage = url.path == "/host-storage.html"
                # With storage, the launch waits for a click ("hold"), so that the test can
                # take the cookie away first, as Safari would not have kept it.
                frame = preflight_url(platform, "hold" if storage else "resource-link-1")
                if storage:
                    frame += "&lti_storage_target=_parent"
                return self.page(
                    "Course", "A course", "Lesson", frame, RECORD + (STORAGE if storage else "")
                )
            if url.path == "/auth":
                params = dict(urllib.parse.parse_qsl(url.query))
                # The exact registered redirect URI, as a platform checks it.
                if params.get("redirect_uri") != redirect_uri:
                    return self.answer(400, "text/plain", "redirect_uri is not registered")
                deep_link = (
                    (f"{tool}/", f"{issuer}/dl-return")
                    if params.get("lti_message_hint") == "deep-link"
                    else None
                )
                graded = (
                    (f"{tool}/", f"{issuer}/lineitems/7/lineitem?type_id=1")
                    if params.get("lti_message_hint") == "graded"
                    else None
                )
                form = signed_launch(platform, params, deep_link, graded)
                fields = "".join(
                    f'<input type="hidden" name="{n}" value="{html.escape(form[n])}">'
                    for n in ("id_token", "state")
                )
                hold = params.get("lti_message_hint") == "hold"
                go = "<button>Continue</button>" if hold else ""
                submit = "" if hold else "<script>document.forms[0].submit()</script>"
                return self.answer(
                    200,
                    "text/html",
                    f'<!doctype html><form method="post" action="{html.escape(form["launch_url"])}">'
                    f"{fields}{go}</form>{submit}",
                )
            return self.answer(404, "text/plain", "not here")

        def do_POST(self):
            path = urllib.parse.urlsplit(self.path).path
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length).decode()
            if path == "/token":
                return self.token(dict(urllib.parse.parse_qsl(body)))
            if path == "/lineitems/7/lineitem/scores":
                return self.score(body)
            if path != "/dl-return":
                return self.answer(404, "text/plain", "not here")
            form = dict(urllib.parse.parse_qsl(body))
            try:
                # The library checks the tool's signature with its published key set.
                items = platform.validate_deeplinking_resp({"JWT": form.get("JWT", "")})
            except Exception as error:  # the test shows what the library refused
                return self.answer(400, "text/plain", f"refused: {error!r}")
            rows = "".join(
                "<li>{} | {} | {}</li>".format(
                    html.escape(i.get("title", "")),
                    html.escape(i.get("url", "")),
                    html.escape(json.dumps(i.get("lineItem"))),
                )
                for i in items
            )
            return self.answer(
                200,
                "text/html",
                f"<!doctype html><title>Added</title><h1>Added {len(items)}</h1><ul>{rows}</ul>",
            )

        def token(self, form):
            """The token endpoint: the library checks the tool's client assertion with the
            tool's published keys; the double checks the claims the library leaves out."""
            try:
                claims = jwt.decode(
                    form.get("client_assertion", ""), options={"verify_signature": False}
                )
                if claims.get("aud") != f"{issuer}/token":
                    raise ValueError(f"aud {claims.get('aud')!r}")
                if claims.get("iss") != client_id or claims.get("sub") != client_id:
                    raise ValueError("iss and sub must be the client id")
                issued = platform.get_access_token(form)
            except Exception as error:
                RECEIVED["problems"].append(f"token: {error!r}")
                return self.answer(400, "application/json", json.dumps({"error": "invalid_client"}))
            if issued["scope"] != SCORE_SCOPE:
                RECEIVED["problems"].append(f"token scope {issued['scope']!r}")
            RECEIVED["tokens"] += 1
            return self.answer(200, "application/json", json.dumps(issued))

        def score(self, body):
            """The line item's scores: down when told, else the media type, a token the
            library issued with the score scope, and timestamps that only grow."""
            if RECEIVED["down"]:
                RECEIVED["refused"] += 1
                return self.answer(503, "text/plain", "down for maintenance")
            if self.headers.get("content-type") != SCORE_TYPE:
                RECEIVED["problems"].append(f"content type {self.headers.get('content-type')!r}")
            bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
            try:
                if not platform.validate_token(bearer, allowed_scopes=[SCORE_SCOPE]):
                    raise ValueError("not the score scope")
            except Exception as error:
                RECEIVED["problems"].append(f"score token: {error!r}")
                return self.answer(401, "text/plain", "unauthorized")
            score = json.loads(body)
            if RECEIVED["scores"] and score["timestamp"] < RECEIVED["scores"][-1]["timestamp"]:
                RECEIVED["problems"].append("a timestamp went back")
            RECEIVED["scores"].append(score)
            return self.answer(200, "application/json", "{}")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "keys":
        keys()
    elif sys.argv[1] == "serve":
        serve(*sys.argv[2:7])
    else:
        launch(*sys.argv[2:7])
