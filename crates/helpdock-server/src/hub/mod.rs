//! Fan-out: every socket subscribes to its channel (a visitor's or an
//! agent's) and any part of the server publishes frames to a channel.
//!
//! [`Hub`] is the trait the rest of the server sees, with two
//! implementations: [`InProcess`], for one node (the default, and the
//! demo's), and [`redis::RedisHub`], for several nodes sharing a
//! PostgreSQL store, where a frame published on one node reaches the
//! sockets of every node through Redis pub/sub. Either way the sockets of
//! *this* node hang off one [`Local`] table. A subscriber that cannot keep
//! up is dropped rather than allowed to grow memory: its socket closes and
//! the client reconnects and resumes from its last `seq`. Delivery is at
//! most once; the store is the truth.

pub mod redis;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use helpdock_core::protocol::ServerFrame;
use tokio::sync::{mpsc, watch};

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

/// Publishing frames to channels, subscribing this node's sockets, and who
/// is connected, on this node or across all of them.
pub trait Hub: Send + Sync + std::fmt::Debug {
    /// Sends a frame to every socket subscribed to `channel` (none: it is
    /// dropped). Never waits: what cannot be sent now is lost, as a
    /// closed socket would lose it, and the client resumes from the store.
    fn publish(&self, channel: &Channel, frame: &ServerFrame);

    /// Subscribes a socket of this node to a channel.
    fn subscribe(&self, channel: Channel) -> Subscription;

    /// Waits until everything published so far has left this node (handed
    /// to the other nodes, or delivered here when they cannot be reached).
    fn flush(&self) -> BoxFuture<'_, ()>;

    /// How many sockets are subscribed to `channel`, on every node.
    fn subscribers<'a>(&'a self, channel: &'a Channel) -> BoxFuture<'a, usize>;

    /// The agents with a socket open, on any node.
    fn online_agents(&self) -> BoxFuture<'_, Vec<String>>;

    /// Tells every node that a waiting list changed. Each node then sends
    /// the agents whose sockets it holds their lists, coalescing what
    /// changes meanwhile (`chat::send_queue_lists`): one small broadcast
    /// per event instead of one list per online agent.
    fn queue_changed(&self);

    /// This node's sockets, for what only this node sends (see
    /// [`Hub::queue_changed`]).
    fn here(&self) -> &Arc<Local>;
}

/// The sockets of this node, by channel.
#[derive(Debug)]
pub struct Local {
    subscribers: Mutex<Subscribers>,
    next_id: AtomicU64,
    /// Told the channel whenever its number of subscribers changes (the
    /// Redis hub keeps the cluster's presence from it).
    changes: Option<mpsc::UnboundedSender<Channel>>,
    /// Counts the waiting-list changes heard of, from any node.
    queue: watch::Sender<u64>,
}

impl Default for Local {
    fn default() -> Local {
        Local {
            subscribers: Mutex::default(),
            next_id: AtomicU64::default(),
            changes: None,
            queue: watch::channel(0).0,
        }
    }
}

/// A live subscription; dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    local: Arc<Local>,
    channel: Channel,
    id: u64,
    /// The frames published to the channel. It ends when the socket must
    /// resume from the store (it fell behind, or the node lost frames).
    pub frames: mpsc::Receiver<ServerFrame>,
}

impl Local {
    /// A table that reports every change of a channel's subscriber count.
    pub fn watched(changes: mpsc::UnboundedSender<Channel>) -> Local {
        Local { changes: Some(changes), ..Local::default() }
    }

    /// Subscribes to a channel.
    pub fn subscribe(self: &Arc<Local>, channel: Channel) -> Subscription {
        let (tx, rx) = mpsc::channel(BACKLOG);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().entry(channel.clone()).or_default().push((id, tx));
        self.changed(&channel);
        Subscription { local: Arc::clone(self), channel, id, frames: rx }
    }

    /// Sends a frame to every subscriber of a channel on this node.
    ///
    /// A typing indicator is only a hint: it is sent while a subscriber has
    /// more than half its backlog free, and skipped (never the subscriber)
    /// otherwise, so a flood of them cannot push an agent offline or crowd
    /// out the frames that matter.
    pub fn deliver(&self, channel: &Channel, frame: &ServerFrame) {
        let ephemeral = matches!(frame, ServerFrame::Typing { .. });
        let mut subscribers = self.lock();
        let Some(list) = subscribers.get_mut(channel) else {
            return;
        };
        let before = list.len();
        // A full or closed subscriber is removed: its socket ends and the
        // client resumes from its last seq.
        list.retain(|(_, tx)| {
            if ephemeral {
                if tx.capacity() > BACKLOG / 2 {
                    _ = tx.try_send(frame.clone());
                }
                return !tx.is_closed();
            }
            tx.try_send(frame.clone()).is_ok()
        });
        let changed = list.len() != before;
        if list.is_empty() {
            subscribers.remove(channel);
        }
        drop(subscribers);
        if changed {
            self.changed(channel);
        }
    }

