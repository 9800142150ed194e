// Spotify's TypeScript SDK (@spotify/web-api-ts-sdk), a client library written by others,
// against the playground's server. Run by the end-to-end tests with SERVER (for example
// http://127.0.0.1:8080), TS_SDK (the folder npm installed it into), CLIENT_ID and
// CLIENT_SECRET (the sandbox app's credentials).
//
// The SDK has fixed base URLs, so its fetch is pointed at the server, once per mode:
// - "sandbox": https://accounts.spotify.com/ and https://api.spotify.com/ become the server's
//   /sandbox/accounts/ and /sandbox/api/;
// - "relay": both go through the cors-anywhere prefix /relay/ (the tests point the relay's
//   Spotify at a double that serves the same catalog).
// Nothing may leave for the real hosts. Prints one JSON object per mode.

import { pathToFileURL } from "node:url";

const sdkFile = `${process.env.TS_SDK}/node_modules/@spotify/web-api-ts-sdk/dist/mjs/index.js`;
const { SpotifyApi } = await import(pathToFileURL(sdkFile).href);
const server = process.env.SERVER;
const bases = {
  sandbox: [
    ["https://accounts.spotify.com/", `${server}/sandbox/accounts/`],
    ["https://api.spotify.com/", `${server}/sandbox/api/`],
  ],
  relay: [
    ["https://accounts.spotify.com/", `${server}/relay/https://accounts.spotify.com/`],
    ["https://api.spotify.com/", `${server}/relay/https://api.spotify.com/`],
  ],
};
const realFetch = globalThis.fetch;
let mode = "sandbox";
globalThis.fetch = (url, init) => {
  let target = String(url);
  for (const [from, to] of bases[mode]) {
    if (target.startsWith(from)) {
      target = to + target.slice(from.length);
      break;
    }
  }
  if (!target.startsWith(server)) {
    return Promise.reject(new Error(`the SDK asked for ${target}, outside the server`));
  }
  return realFetch(target, init);
};

/// The HTTP status in the SDK's error message ("Unrecognised response code: 404 - …").
const statusOf = async (call) => {
  try {
    await call();
    return null;
  } catch (error) {
    const found = /response code: (\d+)/.exec(error.message);
    return { status: found ? Number(found[1]) : null, message: error.message };
  }
};

/// Every item of a paged endpoint, 3 at a time by offset, so that each walk takes several
/// pages (the SDK has no paginator).
const walk = async (page) => {
  const items = [];
  for (;;) {
    const got = await page(3, items.length);
    items.push(...got.items);
    if (got.next === null) return { items: items.length, total: got.total };
  }
};

const results = {};
for (mode of Object.keys(bases)) {
  const sdk = SpotifyApi.withClientCredentials(process.env.CLIENT_ID, process.env.CLIENT_SECRET);
  const track = await sdk.tracks.get("2TpxZ7JUBn3uw46aR7qd6V");
  const found = await sdk.search("year:2010-2014", ["album"], undefined, 10);
  const artistId = (await sdk.search("Quillon", ["artist"], undefined, 1)).artists.items[0].id;
  const artist = await sdk.artists.get(artistId);
  const albums = await sdk.artists.albums(artistId, "album,single", undefined, 10);
  const album = await sdk.albums.get(albums.items[0].id);
  const tracks = await sdk.albums.tracks(albums.items[0].id);
  const first = (await sdk.search("the", ["track"], undefined, 10)).tracks;
  const second = (await sdk.search("the", ["track"], undefined, 10, first.offset + 10)).tracks;
  results[mode] = {
    track: track.name,
    search: found.albums.items.map((a) => a.name),
    artist: artist.name,
    artist_albums: albums.items.map((a) => a.name),
    album_genres: album.genres,
    album_tracks: tracks.items.length,
    every_album: await walk((limit, offset) =>
      sdk.artists.albums(artistId, undefined, undefined, limit, offset)),
    every_track: await walk((limit, offset) =>
      sdk.albums.tracks(albums.items[0].id, undefined, limit, offset)),
    every_artist: await walk(async (limit, offset) =>
      (await sdk.search("year:1900-2100", ["artist"], undefined, limit, offset)).artists),
    refused: (await statusOf(() => sdk.search("Quillon", ["artist"], undefined, 11))).status,
    unknown: (await statusOf(() => sdk.tracks.get("0000000000000000000000"))).status,
    malformed: (await statusOf(() => sdk.tracks.get("2TpxZ7JUBn3uw46aR7qd6"))).status,
    second_page_offset: second.offset,
  };
}
console.log(JSON.stringify(results));
