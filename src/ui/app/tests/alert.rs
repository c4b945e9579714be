//! Emergency alerts and desktop notifications through the window's update
//! loop: the banner, acknowledging, the log, marks on messages, clicks on
//! notifications, and what the notifier is told about focus.

use super::*;
use crate::ui::notifications::Notify;
use sipchat::model::{Alert, AlertMark, CapAlert, CapInfo};
use sipchat::notify::OpenTarget;

const ALERTER: &str = "sip:alert@example.org";

/// What the planner was told is in view: account and peer key, or nothing.
type Focus = Option<(AccountId, String)>;

/// Records what the window tells the notifier.
#[derive(Debug, Clone, Default)]
struct NotifyRecorder {
    focus: Arc<Mutex<Vec<Focus>>>,
    events: Arc<Mutex<usize>>,
    messages: Arc<Mutex<Vec<bool>>>,
    /// Alerts whose acknowledgement reached the notifier (which closes
    /// their notifications: `notify::Planner::closes`).
    acknowledged: Arc<Mutex<Vec<i64>>>,
}

impl NotifyRecorder {
    fn focus(&self) -> Vec<Focus> {
        self.focus
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default()
    }
}

impl Notify for NotifyRecorder {
    fn handle(&mut self, event: &Event) {
        if let Ok(mut n) = self.events.lock() {
            *n += 1;
        }
        if let (Event::AlertAcknowledged { id, .. }, Ok(mut acked)) = (event, self.acknowledged.lock()) {
            acked.push(*id);
        }
    }

    fn set_focused(&mut self, conversation: Option<(AccountId, String)>) {
        if let Ok(mut f) = self.focus.lock() {
            f.push(conversation);
        }
    }

    fn set_messages(&mut self, on: bool) {
        if let Ok(mut m) = self.messages.lock() {
            m.push(on);
        }
    }
}

fn app_with_notifier() -> (App, Recorder, NotifyRecorder) {
    let recorder = Recorder::default();
    let notify = NotifyRecorder::default();
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (app, _) = App::new(
        recorder.clone(),
        EventSource::runtime(rx),
        vec![local()],
        Some(local()),
        Startup {
            notify: Some(Box::new(notify.clone())),
            ..Startup::default()
        },
    );
    (app, recorder, notify)
}

fn alert(id: i64, at_ms: i64, title: &str) -> Alert {
    Alert {
        id,
        account: local(),
        message_id: Some(MessageId(500 + u64::try_from(id).unwrap())),
        from: ALERTER.into(),
        from_name: Some("Alarm desk".into()),
        subject: Some(title.into()),
        priority: None,
        body: format!("{title}: body"),
        text: format!("{title}: body"),
        cap: None,
        cap_error: None,
        received_at: at_ms,
        acknowledged_at: None,
    }
}

fn raise(app: &mut App, alert: Alert) {
    let _ = app.update(Message::Runtime(Event::AlertRaised(Box::new(alert))));
}

fn banner_ids(app: &App) -> Vec<i64> {
    app.alerts.unacknowledged().iter().map(|a| a.id).collect()
}

#[test]
fn an_alert_shows_until_acknowledge_is_answered() {
    let (mut app, recorder) = app();
    recorder.take();
    raise(&mut app, alert(7, 1_000, "Emergency call from 1001"));
    assert_eq!(banner_ids(&app), [7]);
    // It is no longer a mere notice that "Dismiss" could take away.
    assert_eq!(app.notice, None);
    let _ = app.view();

    let _ = app.update(Message::Alerts(alerts::Message::Acknowledge(7)));
    assert_eq!(recorder.take(), [Command::AckAlert { id: 7 }]);
    // Still up until the runtime says it was stored.
    assert_eq!(banner_ids(&app), [7]);
    let _ = app.update(Message::Runtime(Event::AlertAcknowledged { id: 7, at_ms: 2_000 }));
    assert!(banner_ids(&app).is_empty());
    assert_eq!(app.alerts.get(7).and_then(|a| a.acknowledged_at), Some(2_000));
    let _ = app.view();
}

