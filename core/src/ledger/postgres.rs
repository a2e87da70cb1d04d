//! The ledger on PostgreSQL: the same records and rules as the SQLite
//! store, for many workers on many machines sharing one ledger. Tables
//! `mailwright_messages` and `mailwright_owners` (created when missing);
//! a take-over claims records with `FOR UPDATE SKIP LOCKED` (two workers
//! never wait on each other's rows); a worker is alive while its session
//! holds its advisory lock (a worker that is gone is known at once: its
//! session ended), else while its lease lasts.

use super::rows::{RawRow, Seen, lines, refusals, sweep_due, swept_at, unfinished};
use super::{Change, Claim, Record, State, Store, Summary, Unfinished, check_key};
use crate::delivery::Prepared;
use crate::error::{Error, ErrorKind, Result};
use postgres::{Client, NoTls, Row};
use std::collections::BTreeSet;

/// The first key of every advisory lock this store takes ("MWLG").
const LOCK_CLASS: i32 = 0x4d57_4c47;
/// The schema this version writes and reads.
const SCHEMA: i32 = 1;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS mailwright_messages (
    id           BIGSERIAL PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE,
    message_id   TEXT,
    state        TEXT    NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    sender       TEXT    NOT NULL,
    recipients   TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    queue_id     TEXT,
    accepted     TEXT    NOT NULL DEFAULT '',
    refused      TEXT    NOT NULL DEFAULT '',
    error_kind   TEXT,
    error        TEXT,
    submitted_ms BIGINT  NOT NULL,
    updated_ms   BIGINT  NOT NULL,
    owner        TEXT,
    body         BYTEA
);
CREATE INDEX IF NOT EXISTS mailwright_messages_state ON mailwright_messages (state, id);
CREATE TABLE IF NOT EXISTS mailwright_owners (
    owner       TEXT   PRIMARY KEY,
    lease_until BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS mailwright_schema (version INTEGER NOT NULL);
";

const COLUMNS: &str = "id, key, message_id, state, attempts, sender, recipients, queue_id, \
                       accepted, refused, error_kind, error, submitted_ms, updated_ms";

/// A ledger in a PostgreSQL database (feature `postgres`). Open it with
/// [`PostgresStore::connect`]; hand it to a mailer like any [`Store`].
pub struct PostgresStore {
    client: Client,
    /// Where it is, for messages: `postgresql://host:port/dbname` (never
    /// the user or password).
    name: String,
    keep_bodies: bool,
    /// This store's advisory lock (`LOCK_CLASS`, `id`), its name in
    /// `mailwright_owners` the number in hex.
    id: i32,
    owner: String,
    held: bool,
    holders: usize,
    others: Seen,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Whether `location` names a PostgreSQL ledger (`postgres://` or
/// `postgresql://`).
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgresql://user:password@host:port/dbname`,
    /// or a key=value string) and creates the ledger's tables when missing.
    /// Refused with [`ErrorKind::Ledger`]: a server that cannot be reached,
    /// refused credentials, tables of a newer mailwright. The password is
    /// never in an error.
    pub fn connect(url: &str) -> Result<PostgresStore> {
        let config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            Error::new(
                ErrorKind::Ledger,
                format!("the ledger's PostgreSQL address is not one: {}", e),
            )
        })?;
        let name = display_name(&config);
        let client = config
            .connect(NoTls)
            .map_err(|e| pg_error(&name, "connect", &e))?;
        let mut id = [0u8; 4];
        crate::clock::random_bytes(&mut id)?;
        let id = i32::from_be_bytes(id);
        let mut store = PostgresStore {
            client,
            name,
            keep_bodies: false,
            id,
            owner: format!("{:08x}", id as u32),
            held: false,
            holders: 0,
            others: None,
        };
        store.prepare()?;
        Ok(store)
    }

    /// Keeps each message's bytes once its outcome is recorded.
    pub fn keep_bodies(mut self, keep: bool) -> PostgresStore {
        self.keep_bodies = keep;
        self
    }

    /// Where the ledger is (`postgresql://host:port/dbname`).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn fail(&self, what: &str) -> impl Fn(postgres::Error) -> Error + '_ {
        let what = what.to_string();
        move |e| pg_error(&self.name, &what, &e)
    }

    fn prepare(&mut self) -> Result<()> {
        let name = self.name.clone();
        let fail = |e: postgres::Error| pg_error(&name, "create", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        // One creator at a time (CREATE ... IF NOT EXISTS races otherwise).
        tx.execute("SELECT pg_advisory_xact_lock($1, 0)", &[&LOCK_CLASS])
            .map_err(fail)?;
        tx.batch_execute(CREATE).map_err(fail)?;
        let version: Option<i32> = tx
            .query_opt("SELECT version FROM mailwright_schema", &[])
            .map_err(fail)?
            .map(|r| r.get(0));
        match version {
            None => {
                tx.execute(
                    "INSERT INTO mailwright_schema (version) VALUES ($1)",
                    &[&SCHEMA],
                )
                .map_err(fail)?;
            }
            Some(v) if v > SCHEMA => {
                return Err(Error::new(
                    ErrorKind::Ledger,
                    format!(
                        "the ledger {name} was written by a newer mailwright (schema {v}; this one reads {SCHEMA})"
                    ),
                ));
            }
            Some(_) => {}
        }
        tx.commit().map_err(fail)
    }

    /// Makes this store an owner (once): its advisory lock, then its row.
    fn register(&mut self, now_ms: i64) -> Result<()> {
        if self.held {
            return Ok(());
        }
        let until = now_ms.saturating_add(lease_ms());
        let name = self.name.clone();
        let fail = |e: postgres::Error| pg_error(&name, "register", &e);
        self.client
            .execute("SELECT pg_advisory_lock($1, $2)", &[&LOCK_CLASS, &self.id])
            .map_err(fail)?;
        self.client
            .execute(
                "INSERT INTO mailwright_owners (owner, lease_until) VALUES ($1, $2) \
                 ON CONFLICT (owner) DO UPDATE SET lease_until = EXCLUDED.lease_until",
                &[&self.owner, &until],
            )
            .map_err(fail)?;
        self.held = true;
        Ok(())
    }
}

