"""A Spotify client written by others (spotipy) gets a token and a track through the relay.

Run by the end-to-end tests: RELAY is the relay prefix (for example http://127.0.0.1:8080/relay/),
CLIENT_ID and CLIENT_SECRET the sandbox app's credentials. Prints the track's id and name as JSON.
"""

import json
import os

import spotipy
from spotipy.cache_handler import MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials

relay = os.environ["RELAY"]
auth = SpotifyClientCredentials(
    client_id=os.environ["CLIENT_ID"],
    client_secret=os.environ["CLIENT_SECRET"],
    cache_handler=MemoryCacheHandler(),  # no .cache file with a token in it
)
# The cors-anywhere convention: relay prefix + the absolute Spotify URL.
auth.OAUTH_TOKEN_URL = relay + "https://accounts.spotify.com/api/token"
client = spotipy.Spotify(auth_manager=auth, retries=0, status_retries=0)
client.prefix = relay + "https://api.spotify.com/v1/"

track = client.track("2TpxZ7JUBn3uw46aR7qd6V")
print(json.dumps({"id": track["id"], "name": track["name"]}))
