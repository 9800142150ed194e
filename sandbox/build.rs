//! Checks `catalog.json` when the sandbox is built: ids well formed and unique, every artist
//! an album names exists, dates and codes well formed. A broken catalog fails the build and
//! says why, so a broken file never reaches the on-demand module or the server, which both
//! read it at run time (`Catalog::from_file`, with the same serde description of the file).

use std::collections::HashSet;
use std::fs;

// The file's format, shared with the run-time reader: one description of `catalog.json`.
// Every field is read, so that the format is checked, though the check uses only some.
#[path = "src/catalog_file.rs"]
#[allow(dead_code)]
mod catalog_file;

use catalog_file::CatalogFile as Catalog;

fn is_base62_id(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, with plausible numbers.
fn is_release_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&m.parse::<u8>().unwrap_or(0)),
        [y, m, d] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(d, 2)
                && (1..=12).contains(&m.parse::<u8>().unwrap_or(0))
                && (1..=31).contains(&d.parse::<u8>().unwrap_or(0))
        }
        _ => false,
    }
}

fn check(catalog: &Catalog) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    let mut id = |kind: &str, id: &str, problems: &mut Vec<String>| {
        if !is_base62_id(id) {
            problems.push(format!("{kind} id `{id}` is not 22 base-62 characters"));
        }
        if !ids.insert(id.to_owned()) {
            problems.push(format!("{kind} id `{id}` is used twice"));
        }
    };
    let artist_ids: HashSet<&str> = catalog.artists.iter().map(|a| a.id.as_str()).collect();
    for artist in &catalog.artists {
        id("artist", &artist.id, &mut problems);
        if artist.name.trim().is_empty() {
            problems.push(format!("artist `{}` has no name", artist.id));
        }
    }
    let mut isrcs = HashSet::new();
    for album in &catalog.albums {
        id("album", &album.id, &mut problems);
        if !is_release_date(&album.release_date) {
            problems.push(format!(
                "album `{}`: release_date `{}` is not YYYY, YYYY-MM or YYYY-MM-DD",
                album.id, album.release_date
            ));
        }
        if album.upc.len() != 12 || !album.upc.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(format!(
                "album `{}`: upc `{}` is not 12 digits",
                album.id, album.upc
            ));
        }
        if album.tracks.is_empty() {
            problems.push(format!("album `{}` has no tracks", album.id));
        }
        let track_artists = album
            .tracks
            .iter()
            .filter_map(|t| t.artists.as_ref())
            .flatten();
        for artist in album.artists.iter().chain(track_artists) {
            if !artist_ids.contains(artist.as_str()) {
                problems.push(format!(
                    "album `{}` names the unknown artist `{artist}`",
                    album.id
                ));
            }
        }
        for track in &album.tracks {
            id("track", &track.id, &mut problems);
            if track.isrc.len() != 12 || !isrcs.insert(track.isrc.clone()) {
                problems.push(format!(
                    "track `{}`: isrc `{}` is not 12 characters, or is used twice",
                    track.id, track.isrc
                ));
            }
        }
    }
    for artist in &catalog.artists {
        if !catalog
            .albums
            .iter()
            .any(|a| a.artists.contains(&artist.id))
        {
            problems.push(format!("artist `{}` has no album of their own", artist.id));
        }
    }
    problems
}

fn main() {
    println!("cargo:rerun-if-changed=catalog.json");
    let text = fs::read_to_string("catalog.json").expect("sandbox/catalog.json exists");
    let catalog: Catalog =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("\n\nsandbox/catalog.json: {e}\n\n"));
    let problems = check(&catalog);
    if !problems.is_empty() {
        panic!(
            "\n\nsandbox/catalog.json has problems:\n  {}\n\n",
            problems.join("\n  ")
        );
    }
}