fn lease_ms() -> i64 {
    i64::try_from(super::LEASE.as_millis()).unwrap_or(i64::MAX)
}

fn display_name(config: &postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_default();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("");
    format!("postgresql://{host}:{port}/{db}")
}

fn pg_error(name: &str, what: &str, e: &postgres::Error) -> Error {
    // The server's message (its code and text) or the client's; the
    // connection string, and so the password, is never part of it.
    let detail = match e.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => e.to_string(),
    };
    Error::new(
        ErrorKind::Ledger,
        format!("the ledger {name} failed ({what}: {detail})"),
    )
}

fn read(name: &str, row: &Row) -> Result<(i64, Record)> {
    RawRow {
        id: row.get(0),
        key: row.get(1),
        message_id: row.get(2),
        state: row.get(3),
        attempts: row.get(4),
        sender: row.get(5),
        recipients: row.get(6),
        queue_id: row.get(7),
        accepted: row.get(8),
        refused: row.get(9),
        error_kind: row.get(10),
        error: row.get(11),
        submitted_ms: row.get(12),
        updated_ms: row.get(13),
    }
    .into_record(name)
}

const UNFINISHED: &str = "state NOT IN ('delivered', 'failed', 'uncertain')";

impl Store for PostgresStore {
    fn location(&self) -> String {
        self.name.clone()
    }

