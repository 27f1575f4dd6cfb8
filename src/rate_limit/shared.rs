//! The limits shared by every replica through Redis: one atomic Lua script per check ([`gcra::SCRIPT`]), sent with
//! EVALSHA (the script is loaded on connect, and again by the client on `NOSCRIPT`).
//!
//! Redis must never fail a request: a check that errors or takes longer than [`CALL_TIMEOUT`] returns `None` (the
//! caller then decides in process), marks the link down and logs one WARN for the outage. The next check after a
//! back-off (0.5 s, doubling to 10 s) starts a reconnection in the background; when it succeeds one INFO says so.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::{Duration, Instant},
};

use redis::{
    aio::MultiplexedConnection, AsyncConnectionConfig, Client, ErrorKind, RedisResult, Script,
};

use super::{
    gcra::{self, Unit},
    ClientKey, Decision, Policy,
};

/// Longest wait for one check's answer before deciding in process.
const CALL_TIMEOUT: Duration = Duration::from_millis(50);
/// Longest wait for a (re)connection, which runs in the background.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

enum Link {
    Up {
        conn: MultiplexedConnection,
        /// Counts connections, so that a late failure of an old one does not take down its successor.
        generation: u64,
    },
    Down {
        retry_at: Instant,
        backoff: Duration,
        connecting: bool,
        generation: u64,
    },
}

pub(super) struct Shared {
    client: Client,
    script: Script,
    prefix: String,
    link: Mutex<Link>,
    up: AtomicBool,
}

impl Shared {
    /// Connects (or, if Redis does not answer, starts down and says so); errors only on a URL or TLS setting this
    /// build cannot use, which no retry would mend.
    pub(super) async fn start(url: &str, prefix: &str) -> RedisResult<Arc<Shared>> {
        let shared = Arc::new(Shared {
            client: Client::open(url)?,
            script: Script::new(gcra::SCRIPT),
            prefix: prefix.to_owned(),
            link: Mutex::new(Link::Down {
                retry_at: Instant::now(),
                backoff: FIRST_BACKOFF,
                connecting: true,
                generation: 0,
            }),
            up: AtomicBool::new(false),
        });
        match shared.connect().await {
            Ok(conn) => {
                shared.set_up(conn, 1);
                tracing::info!("rate limits are shared through redis");
            }
            Err(err) if err.kind() == ErrorKind::InvalidClientConfig => return Err(err),
            Err(err) => {
                tracing::warn!(error = %err, "redis unreachable: rate limits are kept per process until it answers");
                *shared.lock() = Link::Down {
                    retry_at: Instant::now() + FIRST_BACKOFF,
                    backoff: FIRST_BACKOFF,
                    connecting: false,
                    generation: 0,
                };
            }
        }
        Ok(shared)
    }

    pub(super) fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// The shared decision, or `None` when Redis cannot give one now.
    #[tracing::instrument(skip_all, fields(policy = policy.kind.name()))]
    pub(super) async fn check(
        self: &Arc<Self>,
        key: &ClientKey,
        policy: &Policy,
        cost: u32,
    ) -> Option<Decision> {
        let (mut conn, generation) = self.connection()?;
        let mut call = self
            .script
            .key(format!("{}:{}:{}", self.prefix, key.kind().name(), key));
        call.arg(policy.interval_in(Unit::Micros))
            .arg(policy.burst.get())
            .arg(policy.charge(cost).get());
        match tokio::time::timeout(
            CALL_TIMEOUT,
            call.invoke_async::<(i64, u64, u64)>(&mut conn),
        )
        .await
        {
            Ok(Ok((allowed, tat, now))) => {
                Some(policy.decision(allowed == 1, tat, now, cost, Unit::Micros))
            }
            Ok(Err(err)) => {
                self.lost(generation, &err.to_string());
                None
            }
            Err(_) => {
                self.lost(generation, "no answer in time");
                None
            }
        }
    }