#[test]
fn several_alerts_stack_newest_first_and_survive_a_restart() {
    let (mut app, recorder) = app();
    assert!(recorder.take().contains(&Command::LoadAlerts {
        account: None,
        unacknowledged_only: false
    }));
    // The answer to the start-up load: the log as the window left it.
    let mut done = alert(0, 500, "done before");
    done.acknowledged_at = Some(600);
    let list = vec![alert(2, 2_000, "second"), alert(1, 1_000, "first"), done];
    let _ = app.update(Message::Runtime(Event::Alerts(list)));
    raise(&mut app, alert(3, 3_000, "third"));
    assert_eq!(banner_ids(&app), [3, 2, 1]);
    let _ = app.view();
}

#[test]
fn the_log_lists_every_alert_newest_first_with_acknowledgements() {
    let (mut app, recorder) = app();
    recorder.take();
    let _ = app.update(Message::Alerts(alerts::Message::OpenLog));
    assert_eq!(
        recorder.take(),
        [Command::LoadAlerts {
            account: None,
            unacknowledged_only: false
        }]
    );
    assert!(app.alerts.log_open());
    let mut old = alert(1, 1_000, "old");
    old.acknowledged_at = Some(1_500);
    let mut cap = alert(2, 2_000, "cap");
    cap.cap = Some(CapAlert {
        infos: vec![CapInfo {
            event: "Fire".into(),
            severity: "Extreme".into(),
            areas: vec!["Building 4".into()],
            ..CapInfo::default()
        }],
        ..CapAlert::default()
    });
    let mut broken = alert(3, 3_000, "broken");
    broken.cap_error = Some("no <info> element".into());
    let _ = app.update(Message::Runtime(Event::Alerts(vec![old, cap, broken])));
    let listed: Vec<(i64, Option<i64>)> = app
        .alerts
        .newest_first()
        .iter()
        .map(|a| (a.id, a.acknowledged_at))
        .collect();
    assert_eq!(listed, [(3, None), (2, None), (1, Some(1_500))]);
    // The view builds (CAP fields, raw text of the malformed one).
    let _ = app.view();
    // Acknowledge from the log.
    let _ = app.update(Message::Alerts(alerts::Message::Acknowledge(3)));
    assert_eq!(recorder.take(), [Command::AckAlert { id: 3 }]);
    // Opening the alert's conversation leaves the log.
    let _ = app.update(Message::Alerts(alerts::Message::OpenConversation(2)));
    assert!(!app.alerts.log_open());
    assert_eq!(
        app.conversations.open_key(),
        Some(&ConversationKey::stored("local", ALERTER))
    );
}

fn from_mallory(id: u64, mark: AlertMark) -> Message {
    Message::Runtime(Event::MessageReceived(IncomingMessage {
        id: MessageId(id),
        account: local(),
        from: "sip:mallory@example.org".into(),
        from_name: None,
        to: "sip:me@example.org".into(),
        content_type: "text/plain".into(),
        body: "Emergency call from 1001".into(),
        subject: Some("Emergency Alert".into()),
        received_at: 10,
        session: None,
        alert: mark,
    }))
}

fn marks(app: &App, peer: &str) -> Vec<(u64, AlertMark)> {
    app.conversations
        .get(&ConversationKey::stored("local", peer))
        .map(|c| c.entries.iter().map(|e| (e.id.0, e.alert)).collect())
        .unwrap_or_default()
}

#[test]
fn untrusted_claims_are_marked_live_and_from_history() {
    let (mut app, _) = app();
    let _ = app.update(from_mallory(40, AlertMark::Untrusted));
    let _ = app.update(from_mallory(41, AlertMark::None));
    assert_eq!(
        marks(&app, "sip:mallory@example.org"),
        [(40, AlertMark::Untrusted), (41, AlertMark::None)]
    );
    // No alert was raised for a spoof.
    assert!(app.alerts.unacknowledged().is_empty());

    // From the store: the flag comes with the stored message.
    with_bob(&mut app);
    open_bob(&mut app);
    let mut claim = stored(3, StoreDirection::In, None);
    claim.untrusted_alert = true;
    let _ = app.update(Message::Runtime(Event::Messages {
        account: local(),
        peer_key: BOB.into(),
        messages: vec![stored(2, StoreDirection::In, None), claim],
        complete: true,
    }));
    assert_eq!(
        marks(&app, BOB),
        [(2, AlertMark::None), (3, AlertMark::Untrusted)]
    );
    let _ = app.view();
}

