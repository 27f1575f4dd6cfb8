//! The `serve` process: a fresh database is migrated and seeded by itself, the log says where the hub listens and
//! which database it uses, and SIGTERM stops it cleanly.

use std::{
    io::{BufRead, BufReader, Read, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[test]
fn serve_logs_its_address_and_database_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("hub.sqlite").display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_lgsp-hub"))
        .args(["--listen", "127.0.0.1:0", "serve"])
        .env("LGSP_DATABASE_URL", &url)
        .env("LGSP_DATA_DIR", dir.path())
        .env("LGSP_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lgsp-hub");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut log = String::new();
    let mut base = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while base.is_none() && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        log.push_str(&line);
        log.push('\n');
        if let Some(at) = line.find("GraphQL at http://") {
            let rest = &line[at + "GraphQL at ".len()..];
            base = rest.split("/graphql").next().map(str::to_owned);
        }
    }
    let base = base.unwrap_or_else(|| panic!("no listening line in the log:\n{log}"));
    assert!(
        log.contains("hub.sqlite"),
        "the log does not name the database:\n{log}"
    );
    assert!(
        log.contains("seeded the registries"),
        "a fresh database was not seeded:\n{log}"
    );

    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .write_all(
            format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .expect("request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the hub did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "exit status {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
}
