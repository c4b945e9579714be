//! A contact change through the running instance
//! ([`super::Request::Contacts`]): the instance carries it out on its
//! runtime, so its window shows the new list at once and blocking takes
//! effect there, and answers with [`super::Reply::Contacts`].

use super::{next_event, subscribe, Reply, Shared};
use crate::runtime::contact_book::{ContactChange, ContactChanged};
use crate::runtime::{Command, Event, Handle};
use std::os::unix::net::UnixStream;

/// Hands `change` to the runtime and waits for its outcome.
pub(super) fn serve(stream: &UnixStream, shared: &Shared, handle: &Handle, change: ContactChange) -> Reply {
    let events = subscribe(shared);
    let request = handle.next_request_id();
    if handle
        .send(Command::ChangeContacts {
            request,
            change: Box::new(change),
        })
        .is_err()
    {
        return Reply::Error {
            message: "the running sipchat instance is stopping".into(),
        };
    }
    while let Some(event) = next_event(&events, stream) {
        if let Event::ContactChanged(ContactChanged {
            request: got,
            outcome,
        }) = event
        {
            if got == request {
                return Reply::Contacts { outcome };
            }
        }
    }
    Reply::Error {
        message: "the running sipchat instance stopped before it answered".into(),
    }
}
