//! `Held`: the pushes a socket holds back so that a send's ack precedes its echo.
//!
//! A chat socket also receives its own side's messages (another device of the same principal, an
//! HTTP send, and the echo of its own socket sends). The writer publishes a message right after
//! its commit, so the echo can reach the session before the send's ack is written. An own-side
//! message is therefore held until every send the session had started when it arrived is acked:
//! only those can be its origin. Anything arriving behind a held push waits for it, so pushes keep
//! their order. Sends started later never hold an earlier push: a socket that keeps sending does
//! not starve its pushes (holding until no send was in flight did, by seconds, under load).

use std::collections::VecDeque;

/// Pushes held back, in arrival order, each with the number of acked sends it waits for.
#[derive(Debug)]
pub(super) struct Held<T>(VecDeque<(u64, T)>);

impl<T> Default for Held<T> {
    fn default() -> Held<T> {
        Held(VecDeque::new())
    }
}

impl<T> Held<T> {
    /// Holds `push` if it must wait, given its side (`own_side`), the sends `started` so far and
    /// those `acked`; gives it back when it can go out now.
    pub(super) fn admit(&mut self, push: T, own_side: bool, started: u64, acked: u64) -> Option<T> {
        let after = if own_side && started > acked {
            Some(started)
        } else {
            self.0.back().map(|(after, _)| *after)
        };
        match after {
            Some(after) => {
                self.0.push_back((after, push));
                None
            }
            None => Some(push),
        }
    }

    /// The held pushes that may go out once `acked` sends are acked, in order.
    pub(super) fn release(&mut self, acked: u64) -> Vec<T> {
        let mut out = Vec::new();
        while self.0.front().is_some_and(|(after, _)| *after <= acked) {
            if let Some((_, push)) = self.0.pop_front() {
                out.push(push);
            }
        }
        out
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_waits_only_for_the_sends_started_before_it_arrived() {
        let mut held = Held::default();
        // Sends 0 and 1 in flight; the echo of send 0 arrives.
        assert_eq!(held.admit("echo 0", true, 2, 0), None);
        // A peer's message behind it waits too (order), not for sends of its own.
        assert_eq!(held.admit("peer", false, 2, 0), None);
        assert!(held.release(1).is_empty(), "send 1 may be its origin");
        // The socket keeps sending (sends 2..10 start), send 1 is acked: both go out.
        assert_eq!(held.release(2), vec!["echo 0", "peer"]);
        assert!(held.is_empty());
    }

    #[test]
    fn nothing_is_held_without_a_send_in_flight_or_a_push_ahead() {
        let mut held = Held::default();
        assert_eq!(
            held.admit("own, nothing in flight", true, 3, 3),
            Some("own, nothing in flight")
        );
        assert_eq!(held.admit("peer", false, 5, 3), Some("peer"));
        assert_eq!(held.admit("own", true, 5, 3), None);
        assert_eq!(held.admit("own later", true, 9, 3), None);
        assert_eq!(held.release(5), vec!["own"]);
        assert_eq!(held.release(8), Vec::<&str>::new());
        assert_eq!(held.release(9), vec!["own later"]);
    }
}
