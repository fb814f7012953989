//! In-process fan-out: every socket subscribes to its channel (a visitor's
//! or an agent's) and any part of the server publishes frames to a channel.
//!
//! The shape is the one a shared bus has (Redis pub/sub: `PUBLISH channel`,
//! `SUBSCRIBE channel`), so several server processes can later share a
//! Redis-backed hub with the same two calls. A subscriber that cannot keep
//! up is dropped rather than allowed to grow memory: its socket closes and
//! the client reconnects and resumes from its last `seq`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use helpdock_core::protocol::ServerFrame;
use tokio::sync::mpsc;

type Subscribers = HashMap<Channel, Vec<(u64, mpsc::Sender<ServerFrame>)>>;

/// Frames a subscriber may have waiting before it counts as stuck.
const BACKLOG: usize = 512;

/// Who a frame is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Every socket of one visitor.
    Visitor(String),
    /// Every socket of one agent.
    Agent(String),
}

/// The fan-out.
#[derive(Debug, Default)]
pub struct Hub {
    subscribers: Mutex<Subscribers>,
    next_id: AtomicU64,
}

/// A live subscription; dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    hub: Arc<Hub>,
    channel: Channel,
    id: u64,
    /// The frames published to the channel.
    pub frames: mpsc::Receiver<ServerFrame>,
}

impl Hub {
    /// Subscribes to a channel.
    pub fn subscribe(self: &Arc<Hub>, channel: Channel) -> Subscription {
        let (tx, rx) = mpsc::channel(BACKLOG);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().entry(channel.clone()).or_default().push((id, tx));
        Subscription { hub: Arc::clone(self), channel, id, frames: rx }
    }

    /// Sends a frame to every subscriber of a channel (none: dropped).
    ///
    /// A typing indicator is only a hint: it is sent while a subscriber has
    /// more than half its backlog free, and skipped (never the subscriber)
    /// otherwise, so a flood of them cannot push an agent offline or crowd
    /// out the frames that matter.
    pub fn publish(&self, channel: &Channel, frame: &ServerFrame) {
        let ephemeral = matches!(frame, ServerFrame::Typing { .. });
        let mut subscribers = self.lock();
        if let Some(list) = subscribers.get_mut(channel) {
            // A full or closed subscriber is removed: its socket ends and
            // the client resumes from its last seq.
            list.retain(|(_, tx)| {
                if ephemeral {
                    if tx.capacity() > BACKLOG / 2 {
                        _ = tx.try_send(frame.clone());
                    }
                    return !tx.is_closed();
                }
                tx.try_send(frame.clone()).is_ok()
            });
            if list.is_empty() {
                subscribers.remove(channel);
            }
        }
    }

    /// How many sockets are subscribed to `channel` on this node.
    pub fn subscribers(&self, channel: &Channel) -> usize {
        self.lock().get(channel).map_or(0, Vec::len)
    }

    /// Whether a channel has a subscriber (an agent is online).
    pub fn is_online(&self, channel: &Channel) -> bool {
        self.lock().get(channel).is_some_and(|list| !list.is_empty())
    }

    /// The agents with a socket open.
    pub fn online_agents(&self) -> Vec<String> {
        self.lock()
            .keys()
            .filter_map(|c| match c {
                Channel::Agent(id) => Some(id.clone()),
                Channel::Visitor(_) => None,
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Subscribers> {
        // A panic while holding the lock leaves the map consistent (every
        // operation is a single insert or retain), so poisoning is ignored.
        self.subscribers.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut subscribers = self.hub.lock();
        if let Some(list) = subscribers.get_mut(&self.channel) {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                subscribers.remove(&self.channel);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_subscriber_of_a_channel_gets_the_frame_and_others_do_not() {
        let hub = Arc::new(Hub::default());
        let mut a = hub.subscribe(Channel::Visitor("v1".into()));
        let mut b = hub.subscribe(Channel::Visitor("v1".into()));
        let mut other = hub.subscribe(Channel::Visitor("v2".into()));
        hub.publish(&Channel::Visitor("v1".into()), &ServerFrame::Pong);
        assert_eq!(a.frames.recv().await, Some(ServerFrame::Pong));
        assert_eq!(b.frames.recv().await, Some(ServerFrame::Pong));
        assert!(other.frames.try_recv().is_err());
        drop(a);
        drop(b);
        assert!(!hub.is_online(&Channel::Visitor("v1".into())));
        assert!(hub.is_online(&Channel::Visitor("v2".into())));
    }

    #[tokio::test]
    async fn a_stuck_subscriber_is_dropped() {
        let hub = Arc::new(Hub::default());
        let mut stuck = hub.subscribe(Channel::Agent("a".into()));
        for _ in 0..=BACKLOG {
            hub.publish(&Channel::Agent("a".into()), &ServerFrame::Pong);
        }
        assert!(!hub.is_online(&Channel::Agent("a".into())));
        let mut received = 0;
        while stuck.frames.recv().await.is_some() {
            received += 1;
        }
        assert_eq!(received, BACKLOG);
    }
}
