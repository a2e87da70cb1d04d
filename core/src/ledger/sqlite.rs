//! The embedded ledger store: one SQLite file (WAL), the library bundled.

use super::Durability;
use super::rows::{RawRow, Seen, lines, refusals, sweep_due, swept_at, unfinished};
use super::{Change, Claim, Record, State, Store, Summary, Unfinished, check_key};
use crate::delivery::Prepared;
use crate::error::{Error, ErrorKind, Result};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a ledger file ("MWLG").
const APPLICATION_ID: i32 = 0x4d57_4c47;
/// The schema this version writes and reads (1: without `owners`, upgraded
/// in place).
const SCHEMA: i32 = 2;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS messages (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE,
    message_id   TEXT,
    state        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    sender       TEXT    NOT NULL,
    recipients   TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    queue_id     TEXT,
    accepted     TEXT    NOT NULL DEFAULT '',
    refused      TEXT    NOT NULL DEFAULT '',
    error_kind   TEXT,
    error        TEXT,
    submitted_ms INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL,
    owner        TEXT,
    lease_until  INTEGER
);
CREATE INDEX IF NOT EXISTS messages_state ON messages (state, id);
-- The bytes to send, apart: the records' updates (a mark, an outcome) then
-- rewrite small rows, and a body is dropped by deleting its row.
-- The processes that hold records (`messages.owner`), each until its lease
-- runs out; on one machine, a process is alive while it holds the lock on its
-- file in `<ledger>-owners/`.
CREATE TABLE IF NOT EXISTS owners (
    owner       TEXT    PRIMARY KEY,
    pid         INTEGER NOT NULL,
    lease_until INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS bodies (
    id   INTEGER PRIMARY KEY,
    data BLOB    NOT NULL
);
";

const COLUMNS: &str = "id, key, message_id, state, attempts, sender, recipients, queue_id, \
                       accepted, refused, error_kind, error, submitted_ms, updated_ms";

/// The ledger in one SQLite file (WAL mode; the library is bundled, so
/// nothing is installed). See the [module documentation](super).
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    keep_bodies: bool,
    /// This store's name in `owners` (random, one per opening).
    owner: String,
    /// The lock on this store's file in the owners' folder, held while it
    /// holds records (registered on its first submission or take-over).
    held: Option<std::fs::File>,
    /// Mailers recording into this store now ([`Store::hold`]).
    holders: usize,
    /// The other owners seen by the last take-over, and when it last looked
    /// at every record (a sweep reads every unfinished record: it runs when
    /// an owner is gone, and once a minute).
    others: Seen,
}