#[test]
fn a_trusted_alerts_message_is_known_as_one_also_from_history() {
    let (mut app, _) = app();
    raise(&mut app, alert(1, 1_000, "Emergency call"));
    // Its message, loaded from the store later, has no flag of its own:
    // the alert log names it.
    assert!(app.alerts.is_alert_message(MessageId(501)));
    assert_eq!(
        app.alerts.messages().get(&MessageId(501)).map(String::as_str),
        Some("Emergency call: body")
    );
}

#[test]
fn open_on_a_notification_opens_the_conversation_and_points_at_the_alert() {
    let (mut app, recorder) = app();
    recorder.take();
    raise(&mut app, alert(9, 1_000, "Emergency call"));
    let target = OpenTarget {
        account: local(),
        peer_key: ALERTER.into(),
        alert: Some(9),
    };
    let _ = app.update(Message::Notification(NotifyAction::Open(target)));
    let alerter = ConversationKey::stored("local", ALERTER);
    assert_eq!(app.conversations.open_key(), Some(&alerter));
    assert_eq!(app.alerts.selected(), Some(9));
    let sent = recorder.take();
    assert!(sent.contains(&Command::MarkRead {
        account: local(),
        peer_key: ALERTER.into()
    }));
    assert!(sent.iter().any(|c| matches!(c, Command::LoadMessages { .. })));

    let _ = app.update(Message::Notification(NotifyAction::Acknowledge(9)));
    assert_eq!(recorder.take(), [Command::AckAlert { id: 9 }]);
}

#[test]
fn the_notifier_hears_every_event_and_what_is_in_view() {
    let (mut app, _, notify) = app_with_notifier();
    with_bob(&mut app);
    assert_eq!(notify.events.lock().map(|n| *n).unwrap(), 1);
    // A conversation open in an unfocused window is not "seen".
    open_bob(&mut app);
    assert_eq!(notify.focus(), []);
    let _ = app.update(Message::WindowFocus(true));
    assert_eq!(notify.focus(), [Some((local(), BOB.to_string()))]);
    // Only changes are reported.
    let _ = app.update(Message::Tick);
    assert_eq!(notify.focus(), []);
    // The alert log covers the conversation.
    let _ = app.update(Message::Alerts(alerts::Message::OpenLog));
    assert_eq!(notify.focus(), [None]);
    let _ = app.update(Message::Alerts(alerts::Message::CloseLog));
    assert_eq!(notify.focus(), [Some((local(), BOB.to_string()))]);
    let _ = app.update(Message::WindowFocus(false));
    assert_eq!(notify.focus(), [None]);
}

#[test]
fn the_notifications_setting_reaches_the_notifier_and_is_remembered() {
    let (mut app, _recorder, notify) = app_with_notifier();
    assert_eq!(notify.messages.lock().unwrap().clone(), [true], "told at start");
    let _ = app.update(Message::Settings(settings::Message::NotifyMessages(false)));
    assert!(!app.state().notify_messages);
    assert_eq!(notify.messages.lock().unwrap().clone(), [true, false]);
    // An alert still raises its banner (and the planner notifies it: see
    // notify's tests); the conversation list marks it until acknowledged.
    raise(&mut app, alert(9, 1_000, "Fire"));
    let key = alerts::conversation_of(app.alerts.get(9).unwrap());
    assert_eq!(key.peer, sipchat::model::conversation_key(ALERTER));
    let _ = app.view();
}

#[test]
fn acknowledging_in_the_window_reaches_the_notifier_that_closes_the_notification() {
    let (mut app, recorder, notify) = app_with_notifier();
    raise(&mut app, alert(7, 1_000, "Emergency call from 1001"));
    recorder.take();
    let _ = app.update(Message::Alerts(alerts::Message::Acknowledge(7)));
    assert_eq!(recorder.take(), [Command::AckAlert { id: 7 }]);
    assert!(
        notify.acknowledged.lock().unwrap().is_empty(),
        "not before it is stored"
    );
    let _ = app.update(Message::Runtime(Event::AlertAcknowledged { id: 7, at_ms: 2_000 }));
    assert_eq!(*notify.acknowledged.lock().unwrap(), [7]);
}
