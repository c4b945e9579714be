//! SIP: messages, URIs, digest authentication, transactions, and the user
//! agent that combines them.

pub mod agent;
pub mod builder;
pub mod digest;
pub mod disposition;
pub mod header_value;
pub mod message;
pub mod name_addr;
pub mod outcome;
pub mod reason;
pub mod transaction;
pub mod uri;