/// What the owners' folder says of another owner.
enum Liveness {
    /// Its file is locked: its process runs.
    Alive,
    /// Its file is not locked: its process is gone.
    Dead,
    /// No file (or it cannot be read): its lease decides.
    Unknown,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the ledger at `path`, creating it when it does not exist.
    /// Refused with [`ErrorKind::Ledger`]: a file that is not a ledger, one
    /// written by a newer mailwright, one that cannot be written.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        SqliteStore::open_with(path, Durability::Full)
    }

    /// Opens an existing ledger (to read it, or to take up its work):
    /// refused with [`ErrorKind::Ledger`] when there is no file at `path`.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::new(
                ErrorKind::Ledger,
                format!("there is no ledger at {}", path.display()),
            ));
        }
        SqliteStore::open(path)
    }

    /// The same, with a [`Durability`].
    pub fn open_with(path: impl AsRef<Path>, durability: Durability) -> Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let fail = |what: &str, e: rusqlite::Error| ledger_error(&path, what, &e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| fail("open", e))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| fail("open", e))?;
        let mut id = [0u8; 16];
        crate::clock::random_bytes(&mut id)?;
        let mut store = SqliteStore {
            conn,
            path,
            keep_bodies: false,
            owner: id.iter().map(|b| format!("{b:02x}")).collect(),
            held: None,
            holders: 0,
            others: None,
        };
        store.prepare(durability)?;
        Ok(store)
    }

    /// Keeps each message's bytes once its outcome is recorded (by default
    /// they are dropped then, so that a ledger of a million delivered
    /// messages holds their records, not their bodies).
    pub fn keep_bodies(mut self, keep: bool) -> SqliteStore {
        self.keep_bodies = keep;
        self
    }

    /// How long a write waits for another process's transaction on the
    /// same file before it fails (10 s by default).
    pub fn busy_timeout(self, wait: Duration) -> Result<SqliteStore> {
        self.conn
            .busy_timeout(wait)
            .map_err(|e| self.fail("open", e))?;
        Ok(self)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, what: &str, e: rusqlite::Error) -> Error {
        ledger_error(&self.path, what, &e)
    }

    /// Makes the file a ledger of this schema in WAL mode. Several
    /// processes may open one new file at the same moment: one creates the
    /// tables, the others see them; a step SQLite refuses as busy without
    /// waiting (turning WAL on needs the file to itself) is tried again for
    /// up to [`OPEN_WAIT`].
    fn prepare(&mut self, durability: Durability) -> Result<()> {
        let deadline = std::time::Instant::now() + OPEN_WAIT;
        loop {
            match self.try_prepare(durability) {
                Err(Prepare::Sqlite(_, e))
                    if is_busy(&e) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(Prepare::Sqlite(what, e)) => return Err(self.fail(what, e)),
                Err(Prepare::Refused(e)) => return Err(e),
                Ok(()) => return Ok(()),
            }
        }
    }

    fn try_prepare(&mut self, durability: Durability) -> std::result::Result<(), Prepare> {
        // What the file is, read in one transaction (another process may
        // be creating it meanwhile).
        let found = {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
                .map_err(|e| Prepare::Sqlite("read", e))?;
            let found = identify(&self.path, &tx)?;
            tx.commit().map_err(|e| Prepare::Sqlite("read", e))?;
            found
        };
        if found.needs_schema() {
            // New, or of an older schema: every table is created if missing
            // (the upgrade from 1 adds `owners`), under the write lock and
            // after looking again.
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| Prepare::Sqlite("create", e))?;
            if identify(&self.path, &tx)?.needs_schema() {
                tx.execute_batch(&format!(
                    "{CREATE} PRAGMA application_id = {APPLICATION_ID}; \
                     PRAGMA user_version = {SCHEMA};"
                ))
                .map_err(|e| Prepare::Sqlite("create", e))?;
            }
            tx.commit().map_err(|e| Prepare::Sqlite("create", e))?;
        }
        let c = &self.conn;
        let mode: String = c
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .map_err(|e| Prepare::Sqlite("open", e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            c.pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| Prepare::Sqlite("open", e))?;
        }
        let sync = match durability {
            Durability::Full => "FULL",
            Durability::Process => "NORMAL",
        };
        c.pragma_update(None, "synchronous", sync)
            .map_err(|e| Prepare::Sqlite("open", e))?;
        Ok(())
    }

    fn refuse(&self, why: &str) -> Error {
        refusal(&self.path, why)
    }

    /// The owners' folder: `<ledger>-owners` beside the ledger.
    fn owners_dir(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push("-owners");
        self.path.with_file_name(name)
    }

    /// Makes this store an owner (once): its file locked, then its row.
    fn register(&mut self, now_ms: i64) -> Result<()> {
        if self.held.is_some() {
            return Ok(());
        }
        let dir = self.owners_dir();
        let io = |what: &str, e: std::io::Error| {
            Error::new(
                ErrorKind::Ledger,
                format!("the ledger's owner file in {} {what}: {e}", dir.display()),
            )
        };
        std::fs::create_dir_all(&dir).map_err(|e| io("cannot be created", e))?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(dir.join(&self.owner))
            .map_err(|e| io("cannot be created", e))?;
        file.try_lock()
            .map_err(|e| io("cannot be locked", std::io::Error::other(format!("{e:?}"))))?;
        let until = now_ms.saturating_add(lease_ms());
        self.conn
            .execute(
                "INSERT OR REPLACE INTO owners (owner, pid, lease_until) VALUES (?1, ?2, ?3)",
                params![self.owner, std::process::id(), until],
            )
            .map_err(|e| self.fail("register", e))?;
        self.held = Some(file);
        Ok(())
    }

    fn probe(dir: &Path, owner: &str) -> Liveness {
        // An owner name is this module's hex; anything else is not probed.
        if owner.is_empty() || !owner.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Liveness::Unknown;
        }
        let path = dir.join(owner);
        let Ok(file) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return Liveness::Unknown;
        };
        match file.try_lock() {
            Ok(()) => {
                std::fs::remove_file(&path).ok();
                Liveness::Dead
            }
            Err(std::fs::TryLockError::WouldBlock) => Liveness::Alive,
            Err(std::fs::TryLockError::Error(_)) => Liveness::Unknown,
        }
    }

    fn transaction(&mut self) -> Result<rusqlite::Transaction<'_>> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| ledger_error(&path, "begin", &e))
    }
}

fn lease_ms() -> i64 {
    i64::try_from(super::LEASE.as_millis()).unwrap_or(i64::MAX)
}

fn ledger_error(path: &Path, what: &str, e: &rusqlite::Error) -> Error {
    let why = match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => "is not a mailwright ledger (not an SQLite database)",
        Some(ErrorCode::DatabaseCorrupt) => "is damaged",
        Some(ErrorCode::ReadOnly) => "is read-only",
        Some(ErrorCode::DiskFull) => "cannot grow: the disk is full",
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => "is locked by another process",
        Some(ErrorCode::CannotOpen) => "cannot be opened",
        Some(ErrorCode::PermissionDenied) => "cannot be accessed (permission denied)",
        _ => "failed",
    };
    Error::new(
        ErrorKind::Ledger,
        format!("the ledger {} {why} ({what}: {e})", path.display()),
    )
}

