# sipchat: Deutsch.

## Window

window-title = { $unread ->
        [0] sipchat
       *[other] sipchat ({ $unread })
    }
notice-dismiss = Schließen
notice-local-port = Das lokale Konto konnte nicht auf seinem üblichen Port lauschen ({ $error }); es verwendet stattdessen einen anderen Port.
notice-account-error = { $account }: { $message }
notice-runtime-stopped = Der Hintergrunddienst wurde beendet; Nachrichten können nicht mehr gesendet werden.
notice-state-not-saved = Der Fensterzustand konnte nicht gespeichert werden: { $error }
notice-autostart-failed = Der Start von sipchat bei der Anmeldung konnte nicht geändert werden: { $error }

## Sidebar

sidebar-settings = Einstellungen
sidebar-accounts = Konten
sidebar-new-conversation = Neue Unterhaltung
sidebar-new-conversation-from = Neue Unterhaltung über { $account }
sidebar-conversations = Unterhaltungen
sidebar-search = Suche
sidebar-empty = Noch keine Unterhaltungen. Empfangene Nachrichten erscheinen ebenfalls hier.
sidebar-jump-hint = Strg+K springt zu einer Unterhaltung
preview-you = Sie: { $text }
preview-file = Datei: { $name }

## Accounts and their registration state

accounts-none = In der Konfiguration ist kein Konto aktiviert.
account-registered = Angemeldet
account-registering = Anmeldung läuft…
account-offline = Offline
account-listening = Erreichbar unter { $address }
account-listening-both = Erreichbar unter { $first } und { $second }
account-failed-retry-in = { $reason }; nächster Versuch in { $seconds } s
account-failed-retrying = { $reason }; neuer Versuch läuft…
account-refused = Der Server hat das Passwort abgelehnt: Ändern Sie es in den Kontoeinstellungen oder versuchen Sie es erneut
account-retry = Erneut versuchen
account-failed-stopped = { $reason }

## Starting a conversation

new-conversation-start = Starten
new-conversation-no-account = Es läuft kein Konto, über das gesendet werden kann.
instance-opened = Das bereits geöffnete sipchat-Fenster zeigt jetzt { $address }.
instance-shown = sipchat ist bereits geöffnet; das Fenster wurde in den Vordergrund geholt.
new-conversation-has-space = „{ $input }“ enthält ein Leerzeichen; eine SIP-Adresse enthält keines

## Search

search-placeholder = Nachrichten durchsuchen
search-waiting = Suche nach „{ $text }“…
search-nothing = Nichts gefunden für „{ $text }“. Esc führt zurück.
search-results = { $count ->
        [one] Ein Treffer für „{ $text }“ – Esc führt zurück
       *[other] { $count } Treffer für „{ $text }“ – Esc führt zurück
    }
search-you-to = Sie an { $name }
via-account = über { $account }

## The open conversation

pane-empty-title = Noch keine Unterhaltung – geben Sie links eine SIP-Adresse ein
pane-empty-hint = Zum Beispiel sip:bob@example.org oder sip:bob@192.0.2.7:5062 für einen Partner ohne Server.
composer-placeholder = Nachricht an { $name }
composer-stopped = Senden nicht möglich: Der Hintergrunddienst wurde beendet
composer-send = Senden
messages-loading = Wird geladen…
messages-none = Noch keine Nachrichten. Sagen Sie { $name } Hallo.
messages-load-earlier = Ältere Nachrichten laden
messages-loading-earlier = Ältere Nachrichten werden geladen…
message-retry = Erneut senden

## Delivery states of messages you sent

delivery-queued = in der Warteschlange
delivery-sending = wird gesendet…
delivery-accepted = vom Empfänger angenommen
delivery-stored = vom Server zur späteren Zustellung gespeichert (202)
delivery-retrying = noch nicht zugestellt: { $reason }; neuer Versuch in { $wait }
delivery-retrying-now = noch nicht zugestellt: { $reason }; neuer Versuch läuft
delivery-failed = fehlgeschlagen: { $reason }
duration-seconds = { $count } s
duration-minutes = { $count } min
duration-hours = { $count } h

## Days and times

