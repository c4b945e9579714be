# sipchat: English (the fallback for every other language).
# Keys are grouped by the part of the window that shows them. Arguments are
# written { $like-this }; texts the runtime gives (reasons from SIP servers,
# addresses, names) arrive as arguments and are shown as they are.

## Window

window-title = { $unread ->
        [0] sipchat
       *[other] sipchat ({ $unread })
    }
notice-dismiss = Dismiss
notice-local-port = The local account could not listen on its usual port ({ $error }); it uses another port instead.
notice-account-error = { $account }: { $message }
notice-runtime-stopped = The background service stopped; sending is no longer possible.
notice-state-not-saved = The window state could not be saved: { $error }
notice-autostart-failed = Starting sipchat at login could not be changed: { $error }

## Sidebar

sidebar-settings = Settings
sidebar-accounts = Accounts
sidebar-new-conversation = New conversation
sidebar-new-conversation-from = New conversation from { $account }
sidebar-conversations = Conversations
sidebar-search = Search
sidebar-empty = Nothing here yet. Messages you receive appear here too.
sidebar-jump-hint = Ctrl+K jumps to a conversation
preview-you = You: { $text }
preview-file = File: { $name }

## Accounts and their registration state

accounts-none = No account is enabled in the configuration.
account-registered = Registered
account-registering = Registering…
account-offline = Offline
account-listening = Listening on { $address }
account-listening-both = Listening on { $first } and { $second }
account-failed-retry-in = { $reason }; next try in { $seconds } s
account-failed-retrying = { $reason }; trying again now…
account-refused = The server refused the password: change it in the account settings, or retry
account-retry = Retry
account-failed-stopped = { $reason }

## Starting a conversation

new-conversation-start = Start
new-conversation-no-account = No account is running to send from.
instance-opened = The sipchat window that is already open shows { $address } now.
instance-shown = sipchat is already open; its window was brought forward.
new-conversation-has-space = “{ $input }” contains a space; a SIP address has none

## Search

search-placeholder = Search messages
search-waiting = Searching for “{ $text }”…
search-nothing = Nothing found for “{ $text }”. Esc goes back.
search-results = { $count ->
        [one] One result for “{ $text }” — Esc goes back
       *[other] { $count } results for “{ $text }” — Esc goes back
    }
search-you-to = You to { $name }
via-account = via { $account }

## The open conversation

pane-empty-title = No conversation yet — type a SIP address on the left
pane-empty-hint = For example sip:bob@example.org, or sip:bob@192.0.2.7:5062 for a peer without a server.
composer-placeholder = Message { $name }
composer-stopped = Sending is unavailable: the background service stopped
composer-send = Send
messages-loading = Loading…
messages-none = No messages yet. Say hello to { $name }.
messages-load-earlier = Load earlier messages
messages-loading-earlier = Loading earlier messages…
message-retry = Retry

## Delivery states of messages you sent

delivery-queued = queued
delivery-sending = sending…
delivery-accepted = accepted by the recipient
delivery-stored = stored by the server for later delivery (202)
delivery-retrying = not delivered yet: { $reason }; trying again in { $wait }
delivery-retrying-now = not delivered yet: { $reason }; trying again now
delivery-failed = failed: { $reason }
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h

## Days and times

day-today = Today
day-yesterday = Yesterday
# A day this year, e.g. "Tue 3 Nov".
day-this-year = { $weekday } { $day } { $month }
# A day in another year, e.g. "3 Nov 2025".
day-other-year = { $day } { $month } { $year }
weekday-mon = Mon
weekday-tue = Tue
weekday-wed = Wed
weekday-thu = Thu
weekday-fri = Fri
weekday-sat = Sat
weekday-sun = Sun
month-jan = Jan
month-feb = Feb
month-mar = Mar
month-apr = Apr
month-may = May
month-jun = Jun
month-jul = Jul
month-aug = Aug
month-sep = Sep
month-oct = Oct
month-nov = Nov
month-dec = Dec