/// Whose file this is and of which schema; refuses another application's
/// database and a newer schema.
fn identify(path: &Path, c: &Connection) -> std::result::Result<Found, Prepare> {
    let read = |sql: &str| -> std::result::Result<i64, Prepare> {
        c.query_row(sql, [], |r| r.get(0))
            .map_err(|e| Prepare::Sqlite("read", e))
    };
    let app = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    let tables = read("SELECT count(*) FROM sqlite_master")?;
    if app != i64::from(APPLICATION_ID) && (app != 0 || tables != 0) {
        return Err(Prepare::Refused(refusal(
            path,
            "is an SQLite database but not a mailwright ledger",
        )));
    }
    if version > i64::from(SCHEMA) {
        return Err(Prepare::Refused(refusal(
            path,
            &format!(
                "was written by a newer mailwright (schema {version}; this one reads {SCHEMA})"
            ),
        )));
    }
    Ok(Found { app, version })
}

fn refusal(path: &Path, why: &str) -> Error {
    Error::new(
        ErrorKind::Ledger,
        format!("the ledger {} {why}", path.display()),
    )
}

/// How long opening a ledger waits for other processes opening or
/// writing it at the same moment.
const OPEN_WAIT: Duration = Duration::from_secs(10);

/// Why preparing a file failed: SQLite (perhaps busy: tried again), or a
/// refusal (not a ledger, a newer schema).
enum Prepare {
    Sqlite(&'static str, rusqlite::Error),
    Refused(Error),
}

/// What [`SqliteStore::identify`] found.
struct Found {
    app: i64,
    version: i64,
}

impl Found {
    fn needs_schema(&self) -> bool {
        self.app == 0 || self.version < i64::from(SCHEMA)
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Reads a row of `COLUMNS` (values checked: a damaged row is an error).
fn read_record(path: &Path, row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<(i64, Record)>> {
    let raw = RawRow {
        id: row.get(0)?,
        key: row.get(1)?,
        message_id: row.get(2)?,
        state: row.get(3)?,
        attempts: row.get(4)?,
        sender: row.get(5)?,
        recipients: row.get(6)?,
        queue_id: row.get(7)?,
        accepted: row.get(8)?,
        refused: row.get(9)?,
        error_kind: row.get(10)?,
        error: row.get(11)?,
        submitted_ms: row.get(12)?,
        updated_ms: row.get(13)?,
    };
    Ok(raw.into_record(&path.display().to_string()))
}

/// A row of `SELECT {COLUMNS}, body, size`: an unfinished record and the
/// message to send (its bytes, when kept).
fn unfinished_row(path: &Path, row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Unfinished>> {
    let record = read_record(path, row)?;
    let body: Option<Vec<u8>> = row.get(14)?;
    let size: i64 = row.get(15)?;
    Ok(record.and_then(|r| unfinished(r, body, size, &path.display().to_string())))
}

impl Store for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn submit(&mut self, entries: &[(&str, &Prepared)], now_ms: i64) -> Result<Vec<Claim>> {
        for (key, _) in entries {
            check_key(key)?;
        }
        self.register(now_ms)?;
        let path = self.path.clone();
        let owner = self.owner.clone();
        let fail = |what: &str, e: rusqlite::Error| ledger_error(&path, what, &e);
        let tx = self.transaction()?;
        let mut claims = Vec::with_capacity(entries.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO messages (key, message_id, state, sender, recipients, size, \
                     submitted_ms, updated_ms, owner) \
                     VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?6, ?7) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .map_err(|e| fail("submit", e))?;
            let mut body = tx
                .prepare_cached("INSERT OR REPLACE INTO bodies (id, data) VALUES (?1, ?2)")
                .map_err(|e| fail("submit", e))?;
            let mut select = tx
                .prepare_cached(&format!("SELECT {COLUMNS} FROM messages WHERE key = ?1"))
                .map_err(|e| fail("submit", e))?;
            for (key, message) in entries {
                let inserted = insert
                    .execute(params![
                        key,
                        message.message_id(),
                        message.sender(),
                        lines(message.recipients()),
                        message.size() as i64,
                        now_ms,
                        owner,
                    ])
                    .map_err(|e| fail("submit", e))?;
                if inserted == 1 {
                    body.execute(params![tx.last_insert_rowid(), message.data()])
                        .map_err(|e| fail("submit", e))?;
                    claims.push(Claim::New);
                    continue;
                }
                let (_, record) = select
                    .query_row([key], |row| read_record(&path, row))
                    .map_err(|e| fail("submit", e))??;
                claims.push(if record.state.is_final() {
                    Claim::Done(record)
                } else {
                    Claim::Pending(record)
                });
            }
        }
        tx.commit().map_err(|e| fail("commit", e))?;
        Ok(claims)
    }

    fn record(&mut self, changes: &[Change]) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let fail = |what: &str, e: rusqlite::Error| ledger_error(&path, what, &e);
        let keep = self.keep_bodies;
        let tx = self.transaction()?;
        {
            let mut mark = tx
                .prepare_cached(
                    "UPDATE messages SET state = 'data_sent', attempts = max(attempts, ?2), \
                     updated_ms = ?3 WHERE key = ?1 AND state IN ('pending', 'data_sent')",
                )
                .map_err(|e| fail("record", e))?;
            let mut finish = tx
                .prepare_cached(
                    "UPDATE messages SET state = ?2, attempts = ?3, queue_id = ?4, accepted = ?5, \
                     refused = ?6, error_kind = ?7, error = ?8, updated_ms = ?9 \
                     WHERE key = ?1 RETURNING id",
                )
                .map_err(|e| fail("record", e))?;
            let mut drop_body = tx
                .prepare_cached("DELETE FROM bodies WHERE id = ?1")
                .map_err(|e| fail("record", e))?;
            let mut put_body = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO bodies (id, data) \
                     SELECT id, ?2 FROM messages WHERE key = ?1",
                )
                .map_err(|e| fail("record", e))?;
            let mut reopen = tx
                .prepare_cached(
                    "UPDATE messages SET state = 'pending', size = ?2, \
                     updated_ms = ?3 WHERE key = ?1 AND state = 'uncertain'",
                )
                .map_err(|e| fail("record", e))?;
            for change in changes {
                match change {
                    Change::Reopen {
                        key,
                        message,
                        at_ms,
                    } => {
                        let n = reopen
                            .execute(params![key, message.size() as i64, at_ms])
                            .map_err(|e| fail("record", e))?;
                        if n == 1 {
                            put_body
                                .execute(params![key, message.data()])
                                .map_err(|e| fail("record", e))?;
                        }
                    }
                    Change::DataSent {
                        key,
                        attempt,
                        at_ms,
                    } => {
                        mark.execute(params![key, attempt, at_ms])
                            .map_err(|e| fail("record", e))?;
                    }
                    Change::Finished(r) => {
                        let id: Option<i64> = finish
                            .query_row(
                                params![
                                    r.key,
                                    r.state.as_str(),
                                    r.attempts,
                                    r.queue_id,
                                    lines(&r.accepted),
                                    refusals(&r.refused),
                                    r.error_kind.map(|k| k.as_str()),
                                    r.error,
                                    r.updated_ms,
                                ],
                                |row| row.get(0),
                            )
                            .optional()
                            .map_err(|e| fail("record", e))?;
                        if let (Some(id), false) = (id, keep) {
                            drop_body.execute([id]).map_err(|e| fail("record", e))?;
                        }
                    }
                }
            }
        }
        tx.commit().map_err(|e| fail("commit", e))
    }