day-today = Heute
day-yesterday = Gestern
day-this-year = { $weekday }, { $day }. { $month }
day-other-year = { $day }. { $month } { $year }
weekday-mon = Mo.
weekday-tue = Di.
weekday-wed = Mi.
weekday-thu = Do.
weekday-fri = Fr.
weekday-sat = Sa.
weekday-sun = So.
month-jan = Jan.
month-feb = Feb.
month-mar = März
month-apr = Apr.
month-may = Mai
month-jun = Juni
month-jul = Juli
month-aug = Aug.
month-sep = Sept.
month-oct = Okt.
month-nov = Nov.
month-dec = Dez.

## Jump to a conversation (Ctrl+K)

switcher-placeholder = Zu einer Unterhaltung springen
switcher-nothing = Keine Unterhaltung passt zu „{ $text }“
switcher-hint = ↑ ↓ auswählen · Enter öffnet · Esc schließt

## Settings

settings-title = Einstellungen
settings-theme = Erscheinungsbild
settings-theme-system = Wie das System
settings-theme-light = Hell
settings-theme-dark = Dunkel
settings-language = Sprache
settings-language-system = Systemsprache ({ $language })
settings-close = Schließen

## Chat sessions (MSRP): a live session instead of single messages

chat-start = Chatsitzung starten
chat-requested = Chatsitzung wird gestartet…
chat-inviting = { $name } wird zur Chatsitzung eingeladen…
chat-ringing = Warten, bis { $name } annimmt…
chat-connecting = Chatsitzung wird verbunden…
chat-cancel = Abbrechen
chat-active = Chatsitzung
chat-active-secure = verschlüsselt
chat-active-plain = unverschlüsselt
chat-active-relay = über Relay { $relay }
chat-active-direct = direkt
chat-end = Sitzung beenden
chat-offer = { $name } lädt Sie zu einer Chatsitzung ein
chat-accept = Annehmen
chat-decline = Ablehnen
chat-open = Öffnen
chat-failed = Die Chatsitzung kam nicht zustande: { $reason }
chat-failed-plain = Die Chatsitzung kam nicht zustande.
chat-ended = Die Chatsitzung wurde beendet: { $reason }
chat-ended-plain = Die Chatsitzung wurde beendet.
chat-typing = { $name } schreibt…
composer-placeholder-chat = Nachricht an { $name } in der Chatsitzung
sidebar-invites = lädt ein

## Notfallalarme

alert-banner-heading = NOTFALLALARM
alert-untitled = Notfallalarm
alert-banner-heading-many = NOTFALLALARM · { $count } nicht bestätigt
alert-area = Gebiet: { $areas }
alert-from-at = Von { $sender } · { $at }
alert-acknowledge = Bestätigen
alert-show = Anzeigen
alert-show-all = Alle anzeigen ({ $count })
alert-log-entry = { $count ->
        [0] Alarme
       *[other] Alarme ({ $count } offen)
    }
alert-log-title = Alarmprotokoll
alert-log-count = { $count ->
        [one] 1 Alarm
       *[other] { $count } Alarme
    }
alert-log-close = Schließen
alert-log-empty = Es sind keine Notfallalarme eingegangen.
alert-cap-event = Ereignis
alert-cap-urgency = Dringlichkeit
alert-cap-severity = Schwere
alert-cap-certainty = Gewissheit
alert-cap-description = Beschreibung
alert-cap-instruction = Handlungsanweisung
alert-cap-expires = Gültig bis
alert-cap-areas = Gebiete
alert-cap-error = Das CAP-Dokument des Alarms war nicht lesbar: { $error }
alert-raw-text = Wie empfangen:
alert-acknowledged-at = Bestätigt { $at }
alert-open-conversation = Unterhaltung öffnen
message-alert-badge = Notfallalarm
message-alert-untrusted = Achtung: gibt sich als Alarm aus, der Absender ist aber nicht vertrauenswürdig
## Accounts (Settings > Accounts, the account dialog, the first-start offer)