    fn submit(&mut self, entries: &[(&str, &Prepared)], now_ms: i64) -> Result<Vec<Claim>> {
        for (key, _) in entries {
            check_key(key)?;
        }
        self.register(now_ms)?;
        let name = self.name.clone();
        let owner = self.owner.clone();
        let fail = |e: postgres::Error| pg_error(&name, "submit", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let insert = tx
            .prepare(
                "INSERT INTO mailwright_messages (key, message_id, state, sender, recipients, size, \
                 submitted_ms, updated_ms, owner, body) \
                 VALUES ($1, $2, 'pending', $3, $4, $5, $6, $6, $7, $8) \
                 ON CONFLICT (key) DO NOTHING RETURNING id",
            )
            .map_err(fail)?;
        let select = tx
            .prepare(&format!(
                "SELECT {COLUMNS} FROM mailwright_messages WHERE key = $1"
            ))
            .map_err(fail)?;
        let mut claims = Vec::with_capacity(entries.len());
        let mut seen = std::collections::HashSet::new();
        for (key, message) in entries {
            if !seen.insert(*key) {
                let row = tx.query_one(&select, &[key]).map_err(fail)?;
                claims.push(Claim::Pending(read(&name, &row)?.1));
                continue;
            }
            let size = message.size() as i64;
            let inserted = tx
                .query_opt(
                    &insert,
                    &[
                        key,
                        &message.message_id(),
                        &message.sender(),
                        &lines(message.recipients()),
                        &size,
                        &now_ms,
                        &owner,
                        &message.data(),
                    ],
                )
                .map_err(fail)?;
            if inserted.is_some() {
                claims.push(Claim::New);
                continue;
            }
            let row = tx.query_one(&select, &[key]).map_err(fail)?;
            let record = read(&name, &row)?.1;
            claims.push(if record.state.is_final() {
                Claim::Done(record)
            } else {
                Claim::Pending(record)
            });
        }
        tx.commit().map_err(fail)?;
        Ok(claims)
    }

    fn record(&mut self, changes: &[Change]) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let name = self.name.clone();
        let keep = self.keep_bodies;
        let fail = |e: postgres::Error| pg_error(&name, "record", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let mark = tx
            .prepare(
                "UPDATE mailwright_messages SET state = 'data_sent', \
                 attempts = greatest(attempts, $2), updated_ms = $3 \
                 WHERE key = $1 AND state IN ('pending', 'data_sent')",
            )
            .map_err(fail)?;
        let finish = tx
            .prepare(
                "UPDATE mailwright_messages SET state = $2, attempts = $3, queue_id = $4, \
                 accepted = $5, refused = $6, error_kind = $7, error = $8, updated_ms = $9, \
                 body = CASE WHEN $10 THEN body ELSE NULL END WHERE key = $1",
            )
            .map_err(fail)?;
        let reopen = tx
            .prepare(
                "UPDATE mailwright_messages SET state = 'pending', size = $2, updated_ms = $3, \
                 body = $4 WHERE key = $1 AND state = 'uncertain'",
            )
            .map_err(fail)?;
        for change in changes {
            match change {
                Change::DataSent {
                    key,
                    attempt,
                    at_ms,
                } => {
                    tx.execute(&mark, &[key, &i64::from(*attempt), at_ms])
                        .map_err(fail)?;
                }
                Change::Finished(r) => {
                    tx.execute(
                        &finish,
                        &[
                            &r.key,
                            &r.state.as_str(),
                            &i64::from(r.attempts),
                            &r.queue_id,
                            &lines(&r.accepted),
                            &refusals(&r.refused),
                            &r.error_kind.map(|k| k.as_str()),
                            &r.error,
                            &r.updated_ms,
                            &keep,
                        ],
                    )
                    .map_err(fail)?;
                }
                Change::Reopen {
                    key,
                    message,
                    at_ms,
                } => {
                    tx.execute(
                        &reopen,
                        &[key, &(message.size() as i64), at_ms, &message.data()],
                    )
                    .map_err(fail)?;
                }
            }
        }
        tx.commit().map_err(fail)
    }

    fn unfinished(&mut self, after: i64, limit: usize) -> Result<Vec<Unfinished>> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT {COLUMNS}, body, size FROM mailwright_messages \
                     WHERE {UNFINISHED} AND id > $1 ORDER BY id LIMIT $2"
                ),
                &[&after, &(limit as i64)],
            )
            .map_err(self.fail("read"))?;
        rows.iter()
            .map(|row| unfinished(read(&name, row)?, row.get(14), row.get(15), &name))
            .collect()
    }

    fn take_over(&mut self, now_ms: i64, limit: usize) -> Result<Vec<Unfinished>> {
        self.register(now_ms)?;
        let name = self.name.clone();
        let me = self.owner.clone();
        let fail = |e: postgres::Error| pg_error(&name, "take over", &e);
        let previous = self.others.take();
        let mut tx = self.client.transaction().map_err(fail)?;
        let others: Vec<(String, i64)> = tx
            .query(
                "SELECT owner, lease_until FROM mailwright_owners WHERE owner != $1",
                &[&me],
            )
            .map_err(fail)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let mut alive = BTreeSet::new();
        for (other, until) in others {
            // Its session holds its advisory lock while it runs: taking
            // the lock means the session is gone.
            let gone = match u32::from_str_radix(&other, 16) {
                Ok(n) => {
                    let taken: bool = tx
                        .query_one(
                            "SELECT pg_try_advisory_xact_lock($1, $2)",
                            &[&LOCK_CLASS, &(n as i32)],
                        )
                        .map_err(fail)?
                        .get(0);
                    taken
                }
                Err(_) => until < now_ms,
            };
            if gone {
                tx.execute("DELETE FROM mailwright_owners WHERE owner = $1", &[&other])
                    .map_err(fail)?;
            } else {
                alive.insert(other);
            }
        }
        if let Some(at) = sweep_due(&previous, &alive, now_ms) {
            tx.commit().map_err(fail)?;
            self.others = Some((alive, at));
            return Ok(Vec::new());
        }
        let rows = tx
            .query(
                &format!(
                    "UPDATE mailwright_messages SET owner = $1 WHERE id IN ( \
                     SELECT id FROM mailwright_messages WHERE {UNFINISHED} \
                     AND (owner IS NULL OR owner NOT IN (SELECT owner FROM mailwright_owners)) \
                     ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) \
                     RETURNING {COLUMNS}, body, size"
                ),
                &[&me, &(limit as i64)],
            )
            .map_err(fail)?;
        let mut out = rows
            .iter()
            .map(|row| unfinished(read(&name, row)?, row.get(14), row.get(15), &name))
            .collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|u| u.position);
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
        if !self.held {
            return Ok(());
        }
        let n = self
            .client
            .execute(
                "UPDATE mailwright_owners SET lease_until = $2 WHERE owner = $1",
                &[&self.owner, &now_ms.saturating_add(lease_ms())],
            )
            .map_err(self.fail("renew"))?;
        if n == 0 {
            return Err(Error::new(
                ErrorKind::Ledger,
                format!(
                    "the ledger {} gave this process's messages to another: its lease ran out (nothing more is sent)",
                    self.name
                ),
            ));
        }
        Ok(())
    }

    fn release(&mut self) -> Result<()> {
        self.holders = self.holders.saturating_sub(1);
        if self.holders > 0 || !self.held {
            return Ok(());
        }
        self.held = false;
        self.others = None;
        let name = self.name.clone();
        let fail = |e: postgres::Error| pg_error(&name, "release", &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.execute(
            &format!(
                "UPDATE mailwright_messages SET owner = NULL WHERE owner = $1 AND {UNFINISHED}"
            ),
            &[&self.owner],
        )
        .map_err(fail)?;
        tx.execute(
            "DELETE FROM mailwright_owners WHERE owner = $1",
            &[&self.owner],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
        self.client
            .execute(
                "SELECT pg_advisory_unlock($1, $2)",
                &[&LOCK_CLASS, &self.id],
            )
            .map_err(fail)?;
        Ok(())
    }

    fn get(&mut self, key: &str) -> Result<Option<Record>> {
        let name = self.name.clone();
        let row = self
            .client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM mailwright_messages WHERE key = $1"),
                &[&key],
            )
            .map_err(self.fail("read"))?;
        row.map(|r| read(&name, &r).map(|(_, rec)| rec)).transpose()
    }

    fn summary(&mut self) -> Result<Summary> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                "SELECT state, count(*) FROM mailwright_messages GROUP BY state",
                &[],
            )
            .map_err(self.fail("read"))?;
        let mut summary = Summary::default();
        for row in rows {
            let state: String = row.get(0);
            let n: i64 = row.get(1);
            let known = State::from_name(&state).ok_or_else(|| {
                Error::new(
                    ErrorKind::Ledger,
                    format!(
                        "the ledger {name} is damaged: {n} records have an unknown state {state:?}"
                    ),
                )
            })?;
            summary.add(known, n.max(0) as u64);
        }
        Ok(summary)
    }

    fn list(
        &mut self,
        state: Option<State>,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Record)>> {
        let name = self.name.clone();
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM mailwright_messages \
                     WHERE ($1::TEXT IS NULL OR state = $1) AND id > $2 ORDER BY id LIMIT $3"
                ),
                &[&state.map(State::as_str), &after, &(limit as i64)],
            )
            .map_err(self.fail("read"))?;
        rows.iter().map(|r| read(&name, r)).collect()
    }

    fn prune(&mut self, before_ms: i64) -> Result<u64> {
        self.client
            .execute(
                "DELETE FROM mailwright_messages WHERE state IN ('delivered', 'failed', 'uncertain') \
                 AND updated_ms < $1",
                &[&before_ms],
            )
            .map_err(self.fail("prune"))
    }
}