## Jump to a conversation (Ctrl+K)

switcher-placeholder = Jump to a conversation
switcher-nothing = No conversation matches “{ $text }”
switcher-hint = ↑ ↓ choose · Enter opens · Esc closes

## Settings

settings-title = Settings
settings-theme = Theme
settings-theme-system = Follow the system
settings-theme-light = Light
settings-theme-dark = Dark
settings-language = Language
settings-language-system = System language ({ $language })
settings-close = Close

## Chat sessions (MSRP): a live session instead of single messages

chat-start = Start chat session
chat-requested = Starting a chat session…
chat-inviting = Inviting { $name } to a chat session…
chat-ringing = Waiting for { $name } to answer…
chat-connecting = Connecting the chat session…
chat-cancel = Cancel
chat-active = Chat session
chat-active-secure = encrypted
chat-active-plain = not encrypted
chat-active-relay = through relay { $relay }
chat-active-direct = direct
chat-end = End session
chat-offer = { $name } invites you to a chat session
chat-accept = Accept
chat-decline = Decline
chat-open = Open
chat-failed = The chat session did not start: { $reason }
chat-failed-plain = The chat session did not start.
chat-ended = The chat session ended: { $reason }
chat-ended-plain = The chat session ended.
chat-typing = { $name } is typing…
composer-placeholder-chat = Message { $name } in the chat session
sidebar-invites = invites you

## Emergency alerts

alert-banner-heading = EMERGENCY ALERT
alert-untitled = Emergency alert
alert-banner-heading-many = EMERGENCY ALERT · { $count } not acknowledged
alert-area = Area: { $areas }
alert-from-at = From { $sender } · { $at }
alert-acknowledge = Acknowledge
alert-show = Show
alert-show-all = Show all ({ $count })
alert-log-entry = { $count ->
        [0] Alerts
       *[other] Alerts ({ $count } open)
    }
alert-log-title = Alert log
alert-log-count = { $count ->
        [one] 1 alert
       *[other] { $count } alerts
    }
alert-log-close = Close
alert-log-empty = No emergency alerts have been received.
alert-cap-event = Event
alert-cap-urgency = Urgency
alert-cap-severity = Severity
alert-cap-certainty = Certainty
alert-cap-description = Description
alert-cap-instruction = Instruction
alert-cap-expires = Expires
alert-cap-areas = Areas
alert-cap-error = The alert's CAP document could not be read: { $error }
alert-raw-text = As received:
alert-acknowledged-at = Acknowledged { $at }
alert-open-conversation = Open conversation
message-alert-badge = Emergency alert
message-alert-untrusted = Warning: claims to be an alert from an untrusted sender
## Accounts (Settings > Accounts, the account dialog, the first-start offer)

account-offer = No SIP account yet. Add yours to chat through your provider; meanwhile you can chat directly with other sipchat users (the local account).
account-offer-add = Add SIP account
account-offer-later = Not now
account-add-title = Add a SIP account
account-edit-title = Edit SIP account
account-address = SIP address
account-password = Password
account-password-keep = Leave empty to keep the password
account-display-name = Display name (optional)
account-display-name-hint = The name others see
account-proxy = Outbound proxy (optional)
account-transport-auto = Automatic
account-relay = MSRP relay for chat sessions (optional)
account-trusted = Trusted alert senders: SIP addresses, or IP addresses, networks and host names of servers that send alerts (optional, separated by commas)
account-name = Account name in sipchat (optional)
account-name-hint = The address without sip:
account-cancel = Cancel
account-save = Save
account-error-address-missing = Enter your SIP address, like sip:alice@example.org.
account-error-address = “{ $address }” is not a SIP address like sip:alice@example.org.
account-error-password = Enter the password of { $address }.
account-error-proxy = “{ $proxy }” is not a proxy address like sip:proxy.example.org:5061 or proxy.example.org (and TLS cannot go over UDP).
account-error-relay = “{ $relay }” is not an MSRP relay like msrps://relay.example.org:2855;tcp.
account-error-trusted = “{ $sender }” is not a SIP address, an IP address, a network like 192.0.2.0/24 or a host name, so it cannot be a trusted alert sender.
account-error-name-taken = There is already an account named “{ $name }”; choose another account name.
accounts-title = Accounts
accounts-in-config = in the configuration file
accounts-disabled = disabled
accounts-local = Local (peer-to-peer, no server)
accounts-add = Add account
accounts-edit = Edit
accounts-enable = Enable
accounts-disable = Disable
accounts-remove = Remove
accounts-keep = Keep
accounts-remove-question = Remove this account?
accounts-not-saved = The accounts could not be saved: { $error }
accounts-applying = Applying the changed accounts…
accounts-applied = The accounts were changed and are in use now.
accounts-restart-needed = The accounts were saved. Restart sipchat to use them.
accounts-restart-failed = The changed accounts could not be used: { $error }