account-offer = Noch kein SIP-Konto. Fügen Sie Ihres hinzu, um über Ihren Anbieter zu chatten; bis dahin können Sie direkt mit anderen sipchat-Nutzern chatten (das lokale Konto).
account-offer-add = SIP-Konto hinzufügen
account-offer-later = Später
account-add-title = SIP-Konto hinzufügen
account-edit-title = SIP-Konto bearbeiten
account-address = SIP-Adresse
account-password = Passwort
account-password-keep = Leer lassen, um das Passwort zu behalten
account-display-name = Anzeigename (optional)
account-display-name-hint = Der Name, den andere sehen
account-proxy = Ausgehender Proxy (optional)
account-transport-auto = Automatisch
account-relay = MSRP-Relay für Chat-Sitzungen (optional)
account-trusted = Vertrauenswürdige Alarmabsender: SIP-Adressen oder IP-Adressen, Netze und Hostnamen von Servern, die Alarme senden (optional, durch Kommas getrennt)
account-name = Kontoname in sipchat (optional)
account-name-hint = Die Adresse ohne sip:
account-cancel = Abbrechen
account-save = Speichern
account-error-address-missing = Geben Sie Ihre SIP-Adresse ein, etwa sip:alice@example.org.
account-error-address = „{ $address }“ ist keine SIP-Adresse wie sip:alice@example.org.
account-error-password = Geben Sie das Passwort von { $address } ein.
account-error-proxy = „{ $proxy }“ ist keine Proxy-Adresse wie sip:proxy.example.org:5061 oder proxy.example.org (und TLS geht nicht über UDP).
account-error-relay = „{ $relay }“ ist kein MSRP-Relay wie msrps://relay.example.org:2855;tcp.
account-error-trusted = „{ $sender }“ ist weder eine SIP-Adresse noch eine IP-Adresse, ein Netz wie 192.0.2.0/24 oder ein Hostname und kann daher kein vertrauenswürdiger Alarmabsender sein.
account-error-name-taken = Es gibt schon ein Konto namens „{ $name }“; wählen Sie einen anderen Kontonamen.
accounts-title = Konten
accounts-in-config = in der Konfigurationsdatei
accounts-disabled = deaktiviert
accounts-local = Lokal (direkt, ohne Server)
accounts-add = Konto hinzufügen
accounts-edit = Bearbeiten
accounts-enable = Aktivieren
accounts-disable = Deaktivieren
accounts-remove = Entfernen
accounts-keep = Behalten
accounts-remove-question = Dieses Konto entfernen?
accounts-not-saved = Die Konten konnten nicht gespeichert werden: { $error }
accounts-applying = Die geänderten Konten werden übernommen…
accounts-applied = Die Konten wurden geändert und sind jetzt in Gebrauch.
accounts-restart-needed = Die Konten wurden gespeichert. Starte sipchat neu, um sie zu verwenden.
accounts-restart-failed = Die geänderten Konten konnten nicht verwendet werden: { $error }

## Files: sending, offers, progress (the attach button, the timeline, banners)

composer-attach = Dateien senden
decimal-separator = ,
size-bytes = { $count ->
    [one] 1 Byte
   *[other] { $count } Bytes
}
transfer-file-icon = DATEI
transfer-from = von { $name }
transfer-to = an { $name }
transfer-progress = { $done } von { $total }
transfer-rate = { $rate }/s
transfer-left = noch { $time }
transfer-offer = { $name } möchte Ihnen diese Datei senden.
transfer-offer-banner = { $name } möchte Ihnen „{ $file }“ senden
transfer-accept = Annehmen
transfer-decline = Ablehnen
transfer-cancel = Abbrechen
transfer-waiting = Warte auf die ersten Bytes…
transfer-preparing = Wird vorbereitet…
transfer-received = Empfangen
transfer-sent = Gesendet
transfer-open = Öffnen
transfer-show-in-folder = Im Ordner zeigen
transfer-failed = Nicht übertragen: { $reason }
transfer-send-again = Erneut senden
transfer-interrupted-out = mittendrin abgebrochen; erneut senden setzt dort fort, wo es aufgehört hat
transfer-interrupted-in = mittendrin abgebrochen; es geht weiter, sobald die Datei erneut gesendet wird
transfer-runtime-stopped = sipchat wurde beendet, bevor die Datei vollständig war
files-drop-here = Loslassen, um an { $name } zu senden
files-drop-hint = Öffnen Sie zuerst eine Unterhaltung und ziehen Sie die Dateien dann hinein, um sie zu senden.
files-choose-title = Dateien an { $name } senden
files-not-a-file = { $path } ist keine Datei, die gesendet werden kann.
sidebar-file-offer = Datei

## Notifications (settings, and the texts of desktop notifications)