    fn unfinished(&mut self, after: i64, limit: usize) -> Result<Vec<Unfinished>> {
        // Every state but the final ones: a damaged state is reported, not
        // skipped (skipping would lose the message).
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| ledger_error(&path, "read", &e);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, (SELECT data FROM bodies WHERE bodies.id = messages.id), \
                 size FROM messages \
                 WHERE state NOT IN ('delivered', 'failed', 'uncertain') AND id > ?1 \
                 ORDER BY id LIMIT ?2"
            ))
            .map_err(fail)?;
        let rows = stmt
            .query_map(params![after, limit as i64], |row| {
                unfinished_row(&path, row)
            })
            .map_err(fail)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(fail)??);
        }
        Ok(out)
    }

    fn take_over(&mut self, now_ms: i64, limit: usize) -> Result<Vec<Unfinished>> {
        self.register(now_ms)?;
        let path = self.path.clone();
        let dir = self.owners_dir();
        let me = self.owner.clone();
        let fail = |e: rusqlite::Error| ledger_error(&path, "take over", &e);
        let previous = self.others.take();
        let tx = self.transaction()?;
        let others: Vec<(String, i64)> = {
            let mut stmt = tx
                .prepare_cached("SELECT owner, lease_until FROM owners WHERE owner != ?1")
                .map_err(fail)?;
            stmt.query_map([&me], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(fail)?
                .collect::<rusqlite::Result<_>>()
                .map_err(fail)?
        };
        let mut alive = std::collections::BTreeSet::new();
        for (other, until) in others {
            let gone = match SqliteStore::probe(&dir, &other) {
                Liveness::Alive => false,
                Liveness::Dead => true,
                Liveness::Unknown => until < now_ms,
            };
            if gone {
                tx.execute("DELETE FROM owners WHERE owner = ?1", [&other])
                    .map_err(fail)?;
            } else {
                alive.insert(other);
            }
        }
        // Nothing to look for unless an owner is gone (dead, or ended
        // cleanly) since the last look, or a minute has passed.
        if let Some(at) = sweep_due(&previous, &alive, now_ms) {
            tx.commit().map_err(fail)?;
            self.others = Some((alive, at));
            return Ok(Vec::new());
        }
        // What no live owner holds: left by a process that is gone, or
        // released. A damaged state counts as unfinished (reported when
        // read, never skipped: skipping would lose the message).
        let ids: Vec<i64> = {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE messages SET owner = ?1 WHERE id IN (SELECT id FROM messages \
                     WHERE state NOT IN ('delivered', 'failed', 'uncertain') \
                     AND (owner IS NULL OR owner NOT IN (SELECT owner FROM owners)) \
                     ORDER BY id LIMIT ?2) RETURNING id",
                )
                .map_err(fail)?;
            let mut ids = stmt
                .query_map(params![me, limit as i64], |r| r.get(0))
                .map_err(fail)?
                .collect::<rusqlite::Result<Vec<i64>>>()
                .map_err(fail)?;
            ids.sort_unstable();
            ids
        };
        let mut out = Vec::with_capacity(ids.len());
        {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "SELECT {COLUMNS}, (SELECT data FROM bodies WHERE bodies.id = messages.id), \
                     size FROM messages WHERE id = ?1"
                ))
                .map_err(fail)?;
            for id in ids {
                let entry = stmt
                    .query_row([id], |row| unfinished_row(&path, row))
                    .map_err(fail)??;
                out.push(entry);
            }
        }
        tx.commit().map_err(fail)?;
        self.others = Some((alive, swept_at(out.len(), limit, now_ms)));
        Ok(out)
    }

    fn hold(&mut self, now_ms: i64) -> Result<()> {
        self.register(now_ms)?;
        self.holders += 1;
        Ok(())
    }

    fn renew(&mut self, now_ms: i64) -> Result<()> {
        if self.held.is_none() {
            return Ok(());
        }
        let n = self
            .conn
            .execute(
                "UPDATE owners SET lease_until = ?2 WHERE owner = ?1",
                params![self.owner, now_ms.saturating_add(lease_ms())],
            )
            .map_err(|e| self.fail("renew", e))?;
        if n == 0 {
            return Err(self.refuse(
                "gave this process's messages to another: its lease ran out (nothing more is sent)",
            ));
        }
        Ok(())
    }

    fn release(&mut self) -> Result<()> {
        self.holders = self.holders.saturating_sub(1);
        if self.holders > 0 {
            return Ok(()); // another mailer still records into this store
        }
        let Some(file) = self.held.take() else {
            return Ok(());
        };
        self.others = None;
        let path = self.path.clone();
        let owner = self.owner.clone();
        let fail = |e: rusqlite::Error| ledger_error(&path, "release", &e);
        let tx = self.transaction()?;
        tx.execute(
            "UPDATE messages SET owner = NULL WHERE owner = ?1 \
             AND state NOT IN ('delivered', 'failed', 'uncertain')",
            [&owner],
        )
        .map_err(fail)?;
        tx.execute("DELETE FROM owners WHERE owner = ?1", [&owner])
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        drop(file);
        let dir = self.owners_dir();
        std::fs::remove_file(dir.join(&owner)).ok();
        std::fs::remove_dir(&dir).ok(); // when it is empty
        Ok(())
    }

    fn get(&mut self, key: &str) -> Result<Option<Record>> {
        let path = self.path.clone();
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM messages WHERE key = ?1"))
            .map_err(|e| ledger_error(&path, "read", &e))?;
        match stmt
            .query_row([key], |row| read_record(&path, row))
            .optional()
            .map_err(|e| ledger_error(&path, "read", &e))?
        {
            None => Ok(None),
            Some(read) => Ok(Some(read?.1)),
        }
    }

    fn summary(&mut self) -> Result<Summary> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| ledger_error(&path, "read", &e);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, count(*) FROM messages GROUP BY state")
            .map_err(fail)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })
            .map_err(fail)?;
        let mut summary = Summary::default();
        for row in rows {
            let (name, n) = row.map_err(fail)?;
            let state = State::from_name(&name).ok_or_else(|| {
                Error::new(
                    ErrorKind::Ledger,
                    format!(
                        "the ledger {} is damaged: {n} records have an unknown state {name:?}",
                        path.display()
                    ),
                )
            })?;
            summary.add(state, n.max(0) as u64);
        }
        Ok(summary)
    }

    fn list(
        &mut self,
        state: Option<State>,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Record)>> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| ledger_error(&path, "read", &e);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM messages WHERE (?1 IS NULL OR state = ?1) AND id > ?2 \
                 ORDER BY id LIMIT ?3"
            ))
            .map_err(fail)?;
        let rows = stmt
            .query_map(
                params![state.map(State::as_str), after, limit as i64],
                |row| read_record(&path, row),
            )
            .map_err(fail)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(fail)??);
        }
        Ok(out)
    }

    fn prune(&mut self, before_ms: i64) -> Result<u64> {
        let path = self.path.clone();
        let tx = self.transaction()?;
        let n = tx
            .execute(
                "DELETE FROM messages WHERE state IN ('delivered', 'failed', 'uncertain') \
                 AND updated_ms < ?1",
                [before_ms],
            )
            .map_err(|e| ledger_error(&path, "prune", &e))?;
        // Bodies kept (keep_bodies) go with their records.
        tx.execute(
            "DELETE FROM bodies WHERE id NOT IN (SELECT id FROM messages)",
            [],
        )
        .map_err(|e| ledger_error(&path, "prune", &e))?;
        tx.commit().map_err(|e| ledger_error(&path, "commit", &e))?;
        Ok(n as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::Outcome;

    fn message(n: u32) -> Prepared {
        let raw = format!("Message-ID: <m{n}@x.test>\r\nSubject: {n}\r\n\r\n.body {n}\r\n");
        Prepared::raw(raw.as_bytes(), "a@x.test", &[&format!("r{n}@x.test")]).unwrap()
    }

    fn delivered(ticket: u64) -> Outcome {
        Outcome::Delivered {
            key: None,
            message_id: None,
            ticket,
            queue_id: Some(format!("Q{ticket}")),
            accepted: vec!["r@x.test".into()],
            refused: Vec::new(),
            attempts: 1,
            uncertain_attempts: 0,
        }
    }

    #[test]
    fn processes_opening_one_new_ledger_at_once_all_open_it() {
        // Several processes started together on one new file: one creates
        // the schema and turns WAL on; the others wait for it instead of
        // failing with "locked" (each connection here is what a process has).
        for round in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("run.db");
            let start = std::sync::Arc::new(std::sync::Barrier::new(6));
            let openers: Vec<_> = (0..6)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        let mut store = SqliteStore::open(&path)?;
                        store.submit(&[("k", &message(1))], 1_000).map(|_| ())
                    })
                })
                .collect();
            for opener in openers {
                let opened = opener.join().unwrap();
                assert!(opened.is_ok(), "round {round}: {:?}", opened.err());
            }
        }
    }

    #[test]
    fn a_key_is_recorded_once_and_its_fate_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.db");
        let mut store = SqliteStore::open(&path).unwrap();
        let (a, b) = (message(1), message(2));
        let claims = store
            .submit(&[("k1", &a), ("k2", &b), ("k1", &a)], 1_000)
            .unwrap();
        assert_eq!(claims[0], Claim::New);
        assert_eq!(claims[1], Claim::New);
        assert!(matches!(&claims[2], Claim::Pending(r) if r.key == "k1"));
        store
            .record(&[Change::DataSent {
                key: "k1".into(),
                attempt: 1,
                at_ms: 1_500,
            }])
            .unwrap();
        drop(store);
        // Reopened: both unfinished, with their bytes, in order.
        let mut store = SqliteStore::open(&path).unwrap();
        let left = store.unfinished(0, 10).unwrap();
        assert_eq!(left.len(), 2);
        assert_eq!(left[0].record.state, State::DataSent);
        assert_eq!(left[0].record.attempts, 1);
        assert_eq!(left[1].record.state, State::Pending);
        let again = left[1].message.as_ref().unwrap();
        assert_eq!(again.data(), b.data());
        assert_eq!(again.size(), b.size());
        assert_eq!(again.recipients(), b.recipients());
        assert_eq!(again.message_id(), Some("m2@x.test"));
        assert_eq!(store.unfinished(left[0].position, 10).unwrap().len(), 1);
        let done = left[1].record.finished(&delivered(7), 2_000);
        store.record(&[Change::Finished(done.clone())]).unwrap();
        // A final record is never marked back.
        store
            .record(&[Change::DataSent {
                key: "k2".into(),
                attempt: 2,
                at_ms: 2_500,
            }])
            .unwrap();
        assert_eq!(store.get("k2").unwrap(), Some(done.clone()));
        assert!(
            matches!(&store.submit(&[("k2", &b)], 3_000).unwrap()[0], Claim::Done(r) if *r == done)
        );
        assert_eq!(store.get("nope").unwrap(), None);
        let summary = store.summary().unwrap();
        assert_eq!(
            (summary.data_sent, summary.delivered, summary.total()),
            (1, 1, 2)
        );
        let listed = store.list(Some(State::Delivered), 0, 10).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(store.list(None, 0, 10).unwrap().len(), 2);
        // The body is dropped with the outcome.
        let body: Option<Vec<u8>> = store
            .conn
            .query_row("SELECT (SELECT data FROM bodies b WHERE b.id = m.id) FROM messages m WHERE key = 'k2'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(body, None);
        assert_eq!(store.prune(2_001).unwrap(), 1);
        assert_eq!(store.prune(2_001).unwrap(), 0);
        assert_eq!(store.summary().unwrap().total(), 1);
    }

    #[test]
    fn processes_sharing_a_ledger_take_over_only_from_the_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.db");
        let (m1, m2, m3) = (message(1), message(2), message(3));
        let mut a = SqliteStore::open(&path).unwrap();
        let mut b = SqliteStore::open(&path).unwrap();
        a.hold(1_000).unwrap();
        b.hold(1_000).unwrap();
        assert_eq!(
            a.submit(&[("k1", &m1), ("k2", &m2)], 1_000).unwrap().len(),
            2
        );
        a.record(&[Change::DataSent {
            key: "k2".into(),
            attempt: 1,
            at_ms: 1_100,
        }])
        .unwrap();
        // A is alive (its owner file is locked): B takes nothing, even
        // past A's lease.
        assert!(b.take_over(2_000, 10).unwrap().is_empty());
        assert!(b.take_over(1_000 + 10 * 60_000, 10).unwrap().is_empty());
        a.renew(2_000).unwrap();
        // A dies (its lock goes with it, its row stays): B takes both, once.
        drop(a);
        let taken = b.take_over(3_000, 10).unwrap();
        let keys: Vec<&str> = taken.iter().map(|u| u.record.key.as_str()).collect();
        assert_eq!(keys, ["k1", "k2"]);
        assert_eq!(taken[1].record.state, State::DataSent);
        assert!(taken[0].message.is_some());
        assert!(b.take_over(3_100, 10).unwrap().is_empty());
        // C ends cleanly with k3 unsent: B takes it at once.
        let mut c = SqliteStore::open(&path).unwrap();
        c.hold(4_000).unwrap();
        c.submit(&[("k3", &m3)], 4_000).unwrap();
        assert!(b.take_over(4_100, 10).unwrap().is_empty());
        c.release().unwrap();
        let taken = b.take_over(4_200, 10).unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].record.key, "k3");
        // An owner seen only through its lease (no owner file): alive until
        // the lease runs out.
        b.conn
            .execute(
                "INSERT INTO owners (owner, pid, lease_until) VALUES ('ab12', 1, 10000)",
                [],
            )
            .unwrap();
        b.conn
            .execute("UPDATE messages SET owner = 'ab12' WHERE key = 'k3'", [])
            .unwrap();
        assert!(b.take_over(9_000, 10).unwrap().is_empty());
        assert_eq!(b.take_over(10_001, 10).unwrap().len(), 1);
        // A store presumed gone (its row deleted) learns it when renewing.
        b.conn.execute("DELETE FROM owners", []).unwrap();
        let lost = b.renew(11_000).unwrap_err();
        assert_eq!(lost.kind(), ErrorKind::Ledger);
        assert!(lost.message().contains("lease"), "{lost}");
        // Two mailers on one store: the hold ends with the last.
        let mut d = SqliteStore::open(&path).unwrap();
        d.hold(12_000).unwrap();
        d.hold(12_000).unwrap();
        d.release().unwrap();
        assert!(d.held.is_some());
        d.release().unwrap();
        assert!(d.held.is_none());
        let owners_dir = path.with_file_name("shared.db-owners");
        let left: Vec<_> = std::fs::read_dir(&owners_dir).unwrap().collect();
        assert_eq!(left.len(), 1, "only B's file is left: {left:?}");
    }

    #[test]
    fn exports_page_through_every_record_of_a_state() {
        use crate::ledger::{Format, export, prune_cutoff};
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path().join("e.db")).unwrap();
        let messages: Vec<Prepared> = (0..2500).map(message).collect();
        let keys: Vec<String> = (0..2500).map(|n| format!("k{n}")).collect();
        let pairs: Vec<(&str, &Prepared)> = keys
            .iter()
            .map(String::as_str)
            .zip(messages.iter())
            .collect();
        store.submit(&pairs, 1_000).unwrap();
        let done: Vec<Change> = (0..1200)
            .map(|n| {
                let r = Record::pending(&keys[n], &messages[n], 1_000);
                Change::Finished(r.finished(&delivered(n as u64), 2_000))
            })
            .collect();
        store.record(&done).unwrap();
        let mut csv = Vec::new();
        let n = export(&mut store, Some(State::Delivered), Format::Csv, &mut csv).unwrap();
        assert_eq!(n, 1200);
        let text = String::from_utf8(csv).unwrap();
        assert_eq!(text.lines().count(), 1201, "a header and 1200 rows");
        assert!(
            text.lines()
                .nth(1200)
                .unwrap()
                .starts_with("k1199,delivered,")
        );
        let mut json = Vec::new();
        let n = export(&mut store, None, Format::Json, &mut json).unwrap();
        assert_eq!(n, 2500);
        assert_eq!(json.iter().filter(|b| **b == b'\n').count(), 2500);
        assert_eq!(Format::from_name("json").unwrap(), Format::Json);
        assert_eq!(
            Format::from_name("xml").unwrap_err().kind(),
            ErrorKind::InvalidOption
        );
        assert_eq!(
            State::parse("nope").unwrap_err().kind(),
            ErrorKind::InvalidOption
        );
        assert_eq!(prune_cutoff(1.5, 10_000).unwrap(), 8_500);
        assert!(prune_cutoff(-1.0, 0).is_err() && prune_cutoff(f64::NAN, 0).is_err());
        assert_eq!(
            store.prune(prune_cutoff(0.0, 2_001).unwrap()).unwrap(),
            1200
        );
    }

    #[test]
    fn bad_keys_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path().join("l.db")).unwrap();
        let m = message(1);
        let err = store.submit(&[("ok", &m), ("", &m)], 0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert_eq!(store.summary().unwrap().total(), 0);
    }

    fn refused(path: &Path) -> Error {
        SqliteStore::open(path).unwrap_err()
    }

    #[test]
    fn files_that_are_not_ledgers_are_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(
            &text,
            "these are not the records you are looking for\n".repeat(200),
        )
        .unwrap();
        let e = refused(&text);
        assert_eq!(e.kind(), ErrorKind::Ledger);
        assert!(e.message().contains("not a mailwright ledger"), "{e}");
        // Another application's SQLite database.
        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let e = refused(&other);
        assert!(e.message().contains("not a mailwright ledger"), "{e}");
        // A newer schema.
        let newer = dir.path().join("newer.db");
        drop(SqliteStore::open(&newer).unwrap());
        Connection::open(&newer)
            .unwrap()
            .execute_batch("PRAGMA user_version = 9")
            .unwrap();
        let e = refused(&newer);
        assert!(e.message().contains("newer mailwright (schema 9"), "{e}");
        // Damaged rows are reported, never guessed.
        let damaged = dir.path().join("damaged.db");
        let mut store = SqliteStore::open(&damaged).unwrap();
        store.submit(&[("k", &message(1))], 0).unwrap();
        store
            .conn
            .execute_batch("UPDATE messages SET state = 'sent?'")
            .unwrap();
        let e = store.unfinished(0, 10).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Ledger);
        let e = store.get("k").unwrap_err();
        assert!(e.message().contains("unknown state"), "{e}");
        assert_eq!(store.summary().unwrap_err().kind(), ErrorKind::Ledger);
        store
            .conn
            .execute_batch("UPDATE messages SET state = 'pending'; UPDATE bodies SET data = x'00'")
            .unwrap();
        let e = store.unfinished(0, 10).unwrap_err();
        assert!(e.message().contains("damaged"), "{e}");
    }

    #[test]
    fn a_full_disk_and_a_lock_fail_the_call_and_lose_nothing_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let mut store = SqliteStore::open(&path).unwrap();
        store.submit(&[("first", &message(0))], 0).unwrap();
        // The disk as SQLite sees it: no page beyond the current ones.
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        store
            .conn
            .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
            .unwrap();
        let big: Vec<Prepared> = (1..50)
            .map(|n| {
                let raw = format!("Message-ID: <b{n}@x.test>\r\n\r\n{}\r\n", "x".repeat(4000));
                Prepared::raw(raw.as_bytes(), "a@x.test", &["r@x.test"]).unwrap()
            })
            .collect();
        let keys: Vec<String> = (1..50).map(|n| format!("k{n}")).collect();
        let batch: Vec<(&str, &Prepared)> =
            keys.iter().map(String::as_str).zip(big.iter()).collect();
        let e = store.submit(&batch, 1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Ledger);
        assert!(e.message().contains("disk is full"), "{e}");
        assert_eq!(store.summary().unwrap().total(), 1);
        drop(store);
        // Another process holds a write transaction past our wait.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let mut store = SqliteStore::open(&path)
            .unwrap()
            .busy_timeout(Duration::from_millis(50))
            .unwrap();
        let e = store.submit(&[("k", &message(1))], 2).unwrap_err();
        assert!(e.message().contains("locked by another process"), "{e}");
        other.execute_batch("ROLLBACK").unwrap();
        store.submit(&[("k", &message(1))], 3).unwrap();
        assert_eq!(store.summary().unwrap().pending, 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_ledger_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.db");
        drop(SqliteStore::open(&path).unwrap());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let result = SqliteStore::open(&path).and_then(|mut s| s.submit(&[("k", &message(1))], 0));
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        // (root writes anyway: then the write simply works.)
        if let Err(e) = result {
            assert_eq!(e.kind(), ErrorKind::Ledger);
            assert!(
                e.message().contains("read-only") || e.message().contains("cannot"),
                "{e}"
            );
        }
    }
}
