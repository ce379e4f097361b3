//! The registry's side of the revocation sweep (`chat::revocation`, which does the I/O): listing
//! the principals bound on this node with their token fingerprints, a page at a time
//! (`Principals`), and closing exactly the sockets bound with a stale one (`Revoke`).

use actix::prelude::*;

use super::{Channel, Push, Registry, Target};

/// The principals with sockets bound on this node, each with the fingerprint of every token its
/// sockets verified (a principal's sockets usually share one): page `page` of `pages` (by id),
/// so the revocation sweep reads and holds one page at a time.
#[derive(Message)]
#[rtype(result = "Vec<(Channel, u64)>")]
pub struct Principals {
    pub page: usize,
    pub pages: usize,
}

/// Closes the sockets bound to these (principal, token fingerprint) pairs, whose account lost
/// access or has another token now: each session gets `Push::Revoked` and leaves the registry at
/// once. Answers how many sessions were told.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct Revoke(pub Vec<(Channel, u64)>);

impl Handler<Principals> for Registry {
    type Result = Vec<(Channel, u64)>;

    fn handle(&mut self, msg: Principals, _: &mut Context<Self>) -> Self::Result {
        let pages = i64::try_from(msg.pages.max(1)).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for (channel, list) in &self.channels {
            let id = match *channel {
                Channel::Customer(id) => id.0,
                Channel::Radar(id) => id.0,
                Channel::Everyone => continue,
            };
            if usize::try_from(id.rem_euclid(pages)).ok() != Some(msg.page) {
                continue;
            }
            let first = out.len();
            for listener in list {
                let session = matches!(listener.target, Target::Session(_));
                if session && !out[first..].iter().any(|&(_, t)| t == listener.token) {
                    out.push((*channel, listener.token));
                }
            }
        }
        out
    }
}

impl Handler<Revoke> for Registry {
    type Result = usize;

    fn handle(&mut self, Revoke(stale): Revoke, _: &mut Context<Self>) -> usize {
        let mut told = 0;
        for (channel, token) in stale {
            let Some(list) = self.channels.get(&channel) else {
                continue;
            };
            let mut gone = Vec::new();
            for listener in list.iter().filter(|l| l.token == token) {
                if let Target::Session(session) = &listener.target {
                    // Past the mailbox bound on purpose, like `CloseAll`: a session that is
                    // behind must still be closed.
                    session.do_send(Push::Revoked);
                    gone.push(listener.conn);
                }
            }
            told += gone.len();
            for conn in gone {
                self.conns.remove(&conn);
                self.remove_from(channel, conn);
            }
        }
        told
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::chat::bus::local::LocalBus;
    use crate::chat::revocation::fingerprint;
    use crate::ids::{CustomerId, RadarUserId};
    use std::collections::HashSet;
    use std::sync::Arc;
    use std::sync::Mutex;
    use tokio::sync::oneshot;

    /// A stand-in session that records the pushes it gets.
    struct Probe(Arc<Mutex<Vec<String>>>);

    impl Actor for Probe {
        type Context = Context<Self>;
    }

    impl Handler<Push> for Probe {
        type Result = ();

        fn handle(&mut self, push: Push, _: &mut Context<Self>) {
            self.0.lock().unwrap().push(format!("{push:?}"));
        }
    }

    /// Binds a probe as connection `conn`, verified with `token`; answers what it gets.
    async fn bind(
        registry: &Addr<Registry>,
        conn: ConnId,
        channel: Channel,
        token: &str,
    ) -> Arc<Mutex<Vec<String>>> {
        let got = Arc::new(Mutex::new(Vec::new()));
        let session = Probe(got.clone()).start().recipient();
        registry
            .send(Bind {
                conn,
                channel,
                interest: Interest::RadarBadge,
                session,
                closer: None,
                token: fingerprint(token),
            })
            .await
            .unwrap();
        got
    }

    #[actix_web::test]
    async fn revoke_closes_exactly_the_sockets_bound_with_a_stale_token() {
        let registry =
            Registry::start(Arc::new(LocalBus::default()), std::time::Duration::ZERO, 64);
        let old = bind(&registry, 1, Channel::Radar(RadarUserId(7)), "old").await;
        let new = bind(&registry, 2, Channel::Radar(RadarUserId(7)), "new").await;
        let same = bind(&registry, 3, Channel::Radar(RadarUserId(7)), "new").await;
        let other = bind(&registry, 4, Channel::Customer(CustomerId(7)), "old").await;
        let (wake, _woken) = oneshot::channel();
        registry
            .send(Wait {
                conn: 5,
                channel: Channel::Radar(RadarUserId(8)),
                interest: Interest::RadarWait {
                    customer: CustomerId(1),
                },
                wake,
            })
            .await
            .unwrap();

        let listed = registry
            .send(Principals { page: 0, pages: 1 })
            .await
            .unwrap();
        assert_eq!(
            listed.len(),
            3,
            "one entry per (principal, token), no long-polls: {listed:?}"
        );
        let listed: HashSet<_> = listed.into_iter().collect();
        let expected = HashSet::from([
            (Channel::Radar(RadarUserId(7)), fingerprint("old")),
            (Channel::Radar(RadarUserId(7)), fingerprint("new")),
            (Channel::Customer(CustomerId(7)), fingerprint("old")),
        ]);
        assert_eq!(listed, expected);

        let told = registry
            .send(Revoke(vec![(
                Channel::Radar(RadarUserId(7)),
                fingerprint("old"),
            )]))
            .await
            .unwrap();
        assert_eq!(told, 1);
        let stats = registry.send(GetStats).await.unwrap();
        assert_eq!(stats.listeners, 4, "the revoked socket left the registry");
        for _ in 0..100 {
            if !old.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(*old.lock().unwrap(), ["Revoked"]);
        for untouched in [new, same, other] {
            assert!(untouched.lock().unwrap().is_empty());
        }
    }

    #[actix_web::test]
    async fn principals_come_in_disjoint_pages_that_cover_them_all() {
        let registry =
            Registry::start(Arc::new(LocalBus::default()), std::time::Duration::ZERO, 64);
        for id in 0..10 {
            bind(
                &registry,
                id as u64 + 1,
                Channel::Customer(CustomerId(id)),
                "t",
            )
            .await;
        }
        let mut seen = HashSet::new();
        for page in 0..3 {
            for entry in registry.send(Principals { page, pages: 3 }).await.unwrap() {
                assert!(seen.insert(entry), "{entry:?} listed twice");
            }
        }
        assert_eq!(seen.len(), 10);
    }
}
