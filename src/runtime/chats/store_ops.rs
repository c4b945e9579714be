//! The chats' store work as data: the driver runs it on the store thread
//! ([`ChatStoreOp::execute`]) and feeds the result back, in order.

use super::ChatInput;
use crate::model::{DeliveryState, IncomingMessage, MessageId, SessionId};
use crate::store::{NewIncoming, NewOutgoing, Store};

/// A piece of store work for the chats.
#[derive(Debug)]
pub(crate) enum ChatStoreOp {
    /// Our message, before it is sent.
    InsertOutgoing {
        session: SessionId,
        id: MessageId,
        text: String,
        new: Box<NewOutgoing>,
    },
    /// The peer's message, before it is confirmed.
    InsertIncoming {
        session: SessionId,
        msrp_id: String,
        imdn: Option<String>,
        message: Box<IncomingMessage>,
        new: Box<NewIncoming>,
    },
    /// A message's final state.
    SetDeliveryState { id: MessageId, state: DeliveryState },
}

impl ChatStoreOp {
    /// Runs the work; the input to feed back to the chats.
    pub(crate) fn execute(self, store: &mut Store, unix_ms: i64) -> ChatInput {
        match self {
            ChatStoreOp::InsertOutgoing {
                session,
                id,
                text,
                new,
            } => ChatInput::MessageStored {
                session,
                id,
                text,
                result: store.insert_outgoing_in_session(&new).map_err(Into::into),
            },
            ChatStoreOp::InsertIncoming {
                session,
                msrp_id,
                imdn,
                message,
                new,
            } => ChatInput::MessageReceived {
                session,
                msrp_id,
                imdn,
                message,
                result: store.insert_incoming(&new).map_err(Into::into),
            },
            ChatStoreOp::SetDeliveryState { id, state } => ChatInput::DeliveryStored {
                id,
                result: store
                    .set_delivery_state(id, &state, unix_ms)
                    .map(|_| ())
                    .map_err(Into::into),
            },
        }
    }
}
