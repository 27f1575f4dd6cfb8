//! Fault runs, each bounded to a few seconds (bench/faults.sh runs them longer, through scripts/replicas.sh, with
//! figures): PostgreSQL restarted under load, an upstream killed mid-load, `kill -9` during a thousand personal-data
//! lookups, Redis stopped under load with shared rate limits. SIGTERM under load is in `lifecycle.rs`. PostgreSQL and
//! Redis are private servers (`common::private`): the shared ones are never stopped.

mod killed;
mod load;
mod postgres;
mod redis;
mod upstream;