settings-notifications = Benachrichtigungen
settings-notify-messages = Bei Nachrichten, Chat-Einladungen und Dateien benachrichtigen
settings-notify-alerts-always = Notfallalarme werden immer gemeldet, unabhängig von dieser Einstellung.
settings-duty = Bereitschaft
settings-message-sounds = Bei neuen Nachrichten einen Ton abspielen
settings-mute-hour = Nachrichten für eine Stunde stummschalten
settings-mute-tomorrow = Bis morgen früh stummschalten
settings-muted-until = Nachrichten sind bis { $time } stummgeschaltet.
settings-unmute = Stummschaltung aufheben
settings-mute-alerts-always = Notfallalarme kommen immer durch, mit Ton, auch wenn stummgeschaltet ist.
settings-keep-running = Im Hintergrund weiterlaufen, wenn das Fenster geschlossen wird
settings-autostart = sipchat bei der Anmeldung im Hintergrund starten
background-ask-title = Im Hintergrund weiterlaufen?
background-ask-body = sipchat kann bei geschlossenem Fenster angemeldet bleiben, sodass Nachrichten und Notfallalarme Sie weiterhin als Desktop-Benachrichtigungen erreichen. Diese Arbeitsumgebung zeigt kein Symbol im Infobereich.
background-ask-how-to-quit = Um das Fenster wieder zu öffnen, starten Sie sipchat erneut. Zum Beenden drücken Sie Strg+Q im Fenster. Sie können dies in den Einstellungen ändern.
background-ask-keep = Weiterlaufen
background-ask-quit = Beenden
background-ask-cancel = Abbrechen
tray-open = sipchat öffnen
tray-mute-hour = Nachrichten für eine Stunde stummschalten
tray-unmute = Stummschaltung aufheben
tray-quit = Beenden
tray-nothing-new = Keine ungelesenen Nachrichten
tray-unread = { $count ->
        [one] 1 ungelesene Nachricht
       *[other] { $count } ungelesene Nachrichten
    }
tray-alerts = { $count ->
        [one] 1 offener Notfallalarm
       *[other] { $count } offene Notfallalarme
    }
settings-files = Empfangene Dateien
settings-download-dir = Gespeichert in { $folder }
settings-download-dir-default = Download-Ordner verwenden
settings-download-dir-accounts = Ein Konto mit eigenem Download-Ordner (Einstellungen > Konten) verwendet diesen.
notify-alert-summary = NOTFALLALARM: { $title } (von { $name })
notify-message = Nachricht von { $name }
notify-messages = { $count } neue Nachrichten von { $name }
notify-untrusted = gibt sich als Alarm aus, der Absender ist aber nicht vertrauenswürdig
notify-chat-offer = { $name } lädt Sie zu einer Chatsitzung ein
notify-chat-offer-body = Öffnen Sie die Unterhaltung, um anzunehmen oder abzulehnen.
notify-file-offer = { $name } möchte Ihnen eine Datei senden
notify-file-offer-body = { $file } ({ $size }). Öffnen Sie die Unterhaltung, um anzunehmen oder abzulehnen.
notify-open = Öffnen
notify-acknowledge = Bestätigen

## Files in the account dialog

account-download-dir = Download-Ordner
account-download-dir-hint = Leer: Ihr Download-Ordner
account-choose-folder = Auswählen…
account-choose-folder-title = Ordner für empfangene Dateien auswählen
account-max-file-size = Maximale Dateigröße beim Empfang (MB)
account-error-max-file-size = „{ $value }“ ist keine Größe in Megabyte.

