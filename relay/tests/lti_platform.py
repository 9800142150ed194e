"""A real LTI 1.3 platform library, lti1p3platform, on the other side of the tool.

Run by relay/tests/lti.rs, with the venv that `cargo xtask setup` makes:

    python lti_platform.py keys
        prints {"pem": <the platform's private key>, "jwks": <its key set>}
    python lti_platform.py launch <tool origin> <issuer> <client id> <deployment id> <lesson page>
        reads the private key on standard input, starts a login at the tool, follows the
        tool's redirect as the platform's authorization endpoint would, builds and signs the
        launch with the library, posts it to the tool, and prints what the tool answered.
"""

import json
import sys
import urllib.parse

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
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


def keys():
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
    print(json.dumps({"pem": pem, "jwks": jwks}))


def launch(tool, issuer, client_id, deployment_id, page):
    pem = sys.stdin.read()
    registration = (
        Registration()
        .set_iss(issuer)
        .set_client_id(client_id)
        .set_deployment_id(deployment_id)
        .set_oidc_login_url(f"{tool}/lti/login")
        .set_launch_url(page)
        .set_platform_private_key(pem)
        .set_tool_key_set_url(f"{tool}/lti/jwks.json")
    )
    platform = Platform(registration=registration)

    login = Login(None, platform)
    login.set_lti_message_hint(hint="resource-link-1")
    preflight = login.initiate_login("learner-1")
    started = requests.get(preflight, allow_redirects=False, timeout=10)
    if started.status_code != 302:
        return report("login", started)
    location = started.headers["location"]
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    # A browser on this loopback address keeps and sends back the Secure cookie.
    cookie = started.headers.get("set-cookie", "").split(";")[0]

    message = Launch(AuthResponse(params), platform)
    message.set_user_data("learner-1", [LEARNER], full_name="A Learner")
    message.set_resource_link_claim("resource-link-1", title="Search")
    form = message.lti_launch()
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


if __name__ == "__main__":
    if sys.argv[1] == "keys":
        keys()
    else:
        launch(*sys.argv[2:7])
