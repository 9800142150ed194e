//! What the server keeps across a restart, in one SQLite file in the data directory: LTI
//! logins under way and the nonces already used, each with its lifetime.
//!
//! Calls are short and local; they run on the async workers behind a mutex.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension as _};

/// A login started at `/lti/login`, waiting for the platform's launch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub nonce: String,
    pub issuer: String,
    pub client_id: String,
    pub target_link_uri: String,
    /// Seconds since the epoch.
    pub expires_at: u64,
    /// A value only this login's browser can show again: kept in the platform's storage
    /// frame when the platform offers one (`storage_target`).
    pub secret: String,
    /// The platform's storage frame (`lti_storage_target`), if it offered one.
    pub storage_target: Option<String>,
}

/// A deep-linking request waiting for the instructor's choice of lessons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeepLinkRequest {
    pub issuer: String,
    pub client_id: String,
    pub deployment_id: String,
    /// What the request asks for; kept in one JSON column.
    pub settings: lti::DeepLinking,
    /// Seconds since the epoch.
    pub expires_at: u64,
}

/// A login's columns, in the order `read_login` reads them.
const LOGIN_COLUMNS: &str =
    "nonce, issuer, client_id, target_link_uri, expires_at, secret, storage_target";

/// The server's database.
pub struct Store(Mutex<Connection>);

