"""A Spotify client written by others (spotipy) against the playground's server.

Run by the end-to-end tests with SERVER (for example http://127.0.0.1:8080), CLIENT_ID and
CLIENT_SECRET (the sandbox app's credentials). It runs the same calls twice:
- "sandbox": base URLs pointed at the server's /sandbox/accounts and /sandbox/api;
- "relay": the cors-anywhere convention, relay prefix + the absolute Spotify URL, through
  /relay/ (the tests point the relay's Spotify at a double that serves the same catalog).
Prints one JSON object per mode with what each call returned.
"""

import json
import os

import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials

server = os.environ["SERVER"]
bases = {
    "sandbox": (server + "/sandbox/accounts/api/token", server + "/sandbox/api/v1/"),
    "relay": (
        server + "/relay/https://accounts.spotify.com/api/token",
        server + "/relay/https://api.spotify.com/v1/",
    ),
}
results = {}
for mode, (token_url, api_prefix) in bases.items():
    auth = SpotifyClientCredentials(
        client_id=os.environ["CLIENT_ID"],
        client_secret=os.environ["CLIENT_SECRET"],
        cache_handler=MemoryCacheHandler(),  # no .cache file with a token in it
    )
    auth.OAUTH_TOKEN_URL = token_url
    client = spotipy.Spotify(auth_manager=auth, retries=0, status_retries=0)
    client.prefix = api_prefix

    track = client.track("2TpxZ7JUBn3uw46aR7qd6V")
    found = client.search("year:2010-2014", type="album", limit=10)
    artist_id = client.search("Quillon", type="artist", limit=1)["artists"]["items"][0]["id"]
    artist = client.artist(artist_id)
    # spotipy's default limit (20) is over 2026's maximum of 10, as on real Spotify.
    albums = client.artist_albums(artist_id, include_groups="album,single", limit=10)
    # spotipy asks for albums/{id}/tracks/ with a trailing slash and limit=50.
    tracks = client.album_tracks(albums["items"][0]["id"])
    try:
        client.search("Quillon", type="artist", limit=11)
        refused = None
    except spotipy.SpotifyException as e:
        refused = {"status": e.http_status, "message": e.msg}
    # The `next` link, as Spotify writes it, names api.spotify.com and spells the query
    # `query=`. spotipy's next() would follow it to the real host, so it is sent through
    # this mode's base instead, with spotipy's own HTTP call.
    first = client.search("the", type="track", limit=10)["tracks"]
    second = client._get(api_prefix + first["next"].split("/v1/", 1)[1])["tracks"]
    results[mode] = {
        "track": track["name"],
        "search": [a["name"] for a in found["albums"]["items"]],
        "artist": artist["name"],
        "artist_albums": [a["name"] for a in albums["items"]],
        "album_tracks": len(tracks["items"]),
        "refused": refused,
        "second_page_offset": second["offset"],
    }
print(json.dumps(results))
