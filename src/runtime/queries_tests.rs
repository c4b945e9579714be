use super::*;
use crate::store::{NewOutgoing, Store};

fn outgoing(store: &mut Store, n: usize) {
    for i in 0..n {
        store
            .insert_outgoing(&NewOutgoing {
                id: None,
                account: "local".into(),
                peer_key: "sip:bob@example.org".into(),
                peer_address: "sip:bob@example.org".into(),
                display_name: None,
                local_id: None,
                content_type: "text/plain".into(),
                body: format!("m{i}"),
                file_ref: None,
                sent_at: 1000 + i64::try_from(i).unwrap(),
            })
            .unwrap();
    }
}

#[test]
fn pages_are_oldest_first_and_know_when_they_reach_the_start() {
    let mut store = Store::open_in_memory().unwrap();
    outgoing(&mut store, 5);
    let (newest, complete) = page(&store, "local", "sip:bob@example.org", None, 3).unwrap();
    let bodies: Vec<_> = newest.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["m2", "m3", "m4"]);
    assert!(!complete);
    let (older, complete) = page(&store, "local", "sip:bob@example.org", Some(newest[0].id), 3).unwrap();
    let bodies: Vec<_> = older.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["m0", "m1"]);
    assert!(complete);
    // An exact fit still knows there is nothing before it.
    let (all, complete) = page(&store, "local", "sip:bob@example.org", None, 5).unwrap();
    assert_eq!(all.len(), 5);
    assert!(complete);
    let (none, complete) = page(&store, "local", "sip:nobody@example.org", None, 5).unwrap();
    assert!(none.is_empty() && complete);
}

#[test]
fn only_history_commands_are_queries() {
    assert_eq!(
        Query::from_command(Command::LoadConversations),
        Ok(Query::Conversations)
    );
    assert_eq!(
        Query::from_command(Command::LoadTransfers { account: None }),
        Ok(Query::Transfers { account: None })
    );
    assert_eq!(Query::from_command(Command::Shutdown), Err(Command::Shutdown));
}