## Files: sending, offers, progress (the attach button, the timeline, banners)

composer-attach = Send files
decimal-separator = .
size-bytes = { $count ->
    [one] 1 byte
   *[other] { $count } bytes
}
transfer-file-icon = FILE
transfer-from = from { $name }
transfer-to = to { $name }
transfer-progress = { $done } of { $total }
transfer-rate = { $rate }/s
transfer-left = { $time } left
transfer-offer = { $name } wants to send you this file.
transfer-offer-banner = { $name } wants to send you “{ $file }”
transfer-accept = Accept
transfer-decline = Decline
transfer-cancel = Cancel
transfer-waiting = Waiting for the first bytes…
transfer-preparing = Preparing…
transfer-received = Received
transfer-sent = Sent
transfer-open = Open
transfer-show-in-folder = Show in folder
transfer-failed = Not transferred: { $reason }
transfer-send-again = Send again
transfer-interrupted-out = it stopped mid-way; send it again to continue where it stopped
transfer-interrupted-in = it stopped mid-way; it continues when it is sent again
transfer-runtime-stopped = sipchat stopped before the file was complete
files-drop-here = Drop to send to { $name }
files-drop-hint = Open a conversation first, then drop files on it to send them.
files-choose-title = Send files to { $name }
files-not-a-file = { $path } is not a file that can be sent.
sidebar-file-offer = file

## Notifications (settings, and the texts of desktop notifications)

settings-notifications = Notifications
settings-notify-messages = Notify me of messages, chat invitations and files
settings-notify-alerts-always = Emergency alerts always notify, whatever this says.
settings-duty = On duty
settings-message-sounds = Play a sound for new messages
settings-mute-hour = Mute messages for an hour
settings-mute-tomorrow = Mute until tomorrow morning
settings-muted-until = Messages are muted until { $time }.
settings-unmute = Unmute
settings-mute-alerts-always = Emergency alerts always come through, with their sound, even when muted.
settings-keep-running = Keep running in the background when the window is closed
settings-autostart = Start sipchat in the background when I log in
background-ask-title = Keep running in the background?
background-ask-body = sipchat can stay registered with the window closed, so messages and emergency alerts still reach you as desktop notifications. There is no tray icon on this desktop.
background-ask-how-to-quit = To open the window again, start sipchat again. To quit, press Ctrl+Q in the window. You can change this in Settings.
background-ask-keep = Keep running
background-ask-quit = Quit
background-ask-cancel = Cancel
tray-open = Open sipchat
tray-mute-hour = Mute messages for an hour
tray-unmute = Unmute messages
tray-quit = Quit
tray-nothing-new = No unread messages
tray-unread = { $count ->
        [one] 1 unread message
       *[other] { $count } unread messages
    }
tray-alerts = { $count ->
        [one] 1 open emergency alert
       *[other] { $count } open emergency alerts
    }
