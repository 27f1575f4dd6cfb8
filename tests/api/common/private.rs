//! Private PostgreSQL and Redis servers for the fault tests, which stop and restart them: the shared servers on 5432
//! and 6379 serve every other test (and other work on the machine) and are never touched. Each lives in a temporary
//! directory on a free loopback port and is stopped when dropped.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

/// A free loopback port (free when asked: the caller binds it soon after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Whether `program` can be run (on the PATH).
fn available(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `program args` as the `postgres` user when this process is root (PostgreSQL refuses to run as root), as
/// this user otherwise.
fn as_postgres(program: &str, args: &[&str]) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

/// A PostgreSQL cluster of its own: `initdb` in a temporary directory, `pg_ctl` to start and stop it.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    pub port: u16,
    running: bool,
}

impl PrivatePostgres {
    /// A new cluster, started, with a database `lgsp`; `None` (the caller skips) where PostgreSQL's server programs
    /// are not installed.
    pub fn start() -> Option<PrivatePostgres> {
        if !(available("initdb") && available("pg_ctl")) {
            eprintln!("skipped: no initdb/pg_ctl on the PATH for a private PostgreSQL");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        // The cluster's owner must own its directory.
        let _ = Command::new("chown")
            .args(["postgres:postgres", &dir.path().display().to_string()])
            .status();
        let data = dir.path().join("data");
        let out = as_postgres(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        )
        .output()
        .expect("initdb");
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut pg = PrivatePostgres {
            dir,
            port: free_port(),
            running: false,
        };
        pg.up();
        let created = Command::new("psql")
            .args([&pg.url("postgres"), "-qc", "CREATE DATABASE lgsp"])
            .output()
            .expect("psql");
        assert!(
            created.status.success(),
            "CREATE DATABASE: {}",
            String::from_utf8_lossy(&created.stderr)
        );
        Some(pg)
    }

    /// The URL of database `db` in this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    pub fn up(&mut self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        let out = as_postgres(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        )
        .output()
        .expect("pg_ctl start");
        assert!(
            out.status.success(),
            "pg_ctl start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(Path::new(&log)).unwrap_or_default()
        );
        self.running = true;
    }

    /// Stops the server: `immediate` as a crash does (every backend killed, recovery from the WAL at the next start),
    /// else `fast` as a restart does (sessions disconnected, a checkpoint).
    pub fn down(&mut self, immediate: bool) {
        let mode = if immediate { "immediate" } else { "fast" };
        let out = as_postgres("pg_ctl", &["-D", &self.data(), "-m", mode, "-w", "stop"])
            .output()
            .expect("pg_ctl stop");
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.running = false;
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if self.running {
            let _ = as_postgres("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A Redis server of its own on a free port, without persistence.
pub struct PrivateRedis {
    child: Option<Child>,
    pub port: u16,
}

impl PrivateRedis {
    /// A started server; `None` (the caller skips) where `redis-server` is not installed.
    pub async fn start() -> Option<PrivateRedis> {
        if !available("redis-server") {
            eprintln!("skipped: no redis-server on the PATH for a private Redis");
            return None;
        }
        let mut redis = PrivateRedis {
            child: None,
            port: free_port(),
        };
        redis.up().await;
        Some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on its port and waits until it accepts connections.
    pub async fn up(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server");
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the private Redis does not accept connections"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the server, as a crash does.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