    /// Adds `by` to the counter `key` (under the prefix), which expires `ttl_s` seconds after its last change; the new
    /// value, or `None` when Redis cannot give one now.
    pub(super) async fn count(self: &Arc<Self>, key: &str, by: u64, ttl_s: u64) -> Option<u64> {
        let (mut conn, generation) = self.connection()?;
        let key = format!("{}:{key}", self.prefix);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("INCRBY")
            .arg(&key)
            .arg(by)
            .cmd("EXPIRE")
            .arg(&key)
            .arg(ttl_s)
            .ignore();
        match tokio::time::timeout(CALL_TIMEOUT, pipe.query_async::<(u64,)>(&mut conn)).await {
            Ok(Ok((n,))) => Some(n),
            Ok(Err(err)) => {
                self.lost(generation, &err.to_string());
                None
            }
            Err(_) => {
                self.lost(generation, "no answer in time");
                None
            }
        }
    }

    /// Whether Redis answers a PING now, within a check's timeout. A failure starts an outage as a failed check does,
    /// and a link that is down is reconnected in the background, so that the state is fresh without traffic.
    pub(super) async fn ping(self: &Arc<Self>) -> bool {
        let Some((mut conn, generation)) = self.connection() else {
            return false;
        };
        let ping = redis::cmd("PING");
        match tokio::time::timeout(CALL_TIMEOUT, ping.query_async::<String>(&mut conn)).await {
            Ok(Ok(_)) => true,
            Ok(Err(err)) => {
                self.lost(generation, &err.to_string());
                false
            }
            Err(_) => {
                self.lost(generation, "no answer in time");
                false
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Link> {
        self.link.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live connection; when down, starts a reconnection once the back-off has passed.
    fn connection(self: &Arc<Self>) -> Option<(MultiplexedConnection, u64)> {
        let mut link = self.lock();
        match &mut *link {
            Link::Up { conn, generation } => Some((conn.clone(), *generation)),
            Link::Down {
                retry_at,
                connecting,
                ..
            } => {
                if !*connecting && Instant::now() >= *retry_at {
                    *connecting = true;
                    tokio::spawn(self.clone().reconnect());
                }
                None
            }
        }
    }

    #[tracing::instrument(skip_all)]
    async fn connect(&self) -> RedisResult<MultiplexedConnection> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CONNECT_TIMEOUT));
        let mut conn = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        // Loaded now, so that a check is one EVALSHA.
        self.script.prepare_invoke().load_async(&mut conn).await?;
        Ok(conn)
    }

    async fn reconnect(self: Arc<Self>) {
        let result = self.connect().await;
        let (backoff, generation) = match &*self.lock() {
            Link::Down {
                backoff,
                generation,
                ..
            } => (*backoff, *generation),
            Link::Up { .. } => return,
        };
        match result {
            Ok(conn) => {
                self.set_up(conn, generation + 1);
                tracing::info!("redis answers again: rate limits are shared again");
            }
            Err(err) => {
                let backoff = (backoff * 2).min(MAX_BACKOFF);
                tracing::debug!(error = %err, retry_in_ms = backoff.as_millis() as u64, "redis still unreachable");
                *self.lock() = Link::Down {
                    retry_at: Instant::now() + backoff,
                    backoff,
                    connecting: false,
                    generation,
                };
            }
        }
    }

    fn set_up(&self, conn: MultiplexedConnection, generation: u64) {
        *self.lock() = Link::Up { conn, generation };
        self.up.store(true, Ordering::Relaxed);
    }

    /// Connection `generation` failed: the first failure of a live connection starts an outage.
    fn lost(&self, generation: u64, reason: &str) {
        let mut link = self.lock();
        if matches!(&*link, Link::Up { generation: g, .. } if *g == generation) {
            *link = Link::Down {
                retry_at: Instant::now() + FIRST_BACKOFF,
                backoff: FIRST_BACKOFF,
                connecting: false,
                generation,
            };
            self.up.store(false, Ordering::Relaxed);
            tracing::warn!(
                error = reason,
                "redis unreachable: rate limits are kept per process until it answers"
            );
        }
    }
}
