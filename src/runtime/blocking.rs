//! The block list: the address keys of blocked contacts, as the driver hands
//! it to the inbox, chats and transfers (refreshed whenever the address book
//! changes). Shared like `clock.rs`: several features read it, none owns it.

use std::collections::BTreeSet;

use crate::model::conversation_key;

/// Address keys ([`conversation_key`]) whose messages, chats and files are
/// refused with 603 Decline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockList {
    keys: BTreeSet<String>,
}

impl BlockList {
    /// A block list of these keys.
    pub fn new(keys: impl IntoIterator<Item = String>) -> BlockList {
        BlockList {
            keys: keys.into_iter().collect(),
        }
    }

    /// Whether `address` (any form: name-addr, any port) is blocked.
    pub fn blocks(&self, address: &str) -> bool {
        !self.keys.is_empty() && self.keys.contains(&conversation_key(address))
    }

    /// Whether nobody is blocked.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::BlockList;

    #[test]
    fn any_port_and_form_of_a_blocked_address_is_blocked() {
        let list = BlockList::new(["sip:bob@127.0.0.1".to_string()]);
        assert!(list.blocks("sip:bob@127.0.0.1:5071"));
        assert!(list.blocks("\"Bob\" <sip:bob@127.0.0.1:6000;transport=tcp>;tag=x"));
        assert!(!list.blocks("sip:carol@127.0.0.1"));
        assert!(!BlockList::default().blocks("sip:bob@127.0.0.1"));
    }
}