## The certificate trust prompt and the changed-certificate warning
certificate-title = Dem Zertifikat dieses Servers vertrauen?
certificate-self-signed = { $server } hat ein selbstsigniertes Zertifikat vorgelegt, dem das Konto „{ $account }“ noch nicht vertraut.
certificate-unknown-issuer = { $server } hat ein Zertifikat einer Stelle vorgelegt, der das Konto „{ $account }“ nicht vertraut.
certificate-server = Server
certificate-subject = Inhaber
certificate-issuer = Ausgestellt von
certificate-validity = Gültig
certificate-valid-range = { $from } bis { $until }
certificate-fingerprint = SHA-256-Fingerabdruck
certificate-unreadable = (nicht lesbar)
certificate-advice = Vertrauen Sie ihm nur, wenn es das Zertifikat Ihres Servers ist: Vergleichen Sie den Fingerabdruck mit dem, den Ihnen die Administration Ihres Servers genannt hat. „Immer vertrauen“ merkt es sich für dieses Konto; ein anderes Zertifikat wird später mit einer Warnung abgelehnt.
certificate-cancel = Abbrechen
certificate-trust-once = Einmal vertrauen
certificate-trust-always = Immer vertrauen
certificate-changed = Warnung: Das Zertifikat von { $server } (Konto „{ $account }“) hat sich geändert. sipchat hat es abgelehnt.
certificate-pinned = Vertraut
certificate-presented = Jetzt vorgelegt
certificate-changed-advice = Entweder wurde das Zertifikat des Servers ersetzt, oder jemand hört dazwischen mit. Fragen Sie die Administration des Servers; nur wenn sie den neuen Fingerabdruck bestätigt, hinterlegen Sie ihn in den Kontoeinstellungen (tls.fingerprint).
certificate-not-trusted = Das Konto „{ $account }“ vertraut dem Zertifikat von { $server } nicht und wartet auf Ihre Entscheidung.
certificate-review = Prüfen…
certificate-pin-not-saved = Dem Zertifikat wird vertraut, bis sipchat beendet wird, aber es konnte nicht im Konto gespeichert werden: { $error }
message-copy = Kopieren
message-select = Text auswählen
sidebar-unfold = Liste der Unterhaltungen anzeigen
composer-emoji = Emoji einfügen
notice-local-port-taken = Port { $port } wird von einem anderen Programm belegt; das lokale Konto verwendet stattdessen einen anderen Port (die Adresse steht unter Konten).
notice-local-port-denied = Port { $port } darf sipchat nicht verwenden (keine Berechtigung); das lokale Konto verwendet stattdessen einen anderen Port (die Adresse steht unter Konten).
notice-local-port-taken-moved = Port { $port } wird von einem anderen Programm belegt; sipchat empfängt stattdessen auf Port { $new }.
notice-local-port-denied-moved = Port { $port } darf sipchat nicht verwenden (keine Berechtigung); sipchat empfängt stattdessen auf Port { $new }.
notice-local-port-moved = Das lokale Konto konnte nicht auf seinem üblichen Port lauschen ({ $error }); sipchat empfängt stattdessen auf Port { $new }.
account-own-address = Ihre Adresse: { $address }
account-copy-address = Kopieren
files-no-chooser = Dieser Desktop hat keine Dateiauswahl (xdg-desktop-portal läuft nicht). Geben Sie den Pfad der zu sendenden Datei ein:
files-path-placeholder = /home/sie/Dokumente/datei.pdf
files-path-cancel = Abbrechen

## Contacts (#15)
sidebar-contacts = Kontakte
contacts-filter = Kontakte filtern
contacts-add = Kontakt hinzufügen
contacts-empty = Noch keine Kontakte. Fügen Sie einen hinzu, oder übernehmen Sie den Partner einer Unterhaltung über deren Menü.
contacts-none-match = Kein Kontakt passt zum Filter.
contacts-blocked-mark = blockiert
contact-page-close = Schließen
contact-page-favourite = Favorit
contact-page-blocked = Blockiert: Nachrichten, Chats und Dateien dieses Kontakts werden abgelehnt.
contact-page-write = Nachricht schreiben
contact-page-chat-session = Chat-Sitzung
contact-page-send-file = Datei senden
contact-page-block = Blockieren
contact-page-unblock = Freigeben
contact-page-edit = Bearbeiten
contact-page-default-account = { $account } (das Standardkonto)
contact-page-no-account = Kein Konto läuft.
contact-page-addresses = Adressen
contact-page-account = Konto
contact-page-groups = Gruppen
contact-page-note = Notiz
notice-contact-refused = Das Adressbuch wurde nicht geändert: { $reason }
contact-form-add-title = Kontakt hinzufügen
contact-form-edit-title = Kontakt bearbeiten
contact-form-name = Name
contact-form-name-hint = Erika Muster
contact-form-addresses = Adressen, eine pro Zeile
contact-form-addresses-hint = sip:erika@example.org
contact-form-account = Konto (leer: das Standardkonto)
contact-form-account-hint = das Standardkonto
contact-form-note = Notiz
contact-form-favourite = Favorit (zuerst aufgeführt)
contact-form-save = Speichern
contact-form-cancel = Abbrechen
contact-form-refused = Nicht gespeichert: { $reason }
contact-form-no-name = Bitte geben Sie einen Namen ein.
contact-form-name-too-long = Der Name ist länger als { $max } Zeichen.
contact-form-no-address = Bitte geben Sie mindestens eine Adresse ein, etwa sip:erika@example.org.
contact-form-too-many-addresses = Ein Kontakt kann höchstens { $max } Adressen haben.
contact-form-address-empty = Eine Adresse ist leer.
contact-form-address-scheme = „{ $address }“ muss mit sip:, sips: oder tel: beginnen.
contact-form-address-host = „{ $address }“ hat keinen gültigen Host (etwa sip:erika@example.org).
contact-form-address-twice = „{ $address }“ steht zweimal in der Liste.
contact-form-unknown-account = Es gibt kein Konto namens „{ $account }“.
switcher-contact = Kontakt
menu-add-to-contacts = Zu Kontakten hinzufügen
menu-rename = Umbenennen
menu-rename-hint = Ein Name für diese Unterhaltung (leer: der Name des Kontakts oder Partners)
menu-rename-save = Umbenennen
menu-rename-too-long = Der Name ist länger als { $max } Zeichen.
menu-delete = Unterhaltung löschen
menu-delete-question = Möchten Sie die Unterhaltung mit { $name } und alle ihre Nachrichten löschen? Das lässt sich nicht rückgängig machen.
menu-delete-confirm = Löschen
menu-cancel = Abbrechen