settings-files = Received files
settings-download-dir = Saved in { $folder }
settings-download-dir-default = Use the Downloads folder
settings-download-dir-accounts = An account with a download folder of its own (Settings > Accounts) uses that one.
notify-alert-summary = EMERGENCY ALERT: { $title } (from { $name })
notify-message = Message from { $name }
notify-messages = { $count } new messages from { $name }
notify-untrusted = claims to be an alert from an untrusted sender
notify-chat-offer = { $name } invites you to a chat session
notify-chat-offer-body = Open the conversation to accept or decline.
notify-file-offer = { $name } wants to send you a file
notify-file-offer-body = { $file } ({ $size }). Open the conversation to accept or decline.
notify-open = Open
notify-acknowledge = Acknowledge

## Files in the account dialog

account-download-dir = Download folder
account-download-dir-hint = Empty: your Downloads folder
account-choose-folder = Choose…
account-choose-folder-title = Choose the folder for received files
account-max-file-size = Largest file accepted (MB)
account-error-max-file-size = “{ $value }” is not a size in megabytes.

## The certificate trust prompt and the changed-certificate warning
certificate-title = Trust this server's certificate?
certificate-self-signed = { $server } presented a self-signed certificate, which the account “{ $account }” does not trust yet.
certificate-unknown-issuer = { $server } presented a certificate from an authority the account “{ $account }” does not trust.
certificate-server = Server
certificate-subject = Subject
certificate-issuer = Issued by
certificate-validity = Valid
certificate-valid-range = { $from } to { $until }
certificate-fingerprint = SHA-256 fingerprint
certificate-unreadable = (unreadable)
certificate-advice = Trust it only if it is your server's certificate: compare the fingerprint with the one your server's administrator gave you. “Always trust” remembers it for this account; a different certificate later is refused with a warning.
certificate-cancel = Cancel
certificate-trust-once = Trust once
certificate-trust-always = Always trust
certificate-changed = Warning: the certificate of { $server } (account “{ $account }”) has changed. sipchat refused it.
certificate-pinned = Trusted
certificate-presented = Presented now
certificate-changed-advice = Either the server's certificate was replaced or someone is listening in between. Ask the server's administrator; only if they confirm the new fingerprint, pin it in the account's settings (tls.fingerprint).
certificate-not-trusted = The account “{ $account }” does not trust the certificate of { $server } and waits for your decision.
certificate-review = Review…
certificate-pin-not-saved = The certificate is trusted until sipchat closes, but it could not be saved in the account: { $error }
message-copy = Copy
message-select = Select text
sidebar-unfold = Show the conversation list
composer-emoji = Insert an emoji
notice-local-port-taken = Port { $port } is taken by another program; the local account listens on another port instead (its address is under Accounts).
notice-local-port-denied = Port { $port } may not be used by sipchat (permission denied); the local account listens on another port instead (its address is under Accounts).
notice-local-port-taken-moved = Port { $port } is in use by another program; sipchat listens on { $new } instead.
notice-local-port-denied-moved = Port { $port } may not be used by sipchat (permission denied); sipchat listens on { $new } instead.
notice-local-port-moved = The local account could not listen on its usual port ({ $error }); sipchat listens on { $new } instead.
account-own-address = Your address: { $address }
account-copy-address = Copy
files-no-chooser = This desktop has no file chooser (xdg-desktop-portal is not running). Type the path of the file to send:
files-path-placeholder = /home/you/Documents/file.pdf
files-path-cancel = Cancel

