//! What keeps sign-in from being a lever against the service: a per-address rate limit in front
//! of password and secret checks, and a bound on how many argon2 hashes run at once (each holds
//! about 19 MiB of working memory and a core for tens of milliseconds).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::context::Origin;
use crate::error::{Error, TooMany};

/// Addresses remembered before the limiter forgets those whose quota has refilled.
const REMEMBERED_ADDRESSES: usize = 100_000;

/// How long a sign-in waits for a free hashing slot before it is answered 429.
const HASHING_WAIT: Duration = Duration::from_secs(2);

/// Sign-in attempts (people and clients) per client address: `per_minute` a minute, refilled
/// evenly, the full minute's worth available at once.
pub struct SignInRate {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    per_minute: u32,
}

impl SignInRate {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        SignInRate {
            limiter: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)),
            per_minute: per_minute.get(),
        }
    }

    /// Takes one attempt from the caller's address, or answers 429 with when to retry. A request
    /// whose address is unknown (only in-process tests) is not limited.
    pub fn check(&self, origin: &Origin) -> Result<(), Error> {
        let Some(address) = origin
            .client_address
            .as_deref()
            .and_then(|a| a.parse::<IpAddr>().ok())
        else {
            return Ok(());
        };
        if self.limiter.len() > REMEMBERED_ADDRESSES {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Error::TooManyRequests {
                retry_after_seconds: wait.as_secs_f64().ceil().max(1.0) as u64,
                reason: TooMany::SignInRate {
                    quota: self.per_minute,
                    window_seconds: 60,
                },
            }
        })
    }
}

/// A job for a hashing thread.
type Job = Box<dyn FnOnce() + Send>;

/// Password hashing on its own few threads, one per core: at most that many argon2 runs at
/// once, and only those threads' allocator arenas ever hold argon2's buffers. (Run on tokio's
/// blocking pool instead, each hash could land on another of up to 512 threads, each keeping its
/// own arena: 64 connections of sign-ins took a server past 600 MiB.) A sign-in waits up to 2 s
/// for a free thread, then gets 429.
#[derive(Clone)]
pub struct PasswordHashing {
    slots: Arc<Semaphore>,
    jobs: std::sync::mpsc::SyncSender<Job>,
}

impl PasswordHashing {
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(threads);
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for n in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking a job, not while running it.
                        let job = match queue.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password-hashing thread");
            }
        }
        PasswordHashing {
            slots: Arc::new(Semaphore::new(threads)),
            jobs,
        }
    }

    /// Runs `work` (a password hash or check) on a hashing thread, once one is free within 2 s.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let _slot = self.acquire().await?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
        });
        self.jobs
            .try_send(job)
            .map_err(|_| Error::internal(&"the password-hashing threads are gone"))?;
        answer
            .await
            .map_err(|_| Error::internal(&"a password-hashing thread stopped"))
    }

    async fn acquire(&self) -> Result<SemaphorePermit<'_>, Error> {
        match tokio::time::timeout(HASHING_WAIT, self.slots.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(Error::internal(&closed)),
            Err(_) => Err(Error::TooManyRequests {
                retry_after_seconds: 1,
                reason: TooMany::Busy,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(address: &str) -> Origin {
        Origin {
            request_id: None,
            client_address: Some(address.into()),
        }
    }

    #[test]
    fn an_address_gets_its_quota_then_429_and_others_are_untouched() {
        let rate = SignInRate::new(3);
        for _ in 0..3 {
            assert!(rate.check(&from("192.0.2.1")).is_ok());
        }
        match rate.check(&from("192.0.2.1")) {
            Err(Error::TooManyRequests {
                retry_after_seconds,
                reason:
                    TooMany::SignInRate {
                        quota: 3,
                        window_seconds: 60,
                    },
            }) => assert!(
                (1..=20).contains(&retry_after_seconds),
                "{retry_after_seconds}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(rate.check(&from("192.0.2.2")).is_ok());
        assert!(rate.check(&Origin::default()).is_ok(), "unknown address");
    }

    #[tokio::test]
    async fn hashing_runs_on_its_threads_and_beyond_them_waits_then_is_refused() {
        let permits = PasswordHashing::new(1);
        let name = permits
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("password-hash-0"));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let busy = permits.clone();
        let holder = tokio::spawn(async move { busy.run(move || released.recv()).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(matches!(
            permits.run(|| ()).await,
            Err(Error::TooManyRequests {
                reason: TooMany::Busy,
                ..
            })
        ));
        release.send(()).unwrap();
        holder.await.unwrap().unwrap().unwrap();
        assert_eq!(permits.run(|| 7).await.unwrap(), 7);
    }
}
