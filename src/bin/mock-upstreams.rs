//! `mock-upstreams`: the mock national databases as a process. The program is the `mock-upstreams` crate's
//! ([`mock_upstreams::cli`]); the binary is declared in the hub's package so that its integration tests can spawn it
//! (see `Cargo.toml`). Built only with the `mock-upstreams` feature.

fn main() -> std::process::ExitCode {
    mock_upstreams::cli::main()
}