    /// How many sockets are subscribed to `channel` on this node.
    pub fn count(&self, channel: &Channel) -> usize {
        self.lock().get(channel).map_or(0, Vec::len)
    }

    /// Every channel with a subscriber on this node, and how many.
    pub fn counts(&self) -> Vec<(Channel, usize)> {
        self.lock().iter().map(|(c, list)| (c.clone(), list.len())).collect()
    }

    /// The agents with a socket open on this node.
    pub fn agents(&self) -> Vec<String> {
        self.lock()
            .keys()
            .filter_map(|c| match c {
                Channel::Agent(id) => Some(id.clone()),
                Channel::Visitor(_) => None,
            })
            .collect()
    }

    /// Notes that a waiting list changed (here or on another node).
    pub fn queue_changed(&self) {
        self.queue.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Wakes on every [`Local::queue_changed`] after the call (several
    /// while nobody looks count as one).
    pub fn queue_events(&self) -> watch::Receiver<u64> {
        self.queue.subscribe()
    }

    /// Ends every subscription: each socket closes and its client resumes
    /// from the store (after frames may have been lost, e.g. while Redis
    /// was unreachable).
    pub fn end_all(&self) -> usize {
        let ended: Vec<(Channel, usize)> = self.lock().drain().map(|(c, list)| (c, list.len())).collect();
        for (channel, _) in &ended {
            self.changed(channel);
        }
        ended.iter().map(|(_, n)| n).sum()
    }

    fn changed(&self, channel: &Channel) {
        if let Some(changes) = &self.changes {
            _ = changes.send(channel.clone());
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Subscribers> {
        // A panic while holding the lock leaves the map consistent (every
        // operation is a single insert or retain), so poisoning is ignored.
        self.subscribers.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut subscribers = self.local.lock();
        let Some(list) = subscribers.get_mut(&self.channel) else {
            return;
        };
        let before = list.len();
        list.retain(|(id, _)| *id != self.id);
        let changed = list.len() != before;
        if list.is_empty() {
            subscribers.remove(&self.channel);
        }
        drop(subscribers);
        if changed {
            self.local.changed(&self.channel);
        }
    }
}

/// One node: frames go straight to this node's sockets.
#[derive(Debug, Default)]
pub struct InProcess {
    local: Arc<Local>,
}

impl Hub for InProcess {
    fn publish(&self, channel: &Channel, frame: &ServerFrame) {
        self.local.deliver(channel, frame);
    }

    fn subscribe(&self, channel: Channel) -> Subscription {
        self.local.subscribe(channel)
    }

    fn flush(&self) -> BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }

    fn subscribers<'a>(&'a self, channel: &'a Channel) -> BoxFuture<'a, usize> {
        Box::pin(std::future::ready(self.local.count(channel)))
    }

    fn online_agents(&self) -> BoxFuture<'_, Vec<String>> {
        Box::pin(std::future::ready(self.local.agents()))
    }

    fn queue_changed(&self) {
        self.local.queue_changed();
    }

    fn here(&self) -> &Arc<Local> {
        &self.local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_subscriber_of_a_channel_gets_the_frame_and_others_do_not() {
        let hub = InProcess::default();
        let mut a = hub.subscribe(Channel::Visitor("v1".into()));
        let mut b = hub.subscribe(Channel::Visitor("v1".into()));
        let mut other = hub.subscribe(Channel::Visitor("v2".into()));
        hub.publish(&Channel::Visitor("v1".into()), &ServerFrame::Pong);
        assert_eq!(a.frames.recv().await, Some(ServerFrame::Pong));
        assert_eq!(b.frames.recv().await, Some(ServerFrame::Pong));
        assert!(other.frames.try_recv().is_err());
        drop(a);
        drop(b);
        assert_eq!(hub.local.count(&Channel::Visitor("v1".into())), 0);
        assert!(hub.local.count(&Channel::Visitor("v2".into())) > 0);
    }

    #[tokio::test]
    async fn a_stuck_subscriber_is_dropped() {
        let hub = InProcess::default();
        let mut stuck = hub.subscribe(Channel::Agent("a".into()));
        for _ in 0..=BACKLOG {
            hub.publish(&Channel::Agent("a".into()), &ServerFrame::Pong);
        }
        assert_eq!(hub.local.count(&Channel::Agent("a".into())), 0);
        let mut received = 0;
        while stuck.frames.recv().await.is_some() {
            received += 1;
        }
        assert_eq!(received, BACKLOG);
    }
}
