//! `LocalBus`: the single-process bus. Publishing hands the event straight to the sink (the
//! registry), which only knows this node's sessions; subscriptions are therefore no-ops.

use std::sync::OnceLock;

use super::{Bus, Sink, Subscribed};
use crate::chat::event::{Channel, Envelope, Event};

/// In-process bus for one node.
#[derive(Default)]
pub struct LocalBus {
    sink: OnceLock<Sink>,
}

impl Bus for LocalBus {
    fn publish(&self, channel: Channel, event: Event) {
        if let Some(sink) = self.sink.get() {
            sink(Envelope { channel, event });
        }
    }

    fn subscribe(&self, _channel: Channel) -> Subscribed {
        Box::pin(async {})
    }

    fn unsubscribe(&self, _channel: Channel) {}

    fn set_sink(&self, sink: Sink) {
        if self.sink.set(sink).is_err() {
            tracing::error!("LocalBus sink set twice; keeping the first");
        }
    }
}
