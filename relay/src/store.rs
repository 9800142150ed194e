//! What the server keeps across a restart, in one SQLite file in the data directory: LTI
//! logins under way, the nonces already used, graded launches' sessions with what the server
//! has seen of them and the tokens it issued to them, each with its lifetime; and the outbox
//! of scores, kept until the platform has taken each one.
//!
//! Sessions and tokens are kept under the SHA-256 of their values, never the values.
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
    /// The login's query, to start it again in a new window (where a frame keeps no
    /// cookie); without the storage frame, which a window does not have.
    pub relaunch: String,
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

/// A graded launch: who, which lesson, where its score goes, and what the server has seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradedSession {
    pub issuer: String,
    pub client_id: String,
    /// The launch's `sub`: the score's `userId`.
    pub subject: String,
    pub lineitem: String,
    /// The lesson's id.
    pub lesson: String,
    /// Seconds since the epoch.
    pub expires_at: u64,
    /// The cells seen done, kept as one JSON column.
    pub seen: Vec<playground_core::grading::Seen>,
}

/// A score waiting in the outbox.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub issuer: String,
    pub client_id: String,
    pub lineitem: String,
    pub score: lti::Score,
    /// Tries so far.
    pub attempts: u32,
}

/// A login's columns, in the order `read_login` reads them.
const LOGIN_COLUMNS: &str =
    "nonce, issuer, client_id, target_link_uri, expires_at, secret, storage_target, relaunch";

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
                     storage_target TEXT, relaunch TEXT NOT NULL DEFAULT '');
                 CREATE TABLE IF NOT EXISTS lti_deep_links (
                     id TEXT PRIMARY KEY, issuer TEXT NOT NULL, client_id TEXT NOT NULL,
                     deployment_id TEXT NOT NULL, request TEXT NOT NULL,
                     expires_at INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS lti_nonces (
                     issuer TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
                     PRIMARY KEY (issuer, nonce));
                 CREATE TABLE IF NOT EXISTS lti_sessions (
                     key TEXT PRIMARY KEY, issuer TEXT NOT NULL, client_id TEXT NOT NULL,
                     subject TEXT NOT NULL, lineitem TEXT NOT NULL, lesson TEXT NOT NULL,
                     expires_at INTEGER NOT NULL, seen TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS lti_session_tokens (
                     key TEXT PRIMARY KEY, session TEXT NOT NULL, expires_at INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS lti_outbox (
                     issuer TEXT NOT NULL, client_id TEXT NOT NULL, lineitem TEXT NOT NULL,
                     user_id TEXT NOT NULL, score TEXT NOT NULL,
                     attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
                     sent_at INTEGER, last_error TEXT,
                     PRIMARY KEY (issuer, client_id, lineitem, user_id));",
            )
            .map_err(|e| format!("cannot set up the database {}: {e}", path.display()))?;
        // A database from before the column was added gets it.
        let has_relaunch = connection
            .prepare("SELECT relaunch FROM lti_logins LIMIT 0")
            .is_ok();
        if !has_relaunch {
            connection
                .execute_batch(
                    "ALTER TABLE lti_logins ADD COLUMN relaunch TEXT NOT NULL DEFAULT ''",
                )
                .map_err(|e| format!("cannot update the database {}: {e}", path.display()))?;
        }
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
                 secret, storage_target, relaunch)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                state,
                login.nonce,
                login.issuer,
                login.client_id,
                login.target_link_uri,
                login.expires_at as i64,
                login.secret,
                login.storage_target,
                login.relaunch
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
                    relaunch: row.get(7)?,
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

impl Store {
    /// Records a graded launch's session under `key`; expired ones (and their tokens) are
    /// dropped on the way.
    pub fn put_session(&self, key: &str, session: &GradedSession, now: u64) -> Result<(), String> {
        let seen = serde_json::to_string(&session.seen).map_err(|e| e.to_string())?;
        let db = self.connection();
        db.execute_batch(&format!(
            "DELETE FROM lti_sessions WHERE expires_at < {now};
             DELETE FROM lti_session_tokens WHERE expires_at < {now};"
        ))
        .map_err(|e| e.to_string())?;
        db.execute(
            "INSERT INTO lti_sessions (key, issuer, client_id, subject, lineitem, lesson,
                 expires_at, seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                key,
                session.issuer,
                session.client_id,
                session.subject,
                session.lineitem,
                session.lesson,
                session.expires_at as i64,
                seen
            ],
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    }

    /// The session under `key`, unless it has expired.
    pub fn session(&self, key: &str, now: u64) -> Result<Option<GradedSession>, String> {
        let db = self.connection();
        let row = db
            .query_row(
                "SELECT issuer, client_id, subject, lineitem, lesson, expires_at, seen
                 FROM lti_sessions WHERE key = ?1",
                params![key],
                |row| {
                    Ok((
                        GradedSession {
                            issuer: row.get(0)?,
                            client_id: row.get(1)?,
                            subject: row.get(2)?,
                            lineitem: row.get(3)?,
                            lesson: row.get(4)?,
                            expires_at: row.get::<_, i64>(5)? as u64,
                            seen: Vec::new(),
                        },
                        row.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| e.to_string())?;
        let Some((mut session, seen)) = row else {
            return Ok(None);
        };
        session.seen = serde_json::from_str(&seen).map_err(|e| e.to_string())?;
        Ok((session.expires_at >= now).then_some(session))
    }

    /// Writes what the server has seen of the session under `key`.
    pub fn set_seen(
        &self,
        key: &str,
        seen: &[playground_core::grading::Seen],
    ) -> Result<(), String> {
        let seen = serde_json::to_string(seen).map_err(|e| e.to_string())?;
        self.connection()
            .execute(
                "UPDATE lti_sessions SET seen = ?2 WHERE key = ?1",
                params![key, seen],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Records that the token under `token_key` was issued to the session under
    /// `session_key`, until `expires_at`.
    pub fn put_session_token(
        &self,
        token_key: &str,
        session_key: &str,
        expires_at: u64,
    ) -> Result<(), String> {
        self.connection()
            .execute(
                "INSERT OR REPLACE INTO lti_session_tokens (key, session, expires_at)
                 VALUES (?1, ?2, ?3)",
                params![token_key, session_key, expires_at as i64],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// The session (its key) the token under `token_key` was issued to, unless expired.
    pub fn token_session(&self, token_key: &str, now: u64) -> Result<Option<String>, String> {
        self.connection()
            .query_row(
                "SELECT session FROM lti_session_tokens WHERE key = ?1 AND expires_at >= ?2",
                params![token_key, now as i64],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| e.to_string())
    }

    /// Puts a score in the outbox, due at once; false when one for the same user and line
    /// item is there already (sent or not): a lesson is graded once.
    pub fn enqueue_score(
        &self,
        issuer: &str,
        client_id: &str,
        lineitem: &str,
        score: &lti::Score,
        now_millis: u64,
    ) -> Result<bool, String> {
        let text = serde_json::to_string(score).map_err(|e| e.to_string())?;
        self.connection()
            .execute(
                "INSERT OR IGNORE INTO lti_outbox (issuer, client_id, lineitem, user_id, score,
                     next_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    issuer,
                    client_id,
                    lineitem,
                    score.user_id,
                    text,
                    now_millis as i64
                ],
            )
            .map(|inserted| inserted == 1)
            .map_err(|e| e.to_string())
    }

    /// The scores not yet sent whose next try is due at `now_millis`, oldest first.
    pub fn due_scores(&self, now_millis: u64) -> Result<Vec<Outgoing>, String> {
        let db = self.connection();
        let mut statement = db
            .prepare(
                "SELECT issuer, client_id, lineitem, score, attempts FROM lti_outbox
                 WHERE sent_at IS NULL AND next_at <= ?1 ORDER BY next_at",
            )
            .map_err(|e| e.to_string())?;
        let rows = statement
            .query_map(params![now_millis as i64], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, u32>(4)?,
                ))
            })
            .map_err(|e| e.to_string())?;
        let mut due = Vec::new();
        for row in rows {
            let (issuer, client_id, lineitem, score, attempts) = row.map_err(|e| e.to_string())?;
            due.push(Outgoing {
                issuer,
                client_id,
                lineitem,
                score: serde_json::from_str(&score).map_err(|e| e.to_string())?,
                attempts,
            });
        }
        Ok(due)
    }

    /// When the next unsent score is due, if any.
    pub fn next_score_due(&self) -> Result<Option<u64>, String> {
        self.connection()
            .query_row(
                "SELECT MIN(next_at) FROM lti_outbox WHERE sent_at IS NULL",
                [],
                |row| row.get::<_, Option<i64>>(0),
            )
            .map(|at| at.map(|at| at as u64))
            .map_err(|e| e.to_string())
    }

    /// Marks a score sent: it is never sent again.
    pub fn score_sent(&self, score: &Outgoing, now_millis: u64) -> Result<(), String> {
        self.connection()
            .execute(
                "UPDATE lti_outbox SET sent_at = ?5, attempts = attempts + 1, last_error = NULL
                 WHERE issuer = ?1 AND client_id = ?2 AND lineitem = ?3 AND user_id = ?4",
                params![
                    score.issuer,
                    score.client_id,
                    score.lineitem,
                    score.score.user_id,
                    now_millis as i64
                ],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Records a failed try and when to try again.
    pub fn score_failed(
        &self,
        score: &Outgoing,
        error: &str,
        next_at_millis: u64,
    ) -> Result<(), String> {
        self.connection()
            .execute(
                "UPDATE lti_outbox SET attempts = attempts + 1, last_error = ?5, next_at = ?6
                 WHERE issuer = ?1 AND client_id = ?2 AND lineitem = ?3 AND user_id = ?4",
                params![
                    score.issuer,
                    score.client_id,
                    score.lineitem,
                    score.score.user_id,
                    error,
                    next_at_millis as i64
                ],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
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
            relaunch: "iss=x&login_hint=y".into(),
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
    fn a_database_from_before_the_relaunch_column_gets_it() {
        let path = temp("before-relaunch");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE lti_logins (
                     state TEXT PRIMARY KEY, nonce TEXT NOT NULL, issuer TEXT NOT NULL,
                     client_id TEXT NOT NULL, target_link_uri TEXT NOT NULL,
                     expires_at INTEGER NOT NULL, secret TEXT NOT NULL,
                     storage_target TEXT);
                 INSERT INTO lti_logins VALUES ('old', 'n', 'i', 'c', 't', 200, 's', NULL);",
            )
            .unwrap();
        let store = Store::open(&path).unwrap();
        let old = store
            .take_login("old", 100)
            .unwrap()
            .expect("the old login");
        assert_eq!(old.relaunch, "", "no way to a new window for it");
        store.put_login("s1", &login(200), 100).unwrap();
        assert_eq!(store.take_login("s1", 100).unwrap(), Some(login(200)));
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
    fn a_session_and_its_tokens_expire_and_survive_a_restart() {
        let path = temp("sessions");
        let session = GradedSession {
            issuer: "i".into(),
            client_id: "c".into(),
            subject: "learner".into(),
            lineitem: "https://lms.example/items/1".into(),
            lesson: "token".into(),
            expires_at: 200,
            seen: Vec::new(),
        };
        let store = Store::open(&path).unwrap();
        store.put_session("k1", &session, 100).unwrap();
        store.put_session_token("t1", "k1", 150).unwrap();
        let seen = vec![playground_core::grading::Seen {
            cell: "token".into(),
            url: None,
        }];
        store.set_seen("k1", &seen).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let mut want = session.clone();
        want.seen = seen;
        assert_eq!(store.session("k1", 150).unwrap(), Some(want));
        assert_eq!(store.session("k1", 201).unwrap(), None, "expired");
        assert_eq!(store.session("other", 150).unwrap(), None);
        assert_eq!(store.token_session("t1", 150).unwrap(), Some("k1".into()));
        assert_eq!(store.token_session("t1", 151).unwrap(), None, "expired");
    }

    #[test]
    fn a_score_is_queued_once_and_kept_until_sent() {
        let path = temp("outbox");
        let score = lti::Score::completed("learner", 1_000);
        let store = Store::open(&path).unwrap();
        assert!(store.enqueue_score("i", "c", "li", &score, 1_000).unwrap());
        assert!(
            !store.enqueue_score("i", "c", "li", &score, 2_000).unwrap(),
            "once per user and line item"
        );
        assert!(store.enqueue_score("i", "c", "li2", &score, 1_000).unwrap());
        let due = store.due_scores(1_000).unwrap();
        assert_eq!(due.len(), 2);
        store.score_failed(&due[0], "status 503", 5_000).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        let due = store.due_scores(1_000).unwrap();
        assert_eq!(due.len(), 1, "the failed one waits");
        assert_eq!(due[0].lineitem, "li2");
        assert_eq!(store.next_score_due().unwrap(), Some(1_000));
        store.score_sent(&due[0], 1_001).unwrap();
        assert_eq!(store.next_score_due().unwrap(), Some(5_000));
        let retried = store.due_scores(5_000).unwrap();
        assert_eq!(retried.len(), 1);
        assert_eq!(
            (retried[0].lineitem.as_str(), retried[0].attempts),
            ("li", 1)
        );
        assert_eq!(retried[0].score, score);
        store.score_sent(&retried[0], 5_001).unwrap();
        assert_eq!(store.due_scores(u64::MAX >> 2).unwrap(), Vec::new());
        assert_eq!(store.next_score_due().unwrap(), None);
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