## Picture previews and pasting pictures or files
picture-open = { $name } öffnen
picture-too-large = Dieses Bild ist zu groß für eine Vorschau.
picture-unreadable-file = Dieses Bild kann nicht angezeigt werden: Die Datei kann nicht gelesen werden.
picture-broken = Dieses Bild kann nicht angezeigt werden: Es ist beschädigt oder kein Bild.
paste-title = An { $name } senden?
paste-send = Senden
paste-cancel = Abbrechen
paste-left-out = { $count ->
        [one] Eine weitere Datei wird ausgelassen.
       *[other] { $count } weitere Dateien werden ausgelassen.
    }
paste-too-large = Das Bild in der Zwischenablage ist zu groß zum Senden.
paste-broken = Das Bild in der Zwischenablage ist beschädigt.
paste-not-written = Das eingefügte Bild konnte nicht gespeichert werden: { $error }
## Presence
presence-available = Verfügbar
presence-away = Abwesend
presence-busy = Beschäftigt
presence-offline = Offline
presence-invisible = Unsichtbar
presence-unknown = Status unbekannt
presence-pending = Wartet auf Erlaubnis
presence-refused = Gibt den Status nicht frei
presence-no-such-user = Diesen Benutzer gibt es nicht
presence-last-seen = zuletzt gesehen { $time }
own-status-note = Notiz
own-status-note-hint = Eine Notiz für Ihre Kontakte; die Eingabetaste setzt sie.
own-status-setting = Ihr Status wird gesetzt…
own-status-not-yet = Vom letzten Mal übernommen.
own-status-shown = Ihre Kontakte sehen diesen Status.
own-status-invisible = Ihre Kontakte sehen Sie als offline.
own-status-failed = Ihr Status wurde auf { $account } nicht veröffentlicht: { $error }
presence-request = { $name } möchte sehen, wann Sie online sind.
presence-request-account = Auf dem Konto { $account }
presence-request-more = { $count ->
    [one] Eine weitere Anfrage wartet.
   *[other] { $count } weitere Anfragen warten.
}
presence-allow = Erlauben
presence-block = Blockieren
notify-online = { $name } ist online
settings-status = Status
settings-away-after = Mich abwesend setzen nach
settings-away-never = nie
settings-away-minutes = { $minutes } Minuten ohne Eingabe
settings-away-hint = Eingabe heißt Tastatur und Maus in diesem Fenster. Beschäftigt und unsichtbar werden nie geändert; die erste Eingabe holt Sie zurück.
contact-page-presence = Status
contact-page-presence-none = Unbekannt (der Status von Kontakten wird auf ihrem Konto beobachtet).
contact-page-notify-online = Benachrichtigen, wenn { $name } online ist
tray-my-status = Mein Status