impl Store {
    /// Opens (or creates) the database at `path`, with its tables.
    pub fn open(path: &Path) -> Result<Self, String> {
        let connection = Connection::open(path)
            .map_err(|e| format!("cannot open the database {}: {e}", path.display()))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS lti_logins (
                     state TEXT PRIMARY KEY, nonce TEXT NOT NULL, issuer TEXT NOT NULL,
                     client_id TEXT NOT NULL, target_link_uri TEXT NOT NULL,
                     expires_at INTEGER NOT NULL, secret TEXT NOT NULL,
                     storage_target TEXT);
                 CREATE TABLE IF NOT EXISTS lti_deep_links (
                     id TEXT PRIMARY KEY, issuer TEXT NOT NULL, client_id TEXT NOT NULL,
                     deployment_id TEXT NOT NULL, request TEXT NOT NULL,
                     expires_at INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS lti_nonces (
                     issuer TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
                     PRIMARY KEY (issuer, nonce));",
            )
            .map_err(|e| format!("cannot set up the database {}: {e}", path.display()))?;
        Ok(Self(Mutex::new(connection)))
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent: keep going.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a login under `state`; expired ones are dropped on the way.
    pub fn put_login(&self, state: &str, login: &Login, now: u64) -> Result<(), String> {
        let db = self.connection();
        db.execute(
            "DELETE FROM lti_logins WHERE expires_at < ?1",
            params![now as i64],
        )
        .map_err(|e| e.to_string())?;
        db.execute(
            "INSERT INTO lti_logins (state, nonce, issuer, client_id, target_link_uri, expires_at,
                 secret, storage_target)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                state,
                login.nonce,
                login.issuer,
                login.client_id,
                login.target_link_uri,
                login.expires_at as i64,
                login.secret,
                login.storage_target
            ],
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// Takes the login under `state`, once: it is deleted as it is read. `None` when there is
    /// none, or it has expired.
    pub fn take_login(&self, state: &str, now: u64) -> Result<Option<Login>, String> {
        let sql = format!("DELETE FROM lti_logins WHERE state = ?1 RETURNING {LOGIN_COLUMNS}");
        self.read_login(&sql, state, now)
    }

    /// The login under `state`, left in place.
    pub fn peek_login(&self, state: &str, now: u64) -> Result<Option<Login>, String> {
        let sql = format!("SELECT {LOGIN_COLUMNS} FROM lti_logins WHERE state = ?1");
        self.read_login(&sql, state, now)
    }

    fn read_login(&self, sql: &str, state: &str, now: u64) -> Result<Option<Login>, String> {
        let db = self.connection();
        let login = db
            .query_row(sql, params![state], |row| {
                Ok(Login {
                    nonce: row.get(0)?,
                    issuer: row.get(1)?,
                    client_id: row.get(2)?,
                    target_link_uri: row.get(3)?,
                    expires_at: row.get::<_, i64>(4)? as u64,
                    secret: row.get(5)?,
                    storage_target: row.get(6)?,
                })
            })
            .optional()
            .map_err(|e| e.to_string())?;
        Ok(login.filter(|l| l.expires_at >= now))
    }

    /// Records a deep-linking request under `id`; expired ones are dropped on the way.
    pub fn put_deep_link(
        &self,
        id: &str,
        request: &DeepLinkRequest,
        now: u64,
    ) -> Result<(), String> {
        let settings = serde_json::to_string(&request.settings).map_err(|e| e.to_string())?;
        let db = self.connection();
        db.execute(
            "DELETE FROM lti_deep_links WHERE expires_at < ?1",
            params![now as i64],
        )
        .map_err(|e| e.to_string())?;
        db.execute(
            "INSERT INTO lti_deep_links (id, issuer, client_id, deployment_id, request, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                request.issuer,
                request.client_id,
                request.deployment_id,
                settings,
                request.expires_at as i64
            ],
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// Takes the deep-linking request under `id`, once; `None` when there is none or it has
    /// expired.
    pub fn take_deep_link(&self, id: &str, now: u64) -> Result<Option<DeepLinkRequest>, String> {
        let db = self.connection();
        let row = db
            .query_row(
                "DELETE FROM lti_deep_links WHERE id = ?1
                 RETURNING issuer, client_id, deployment_id, request, expires_at",
                params![id],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, i64>(4)? as u64,
                    ))
                },
            )
            .optional()
            .map_err(|e| e.to_string())?;
        let Some((issuer, client_id, deployment_id, settings, expires_at)) = row else {
            return Ok(None);
        };
        let settings = serde_json::from_str(&settings).map_err(|e| e.to_string())?;
        Ok((expires_at >= now).then_some(DeepLinkRequest {
            issuer,
            client_id,
            deployment_id,
            settings,
            expires_at,
        }))
    }

    /// Records `nonce` of `issuer` as used until `expires_at`; false when it was used
    /// already. Expired records are dropped on the way.
    pub fn use_nonce(
        &self,
        issuer: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, String> {
        let db = self.connection();
        db.execute(
            "DELETE FROM lti_nonces WHERE expires_at < ?1",
            params![now as i64],
        )
        .map_err(|e| e.to_string())?;
        let inserted = db
            .execute(
                "INSERT OR IGNORE INTO lti_nonces (issuer, nonce, expires_at) VALUES (?1, ?2, ?3)",
                params![issuer, nonce, expires_at as i64],
            )
            .map_err(|e| e.to_string())?;
        Ok(inserted == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("relay-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("playground.sqlite")
    }

    fn login(expires_at: u64) -> Login {
        Login {
            nonce: "n".into(),
            issuer: "https://lms.example".into(),
            client_id: "c".into(),
            target_link_uri: "https://tool.example/".into(),
            expires_at,
            secret: "s".into(),
            storage_target: Some("_parent".into()),
        }
    }

    #[test]
    fn a_login_is_taken_once_and_survives_a_restart() {
        let path = temp("logins");
        Store::open(&path)
            .unwrap()
            .put_login("s1", &login(200), 100)
            .unwrap();
        Store::open(&path)
            .unwrap()
            .put_login("s2", &login(150), 100)
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.peek_login("s1", 120).unwrap(), Some(login(200)));
        assert_eq!(store.take_login("s1", 120).unwrap(), Some(login(200)));
        assert_eq!(store.take_login("s1", 120).unwrap(), None, "taken once");
        assert_eq!(store.take_login("s2", 151).unwrap(), None, "expired");
        assert_eq!(store.take_login("unknown", 120).unwrap(), None);
    }

    #[test]
    fn a_deep_link_request_is_taken_once() {
        let path = temp("deep-links");
        let request = DeepLinkRequest {
            issuer: "i".into(),
            client_id: "c".into(),
            deployment_id: "d".into(),
            settings: lti::DeepLinking {
                return_url: "https://lms.example/dl".into(),
                accept_types: vec!["ltiResourceLink".into()],
                accept_multiple: true,
                data: Some(serde_json::json!({"course": 1})),
            },
            expires_at: 200,
        };
        Store::open(&path)
            .unwrap()
            .put_deep_link("dl1", &request, 100)
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.take_deep_link("dl1", 150).unwrap(), Some(request));
        assert_eq!(store.take_deep_link("dl1", 150).unwrap(), None);
    }

    #[test]
    fn a_nonce_is_used_once_until_it_expires() {
        let path = temp("nonces");
        let store = Store::open(&path).unwrap();
        assert!(store.use_nonce("i", "n1", 200, 100).unwrap());
        assert!(!store.use_nonce("i", "n1", 200, 101).unwrap(), "a replay");
        assert!(
            store.use_nonce("other", "n1", 200, 101).unwrap(),
            "per issuer"
        );
        drop(store);
        let store = Store::open(&path).unwrap();
        assert!(
            !store.use_nonce("i", "n1", 200, 102).unwrap(),
            "kept across a restart"
        );
        assert!(
            store.use_nonce("i", "n1", 400, 201).unwrap(),
            "forgotten once expired"
        );
    }
}
