//! The ledger (`mailwright::ledger`): `Ledger` (an opened store, shared
//! with the mailers that record into it) and `LedgerRecord`.

use crate::errors::IntoPy;
use mailwright::ledger::{self, Durability, Record, SharedStore, State, Store};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// The durable record of every message sent through a Mailer opened with
/// it: one SQLite file (WAL), created when missing, or a PostgreSQL
/// database (a ``postgresql://`` URL; its tables created when missing).
#[pyclass(frozen, module = "mailwright._mailwright")]
pub struct Ledger {
    pub(crate) store: SharedStore,
    path: PathBuf,
    /// Where it is, to show (no password).
    location: String,
}

/// Opens the store at `path` (a file, or a `postgresql://` URL).
fn open(
    path: &std::path::Path,
    durability: Durability,
    keep_bodies: bool,
) -> mailwright::Result<Box<dyn Store>> {
    ledger::open_store(&path.to_string_lossy(), durability, keep_bodies)
}

/// What the ledger holds for one key.
#[pyclass(frozen, module = "mailwright._mailwright", name = "LedgerRecord")]
pub struct LedgerRecord {
    inner: Record,
}

fn state(name: Option<&str>) -> PyResult<Option<State>> {
    name.map(State::parse).transpose().py_err()
}

impl Ledger {
    /// Opens the ledger at `path` for a Mailer's `ledger=` given as a path.
    pub(crate) fn open(py: Python<'_>, path: PathBuf, durability: &str) -> PyResult<Ledger> {
        let durability = Durability::from_name(durability).py_err()?;
        let opened = py.detach(|| open(&path, durability, false)).py_err()?;
        Ok(Ledger::new_opened(opened, path))
    }

    fn new_opened(opened: Box<dyn Store>, path: PathBuf) -> Ledger {
        let location = opened.location();
        // A database's address is shown without its password.
        let path = if ledger::is_postgres_url(&path.to_string_lossy()) {
            PathBuf::from(&location)
        } else {
            path
        };
        Ledger {
            store: SharedStore::new(opened),
            path,
            location,
        }
    }
}

#[pymethods]
impl Ledger {
    /// Opens (or creates) the ledger at ``path``. ``durability``: ``"full"``
    /// (every commit on the disk: survives a power loss) or ``"process"``
    /// (survives a crash of the process). ``keep_bodies``: keep each
    /// message's bytes after its outcome.
    #[new]
    #[pyo3(signature = (path, *, durability="full", keep_bodies=false))]
    fn new(py: Python<'_>, path: PathBuf, durability: &str, keep_bodies: bool) -> PyResult<Self> {
        let durability = Durability::from_name(durability).py_err()?;
        let opened = py
            .detach(|| open(&path, durability, keep_bodies))
            .py_err()?;
        Ok(Ledger::new_opened(opened, path))
    }

    /// The file (for PostgreSQL: its address, without the password).
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Where the ledger is: the file, or the database's address without its
    /// password.
    #[getter]
    fn location(&self) -> String {
        self.location.clone()
    }