## Contacts (#15)
sidebar-contacts = Contacts
contacts-filter = Filter contacts
contacts-add = Add contact
contacts-empty = No contacts yet. Add one, or add a conversation's peer from its menu.
contacts-none-match = No contact matches the filter.
contacts-blocked-mark = blocked
contact-page-close = Close
contact-page-favourite = Favourite
contact-page-blocked = Blocked: messages, chats and files from this contact are refused.
contact-page-write = Write a message
contact-page-chat-session = Chat session
contact-page-send-file = Send file
contact-page-block = Block
contact-page-unblock = Unblock
contact-page-edit = Edit
contact-page-default-account = { $account } (the default account)
contact-page-no-account = No account is running.
contact-page-addresses = Addresses
contact-page-account = Account
contact-page-groups = Groups
contact-page-note = Note
notice-contact-refused = The address book was not changed: { $reason }
contact-form-add-title = Add a contact
contact-form-edit-title = Edit the contact
contact-form-name = Name
contact-form-name-hint = Bob Smith
contact-form-addresses = Addresses, one per line
contact-form-addresses-hint = sip:bob@example.org
contact-form-account = Account (empty: the default account)
contact-form-account-hint = the default account
contact-form-note = Note
contact-form-favourite = Favourite (listed first)
contact-form-save = Save
contact-form-cancel = Cancel
contact-form-refused = Not saved: { $reason }
contact-form-no-name = Please enter a name.
contact-form-name-too-long = The name is longer than { $max } characters.
contact-form-no-address = Please enter at least one address, like sip:bob@example.org.
contact-form-too-many-addresses = A contact can have at most { $max } addresses.
contact-form-address-empty = An address is empty.
contact-form-address-scheme = “{ $address }” must start with sip:, sips: or tel:.
contact-form-address-host = “{ $address }” has no valid host (like sip:bob@example.org).
contact-form-address-twice = “{ $address }” is listed twice.
contact-form-unknown-account = There is no account called “{ $account }”.
switcher-contact = contact
menu-add-to-contacts = Add to contacts
menu-rename = Rename
menu-rename-hint = A name for this conversation (empty: the contact's or peer's name)
menu-rename-save = Rename
menu-rename-too-long = The name is longer than { $max } characters.
menu-delete = Delete conversation
menu-delete-question = Delete the conversation with { $name } and all its messages? This cannot be undone.
menu-delete-confirm = Delete
menu-cancel = Cancel

## Picture previews and pasting pictures or files
picture-open = Open { $name }
picture-too-large = This picture is too large to preview.
picture-unreadable-file = This picture cannot be shown: the file cannot be read.
picture-broken = This picture cannot be shown: it is damaged or not a picture.
paste-title = Send to { $name }?
paste-send = Send
paste-cancel = Cancel
paste-left-out = { $count ->
        [one] One more file is left out.
       *[other] { $count } more files are left out.
    }
paste-too-large = The picture on the clipboard is too large to send.
paste-broken = The picture on the clipboard is damaged.
paste-not-written = The pasted picture could not be saved: { $error }
## Presence
presence-available = Available
presence-away = Away
presence-busy = Busy
presence-offline = Offline
presence-invisible = Invisible
presence-unknown = Status unknown
presence-pending = Waiting for permission
presence-refused = Does not share their status
presence-no-such-user = No such user
presence-last-seen = last seen { $time }
own-status-note = Note
own-status-note-hint = A note for your contacts; Enter sets it.
own-status-setting = Setting your status…
own-status-not-yet = Kept from last time.
own-status-shown = Your contacts see this.
own-status-invisible = Your contacts see you as offline.
own-status-failed = Your status was not published on { $account }: { $error }
presence-request = { $name } wants to see when you are online.
presence-request-account = On the account { $account }
presence-request-more = { $count ->
    [one] One more request is waiting.
   *[other] { $count } more requests are waiting.
}
presence-allow = Allow
presence-block = Block
notify-online = { $name } is online
settings-status = Status
settings-away-after = Set me away after
settings-away-never = never
settings-away-minutes = { $minutes } minutes without input
settings-away-hint = Input means keys and the mouse in this window. Busy and invisible are never changed; the first input brings you back.
contact-page-presence = Status
contact-page-presence-none = Not known (the status of contacts is watched on their account).
contact-page-notify-online = Tell me when { $name } is online
tray-my-status = My status
