//! `RedisBus` against a real Redis: delivery between two buses, unsubscribe, throughput, and
//! recovery from a Redis restart (on a private `redis-server`).
//!
//! The shared Redis comes from `RADAR_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`); every
//! test uses its own random channel prefix.

use std::sync::Arc;
use std::time::{Duration, Instant};

use radar::chat::bus::redis::RedisBus;
use radar::chat::bus::Bus;
use radar::chat::event::{Channel, Envelope, Event};
use radar::ids::{CustomerId, RadarUserId};
use tokio::sync::mpsc;

fn redis_url() -> String {
    std::env::var("RADAR_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

fn random_prefix() -> String {
    format!("radar-test-{}", uuid::Uuid::new_v4())
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .try_init();
}

/// A bus whose sink feeds the returned receiver.
fn bus_with_inbox(url: &str, prefix: &str) -> (Arc<RedisBus>, mpsc::UnboundedReceiver<Envelope>) {
    let bus = RedisBus::connect(url, prefix).expect("a valid Redis URL");
    let (tx, rx) = mpsc::unbounded_channel();
    bus.set_sink(Box::new(move |envelope| {
        let _ = tx.send(envelope);
    }));
    (bus, rx)
}

/// A small event tagged with `n`, easy to tell apart.
fn event(n: i64) -> Event {
    Event::ReadReceipt {
        radar_user: RadarUserId(n),
        customer: CustomerId(7),
    }
}

async fn next(inbox: &mut mpsc::UnboundedReceiver<Envelope>, within: Duration) -> Option<Envelope> {
    tokio::time::timeout(within, inbox.recv())
        .await
        .ok()
        .flatten()
}

/// How many Redis clients are subscribed to `channel`.
async fn subscribers(url: &str, prefix: &str, channel: Channel) -> i64 {
    let client = redis::Client::open(url).expect("a valid Redis URL");
    let mut conn = client
        .get_multiplexed_async_connection()
        .await
        .expect("Redis is up");
    let (_, count): (String, i64) = redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel.name(prefix))
        .query_async(&mut conn)
        .await
        .expect("PUBSUB NUMSUB answers");
    count
}

#[tokio::test]
async fn an_event_published_on_one_bus_reaches_a_subscriber_on_another_and_only_there() {
    init_tracing();
    let (url, prefix) = (redis_url(), random_prefix());
    let (a, mut a_inbox) = bus_with_inbox(&url, &prefix);
    let (b, _b_inbox) = bus_with_inbox(&url, &prefix);
    a.subscribe(Channel::Customer(CustomerId(1))).await;

    b.publish(Channel::Customer(CustomerId(1)), event(1));
    b.publish(Channel::Customer(CustomerId(2)), event(2));

    let got = next(&mut a_inbox, Duration::from_secs(5))
        .await
        .expect("A receives the event");
    assert_eq!(
        got,
        Envelope {
            channel: Channel::Customer(CustomerId(1)),
            event: event(1)
        }
    );
    assert_eq!(
        next(&mut a_inbox, Duration::from_millis(200)).await,
        None,
        "nothing else"
    );
}

#[tokio::test]
async fn after_unsubscribing_a_bus_receives_nothing_more_and_redis_forgets_it() {
    init_tracing();
    let (url, prefix) = (redis_url(), random_prefix());
    let (a, mut a_inbox) = bus_with_inbox(&url, &prefix);
    let (b, _b_inbox) = bus_with_inbox(&url, &prefix);
    a.subscribe(Channel::Radar(RadarUserId(5))).await;
    b.publish(Channel::Radar(RadarUserId(5)), event(1));
    assert!(next(&mut a_inbox, Duration::from_secs(5)).await.is_some());

    a.unsubscribe(Channel::Radar(RadarUserId(5)));
    b.publish(Channel::Radar(RadarUserId(5)), event(2));

    assert_eq!(next(&mut a_inbox, Duration::from_millis(300)).await, None);
    let deadline = Instant::now() + Duration::from_secs(5);
    while subscribers(&url, &prefix, Channel::Radar(RadarUserId(5))).await != 0 {
        assert!(
            Instant::now() < deadline,
            "Redis still lists the subscription"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn ten_thousand_events_arrive_quickly_and_in_order_per_channel() {
    init_tracing();
    let (url, prefix) = (redis_url(), random_prefix());
    let (a, mut a_inbox) = bus_with_inbox(&url, &prefix);
    let (b, _b_inbox) = bus_with_inbox(&url, &prefix);
    a.subscribe(Channel::Customer(CustomerId(1))).await;
    a.subscribe(Channel::Customer(CustomerId(2))).await;
    let started = Instant::now();

    for n in 0..10_000 {
        b.publish(Channel::Customer(CustomerId(1 + n % 2)), event(n));
    }

    let mut last = [-1i64, -1];
    for _ in 0..10_000 {
        let got = next(&mut a_inbox, Duration::from_secs(5))
            .await
            .expect("all events arrive");
        let (
            Channel::Customer(CustomerId(c)),
            Event::ReadReceipt {
                radar_user: RadarUserId(n),
                ..
            },
        ) = (got.channel, got.event)
        else {
            panic!("unexpected envelope");
        };
        assert_eq!(c, 1 + n % 2, "event {n} on the wrong channel");
        let slot = (c - 1) as usize;
        assert!(
            n > last[slot],
            "event {n} after {} on channel {c}",
            last[slot]
        );
        last[slot] = n;
    }
    let elapsed = started.elapsed();
    eprintln!("10000 events in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "too slow: {elapsed:?}");
}

#[path = "support/private_redis.rs"]
mod private_redis;
use private_redis::PrivateRedis;

#[tokio::test]
async fn a_subscription_survives_a_redis_restart() {
    init_tracing();
    let prefix = random_prefix();
    let mut redis = PrivateRedis::new();
    // Buses start while Redis is still down: connect returns at once and keeps retrying.
    let (a, mut a_inbox) = bus_with_inbox(&redis.url(), &prefix);
    let (b, _b_inbox) = bus_with_inbox(&redis.url(), &prefix);
    redis.start().await;
    a.subscribe(Channel::Customer(CustomerId(1))).await;
    publish_until_received(&b, &mut a_inbox, Channel::Customer(CustomerId(1)), 1).await;

    // Outage: publishes are dropped, and a subscribe resolves after its 2 s timeout.
    redis.stop();
    for n in 100..110 {
        b.publish(Channel::Customer(CustomerId(1)), event(n));
    }
    let started = Instant::now();
    a.subscribe(Channel::Customer(CustomerId(2))).await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(2_500),
        "subscribe hung for {waited:?}"
    );
    redis.start().await;

    // Both the old and the new subscription are live again.
    publish_until_received(&b, &mut a_inbox, Channel::Customer(CustomerId(1)), 1_000).await;
    publish_until_received(&b, &mut a_inbox, Channel::Customer(CustomerId(2)), 2_000).await;
}

/// Publishes on `channel` every 100 ms until an event from this loop arrives, for 10 s at most.
async fn publish_until_received(
    publisher: &RedisBus,
    inbox: &mut mpsc::UnboundedReceiver<Envelope>,
    channel: Channel,
    first: i64,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut n = first;
    while Instant::now() < deadline {
        publisher.publish(channel, event(n));
        n += 1;
        while let Some(got) = next(inbox, Duration::from_millis(100)).await {
            if let (
                true,
                Event::ReadReceipt {
                    radar_user: RadarUserId(radar_user),
                    ..
                },
            ) = (got.channel == channel, got.event)
            {
                if (first..n).contains(&radar_user) {
                    return;
                }
            }
        }
    }
    panic!("nothing arrived on {channel:?} within 10 s");
}
