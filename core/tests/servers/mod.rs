//! Starts the test servers in testservers/ (on 127.0.0.1) and stops them when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A running local Haraka (see testservers/haraka/harakactl.py).
pub struct Haraka {
    child: Child,
    stdin: Option<ChildStdin>,
    pub port: u16,
    pub smtps_port: u16,
    pub ca_file: PathBuf,
    pub stored: PathBuf,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Haraka {
    pub fn start(methods: &str) -> Haraka {
        Haraka::start_in(tempfile::tempdir().unwrap(), 0, methods)
    }

    /// Starts Haraka in `dir` on `port` (0: any): a server restarted on the
    /// same folder and port keeps its certificate and its stored messages.
    pub fn start_in(dir: tempfile::TempDir, port: u16, methods: &str) -> Haraka {
        let mut child = Command::new("python3")
            .arg(repo().join("testservers/haraka/harakactl.py"))
            .args(["--dir", dir.path().to_str().unwrap(), "--methods", methods])
            .args(["--port", &port.to_string()])
            .args(["--user", "api_user=api_key"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs harakactl.py");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("harakactl.py did not start Haraka: {line:?}"));
        Haraka {
            child,
            stdin,
            port: info["port"].as_u64().unwrap() as u16,
            smtps_port: info["smtps_port"].as_u64().unwrap() as u16,
            ca_file: info["ca_file"].as_str().unwrap().into(),
            stored: info["queue_dir"].as_str().unwrap().into(),
            log: info["log"].as_str().unwrap().into(),
            _dir: dir,
        }
    }

    /// The stored message with this queue id: (bytes as received, metadata).
    pub fn stored(&self, queue_id: &str) -> (Vec<u8>, serde_json::Value) {
        let eml =
            std::fs::read(self.stored.join(format!("{queue_id}.eml"))).expect("stored message");
        let meta = std::fs::read_to_string(self.stored.join(format!("{queue_id}.json"))).unwrap();
        (eml, serde_json::from_str(&meta).unwrap())
    }

    /// Stops the server; its folder (certificate, stored messages) is kept
    /// for `start_in`.
    pub fn stop(mut self) -> tempfile::TempDir {
        drop(self.stdin.take());
        let _ = self.child.wait();
        let placeholder = tempfile::tempdir().unwrap();
        std::mem::replace(&mut self._dir, placeholder)
    }

    /// The Message-ID of every stored message.
    pub fn stored_message_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&self.stored).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "eml") {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let id = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("Message-ID:")
                        .or_else(|| l.strip_prefix("Message-Id:"))
                })
                .map(|v| v.trim().to_string())
                .unwrap_or_default();
            ids.push(id);
        }
        ids
    }

    pub fn stored_count(&self) -> usize {
        std::fs::read_dir(&self.stored)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "eml")
            })
            .count()
    }
}

impl Drop for Haraka {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// A misbehaving server (testservers/misbehaving/badsmtp.py) playing one scenario.
pub struct BadServer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub port: u16,
}

impl BadServer {
    pub fn start(scenario: &str) -> BadServer {
        let mut child = Command::new("python3")
            .arg(repo().join("testservers/misbehaving/badsmtp.py"))
            .arg(scenario)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs badsmtp.py");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        BadServer {
            child,
            stdin,
            port: line.trim().parse().expect("a port"),
        }
    }
}

impl Drop for BadServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
