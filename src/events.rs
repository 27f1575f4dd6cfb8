//! Change events: what subscribers and the other replicas learn after a write commits.
//!
//! Every write appends an audit event in its own transaction (`store::audit::record`); once the transaction commits,
//! the store hands those events to [`Events::committed`]. Here they reach the subscribers of this process through a
//! broadcast channel.
//!
//! Fan-out across replicas ([`Fanout`]): on SQLite one process owns the database, so a committed write is published
//! here directly. On PostgreSQL several hub processes may share the database, so a trigger NOTIFYs every appended
//! audit event (migration `m20261129_000006_change_notify`) and each process's [`listener`] publishes what it hears,
//! its own writes included; `committed` then publishes nothing, or local subscribers would see each event twice.

pub mod listener;

use std::sync::Arc;

use entities::audit_event;
use tokio::sync::broadcast;

/// How many events a slow subscriber may fall behind before it skips (it is told how many it missed).
const CHANNEL_CAPACITY: usize = 1024;

/// One committed change, as subscribers see it: which entity, what happened, and who did it. No personal data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangeEvent {
    /// The audit event's id.
    pub audit_id: i64,
    /// `information_system`, `agency`, `project`, ...
    pub entity: String,
    pub entity_key: String,
    /// `register`, `update`, `retire`, `propose_level`, `appraise_level`, `approve_level`, `reject_level`, ...
    pub action: String,
    pub agency_code: String,
    pub at_ms: i64,
}

impl From<&audit_event::Model> for ChangeEvent {
    fn from(e: &audit_event::Model) -> Self {
        ChangeEvent {
            audit_id: e.id,
            entity: e.entity.clone(),
            entity_key: e.entity_key.clone(),
            action: e.action.clone(),
            agency_code: e.agency_code.clone(),
            at_ms: e.at_ms,
        }
    }
}

/// Where this process's subscribers learn of writes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fanout {
    /// From the store, when a write commits (SQLite: one process per database).
    Local,
    /// From the database's notifications, which carry every replica's writes (PostgreSQL).
    Database,
}

/// The process's event channel. Cheap to clone.
#[derive(Clone)]
pub struct Events {
    sender: Arc<broadcast::Sender<ChangeEvent>>,
    fanout: Fanout,
}

impl Default for Events {
    fn default() -> Self {
        Events::new(Fanout::Local)
    }
}

impl Events {
    pub fn new(fanout: Fanout) -> Self {
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        Events {
            sender: Arc::new(sender),
            fanout,
        }
    }

    pub fn fanout(&self) -> Fanout {
        self.fanout
    }

    /// Called by the store after a transaction that appended `events` has committed. With [`Fanout::Database`] the
    /// listener publishes them when the database's notification arrives, so nothing is published here.
    pub fn committed(&self, events: &[audit_event::Model]) {
        if self.fanout == Fanout::Database {
            return;
        }
        for e in events {
            self.publish(ChangeEvent::from(e));
        }
    }

    /// Hands an event to this process's subscribers (none listening is fine).
    pub fn publish(&self, event: ChangeEvent) {
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.sender.subscribe()
    }

    /// How many receivers are open: the live subscriptions of this process (exported on `/metrics`).
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64) -> audit_event::Model {
        audit_event::Model {
            id,
            at_ms: 1,
            actor: "a".into(),
            agency_code: "000.00.00.H48".into(),
            action: "register".into(),
            entity: "information_system".into(),
            entity_key: "k".into(),
            before_json: None,
            after_json: None,
            request_id: None,
        }
    }

    #[test]
    fn local_fanout_publishes_committed_events() {
        let events = Events::new(Fanout::Local);
        let mut rx = events.subscribe();
        events.committed(&[event(7)]);
        assert_eq!(rx.try_recv().map(|e| e.audit_id).ok(), Some(7));
    }

    #[test]
    fn database_fanout_leaves_publishing_to_the_listener() {
        let events = Events::new(Fanout::Database);
        let mut rx = events.subscribe();
        events.committed(&[event(7)]);
        assert!(rx.try_recv().is_err(), "published twice on PostgreSQL");
        events.publish(ChangeEvent::from(&event(8)));
        assert_eq!(rx.try_recv().map(|e| e.audit_id).ok(), Some(8));
    }
}