    /// Counts by state: ``{"pending": n, "data_sent": n, "delivered": n,
    /// "failed": n, "uncertain": n, "total": n}``.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = py.detach(|| self.store.with(|st| st.summary())).py_err()?;
        let dict = PyDict::new(py);
        for st in State::ALL {
            dict.set_item(st.as_str(), s.count(*st))?;
        }
        dict.set_item("total", s.total())?;
        Ok(dict)
    }

    /// The record of one key, or None.
    fn get(&self, py: Python<'_>, key: &str) -> PyResult<Option<LedgerRecord>> {
        let found = py.detach(|| self.store.with(|st| st.get(key))).py_err()?;
        Ok(found.map(|inner| LedgerRecord { inner }))
    }

    /// Every record (of one ``state``), in submission order.
    #[pyo3(signature = (state=None))]
    fn records(&self, py: Python<'_>, state: Option<&str>) -> PyResult<Vec<LedgerRecord>> {
        let state = self::state(state)?;
        let mut out = Vec::new();
        let mut store = self.store.clone();
        py.detach(|| {
            ledger::each(&mut store, state, |r| {
                out.push(LedgerRecord { inner: r.clone() });
                Ok(())
            })
        })
        .py_err()?;
        Ok(out)
    }

    /// Writes every record (of one ``state``) to ``path`` as CSV (with a
    /// header line) or JSON lines (``format="json"``); returns how many.
    #[pyo3(signature = (path, *, format="csv", state=None))]
    fn export(
        &self,
        py: Python<'_>,
        path: PathBuf,
        format: &str,
        state: Option<&str>,
    ) -> PyResult<u64> {
        let state = self::state(state)?;
        let format = ledger::Format::from_name(format).py_err()?;
        py.detach(|| -> PyResult<u64> {
            let file = std::fs::File::create(&path)?;
            let mut w = std::io::BufWriter::new(file);
            // Page by page, each under the lock for one query only: a
            // mailer recording into this ledger is not held up.
            let mut store = self.store.clone();
            ledger::export(&mut store, state, format, &mut w).py_err()
        })
    }

    /// Deletes the records with an outcome last changed more than
    /// ``older_than`` seconds ago; returns how many.
    fn prune(&self, py: Python<'_>, older_than: f64) -> PyResult<u64> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let before = ledger::prune_cutoff(older_than, now).py_err()?;
        py.detach(|| self.store.with(|st| st.prune(before)))
            .py_err()
    }

    fn __repr__(&self) -> String {
        format!("Ledger({:?})", self.location)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        false
    }
}

#[pymethods]
impl LedgerRecord {
    #[getter]
    fn key(&self) -> &str {
        &self.inner.key
    }
    /// "pending", "data_sent", "delivered", "failed" or "uncertain".
    #[getter]
    fn state(&self) -> &'static str {
        self.inner.state.as_str()
    }
    #[getter]
    fn message_id(&self) -> Option<&str> {
        self.inner.message_id.as_deref()
    }
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts
    }
    #[getter]
    fn sender(&self) -> &str {
        &self.inner.sender
    }
    #[getter]
    fn recipients(&self) -> Vec<String> {
        self.inner.recipients.clone()
    }
    #[getter]
    fn queue_id(&self) -> Option<&str> {
        self.inner.queue_id.as_deref()
    }
    #[getter]
    fn accepted(&self) -> Vec<String> {
        self.inner.accepted.clone()
    }
    /// ``[(recipient, code, text), ...]``.
    #[getter]
    fn refused(&self) -> Vec<(String, u16, String)> {
        self.inner
            .refused
            .iter()
            .map(|r| (r.recipient.clone(), r.code, r.text.clone()))
            .collect()
    }
    /// The error's kind name (failed, uncertain), e.g. ``"SmtpPermanent"``.
    #[getter]
    fn error_kind(&self) -> Option<&'static str> {
        self.inner.error_kind.map(|k| k.as_str())
    }
    #[getter]
    fn error(&self) -> Option<&str> {
        self.inner.error.as_deref()
    }
    /// Milliseconds since the Unix epoch.
    #[getter]
    fn submitted_ms(&self) -> i64 {
        self.inner.submitted_ms
    }
    #[getter]
    fn updated_ms(&self) -> i64 {
        self.inner.updated_ms
    }

    fn __repr__(&self) -> String {
        format!(
            "LedgerRecord(key={:?}, state={:?}, message_id={:?}, queue_id={:?})",
            self.inner.key,
            self.inner.state.as_str(),
            self.inner.message_id,
            self.inner.queue_id
        )
    }
}

impl LedgerRecord {
    pub(crate) fn new(inner: Record) -> LedgerRecord {
        LedgerRecord { inner }
    }
}
